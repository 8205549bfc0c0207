"""What a page shows as text: its tables (headings and rows of cell text) and its SVG texts.

Read with the standard library's HTML parser, so that a test asserts what a reader sees in a
table's cells, not how the template happens to write its markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Table:
    """A table: its class, the heading above it, its column headings and rows of cell text."""

    css: str
    heading: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Page:
    """A page's text: headings, tables, definition list, SVG texts and titles, links."""

    headings: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    svg_texts: list[tuple[str, str]] = field(default_factory=list)  # (class, text)
    svg_titles: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, href)
    ids: list[str] = field(default_factory=list)

    def table(self, css: str, heading: str | None = None) -> Table:
        """Return the one table of class ``css`` (under ``heading`` when given)."""
        found = [
            t
            for t in self.tables
            if css in t.css.split() and (heading is None or t.heading == heading)
        ]
        assert len(found) == 1, (css, heading, [(t.css, t.heading) for t in self.tables])
        return found[0]

    def href(self, text: str) -> list[str]:
        """Return where the links with this text go."""
        return [h for t, h in self.links if t == text]


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[str] = []
        self.text: list[str] | None = None  # the text being collected
        self.heading = ""
        self.table: Table | None = None
        self.row: list[str] | None = None
        self.link: tuple[list[str], str] | None = None
        self.svg_class = ""
        self.term = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.page.ids.append(values["id"])
        if tag == "table":
            self.table = Table(values.get("class", ""), self.heading)
            self.page.tables.append(self.table)
        elif tag == "tr" and self.table is not None:
            self.row = []
        elif tag in ("h1", "h2", "h3", "th", "td", "dt", "dd", "title") or (
            tag == "text" and "svg" in self.stack
        ):
            self.text = []
            self.svg_class = values.get("class", "")
        if tag == "a":
            self.link = ([], values.get("href", ""))
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop() != tag:
            pass
        text = _clean("".join(self.text)) if self.text is not None else ""
        if tag == "a" and self.link is not None:
            self.page.links.append((_clean("".join(self.link[0])), self.link[1]))
            self.link = None
        elif tag in ("h1", "h2", "h3"):
            self.page.headings.append(text)
            self.heading = text
        elif tag == "th" and self.table is not None:
            self.table.columns.append(text)
        elif tag == "td" and self.row is not None:
            self.row.append(text)
        elif tag == "tr" and self.table is not None and self.row:
            self.table.rows.append(self.row)
            self.row = None
        elif tag == "table":
            self.table = None
        elif tag == "dt":
            self.term = text
        elif tag == "dd":
            self.page.details[self.term] = text
        elif tag == "title" and "svg" in self.stack:
            self.page.svg_titles.append(text)
        elif tag == "text":
            self.page.svg_texts.append((self.svg_class, text))
        if tag in ("h1", "h2", "h3", "th", "td", "dt", "dd", "title", "text"):
            self.text = None

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)
        if self.link is not None:
            self.link[0].append(data)


def read_page(html: str) -> Page:
    """Return what ``html`` shows as text."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page
