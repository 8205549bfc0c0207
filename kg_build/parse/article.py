"""Text → Article: the generic reader of the plain-text article format.

The format: a title line ``= … =``, an ``Infobox`` line followed by ``- Key: Value`` lines,
``==`` headings (``===`` for subsections …), prose paragraphs, ``- `` bullet lists and pipe
tables (``| a | b |``). Nothing here knows a sport, an event or an article.

A file that is no article (binary, not UTF-8, empty, no title line) is an error. A line that
breaks the format inside an article (a table row with another number of cells, an infobox line
without its separator, an unbalanced heading) is a diagnostic on the article: the line is left
out, or read as prose, and the rest of the article is read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from itertools import groupby
from pathlib import Path

from msgspec import Struct, field

from kg_build.errors import SourceError
from kg_build.messages import display_path, quote
from kg_build.model import (
    Article,
    Block,
    BulletList,
    Diagnostic,
    InfoboxField,
    ListItem,
    Paragraph,
    Section,
    SourceRef,
    Table,
    TableGroup,
    TableRow,
)
from kg_build.model.diagnostics import diagnostic

INFOBOX_MARKER = "Infobox"
_HEADING_RE = re.compile(r"(=+)(.*?)(=+)")
_BULLET_PREFIXES = ("- ", "* ")
# A Markdown alignment row (|---|:--:|) under a header carries no data.
_ALIGNMENT_CELL_RE = re.compile(r":?-+:?")
_SHOWN_MAX = 60
# Wikipedia's deepest heading is ====== … ======; deeper nesting is refused, so no later stage
# walks a tree of unbounded depth.
MAX_HEADING_LEVEL = 6


class _Line(Struct, frozen=True):
    number: int
    text: str


class _SectionBuilder(Struct):
    title: str
    level: int
    src: SourceRef
    blocks: list[Block] = field(default_factory=list)
    subsections: list[_SectionBuilder] = field(default_factory=list)

    def freeze(self) -> Section:
        return Section(
            title=self.title,
            level=self.level,
            blocks=tuple(self.blocks),
            subsections=tuple(s.freeze() for s in self.subsections),
            src=self.src,
        )


def parse_article(path: Path, shown: str | None = None) -> Article:
    """Read and parse one article file; ``shown`` is the path used in records and errors."""
    shown = shown if shown is not None else display_path(path)
    return parse_bytes(_read_bytes(path, shown), shown)


def parse_bytes(data: bytes, path: str) -> Article:
    """Parse the bytes of an article; ``path`` names it in records and errors."""
    lines = _split_lines(_decode(data, path))
    return _build_article(path, lines)


def _read_bytes(path: Path, shown: str) -> bytes:
    if path.is_dir():
        raise SourceError(shown, None, "is a directory (expected an article file)")
    try:
        return path.read_bytes()
    except FileNotFoundError as e:
        raise SourceError(shown, None, "no such file") from e
    except OSError as e:
        raise SourceError(shown, None, f"cannot read the file ({e.strerror})") from e


def _decode(data: bytes, path: str) -> str:
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise SourceError(path, line, "binary file (found a NUL byte, expected UTF-8 text)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise SourceError(
            path, line, f"not UTF-8 (found byte 0x{data[e.start]:02x}, expected UTF-8 text)"
        ) from e
    if not text.strip():
        raise SourceError(path, 1, "empty file (found no text, expected a title line '= … =')")
    return unicodedata.normalize("NFC", text)


def _split_lines(text: str) -> list[_Line]:
    # Split on LF only: str.splitlines() also breaks on form feeds and U+2028, which
    # would number lines differently from the user's editor.
    return [_Line(n, raw.rstrip()) for n, raw in enumerate(text.split("\n"), start=1)]


class _Irregular(Exception):
    """A line that breaks the format; the caller reads around it and reports it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _report(found: list[Diagnostic], path: str, line: _Line, e: _Irregular, kept: str) -> None:
    found.append(diagnostic(e.code, SourceRef(path, line.number), e.message, line.text, kept))


def _build_article(path: str, lines: list[_Line]) -> Article:
    content = [ln for ln in lines if ln.text]
    title_line = content[0]
    title = _read_title(path, title_line)
    rest = [ln for ln in lines if ln.number > title_line.number]
    found: list[Diagnostic] = []
    infobox, rest = _take_infobox(path, rest, found)
    lead, sections = _read_body(path, rest, found)
    return Article(
        title=title,
        infobox=infobox,
        lead=lead,
        sections=sections,
        src=SourceRef(path, title_line.number),
        diagnostics=tuple(sorted(found, key=lambda d: d.src.line)),
    )


def _read_title(path: str, line: _Line) -> str:
    expected = "expected a title line '= … =' first"
    if not line.text.startswith("="):
        raise SourceError(path, line.number, f"missing title (found {_shown(line)}, {expected})")
    try:
        level, text = _read_heading(line)
    except _Irregular as e:
        raise SourceError(path, line.number, e.message) from e
    if level != 1:
        raise SourceError(path, line.number, f"missing title (found {_shown(line)}, {expected})")
    return text


def _read_heading(line: _Line) -> tuple[int, str]:
    match = _HEADING_RE.fullmatch(line.text)
    opening = len(line.text) - len(line.text.lstrip("="))
    if match is None:
        marks = "=" * opening
        raise _Irregular(
            "irregular-heading",
            f"unterminated heading (found {_shown(line)}, expected it to end with '{marks}')",
        )
    text = match.group(2).strip()
    if len(match.group(1)) != len(match.group(3)):
        raise _Irregular(
            "irregular-heading",
            f"unbalanced heading (found {_shown(line)}, "
            f"expected as many '=' at the end as the {len(match.group(1))} at the start)",
        )
    if not text:
        raise _Irregular("irregular-heading", f"empty heading (found {_shown(line)})")
    return len(match.group(1)), text


def _take_infobox(
    path: str, lines: list[_Line], found: list[Diagnostic]
) -> tuple[tuple[InfoboxField, ...], list[_Line]]:
    """Take the infobox out of the lead (the lines before the first heading)."""
    lead_end = next((i for i, ln in enumerate(lines) if ln.text.startswith("=")), len(lines))
    starts = [i for i in range(lead_end) if lines[i].text == INFOBOX_MARKER]
    if not starts:
        return (), lines
    for second in starts[1:]:
        irregular = _Irregular(
            "irregular-infobox",
            f"second infobox (expected one, the first is at line {lines[starts[0]].number})",
        )
        _report(found, path, lines[second], irregular, "the first infobox; this one as prose")
    start = starts[0]
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].text), len(lines))
    fields = []
    for line in lines[start + 1 : end]:
        try:
            fields.append(_read_infobox_field(path, line))
        except _Irregular as e:
            _report(found, path, line, e, "the rest of the infobox; this line is not read")
    if end == start + 1:
        irregular = _Irregular(
            "irregular-infobox", "empty infobox (expected '- Key: Value' lines under 'Infobox')"
        )
        _report(found, path, lines[start], irregular, "no infobox fields")
    return tuple(fields), lines[:start] + lines[end:]


def _read_infobox_field(path: str, line: _Line) -> InfoboxField:
    expected = "expected '- Key: Value'"
    if not line.text.startswith("- "):
        raise _Irregular(
            "irregular-infobox", f"infobox line without '- ' (found {_shown(line)}, {expected})"
        )
    body = line.text[2:]
    # 'Key:' with nothing after it is an empty value, not a missing separator.
    key, sep, value = (body[:-1], ": ", "") if body.endswith(":") else body.partition(": ")
    if not sep:
        raise _Irregular(
            "irregular-infobox", f"infobox line without ': ' (found {_shown(line)}, {expected})"
        )
    if not key.strip():
        raise _Irregular(
            "irregular-infobox",
            f"infobox line with an empty key (found {_shown(line)}, {expected})",
        )
    return InfoboxField(key=key.strip(), value=value, src=SourceRef(path, line.number))


def _line_kind(line: _Line) -> str:
    text = line.text
    if not text:
        return "blank"
    if text.startswith("="):
        return "heading"
    if text.startswith("|"):
        return "table"
    if text.startswith(_BULLET_PREFIXES):
        return "list"
    return "paragraph"


def _runs(lines: Sequence[_Line]) -> Iterator[tuple[str, list[_Line]]]:
    """Group consecutive lines of one kind; every heading is a run of its own."""
    for kind, group in groupby(lines, key=_line_kind):
        run = list(group)
        if kind == "heading":
            yield from ((kind, [ln]) for ln in run)
        elif kind != "blank":
            yield kind, run


def _read_body(
    path: str, lines: list[_Line], found: list[Diagnostic]
) -> tuple[tuple[Block, ...], tuple[Section, ...]]:
    lead: list[Block] = []
    roots: list[_SectionBuilder] = []
    open_sections: list[_SectionBuilder] = []
    for kind, run in _runs(lines):
        if kind == "heading":
            try:
                section = _open_section(path, run[0])
            except _Irregular as e:
                _report(found, path, run[0], e, "the line as prose")
                block: Block = Paragraph(run[0].text, SourceRef(path, run[0].number))
                (open_sections[-1].blocks if open_sections else lead).append(block)
                continue
            while open_sections and open_sections[-1].level >= section.level:
                open_sections.pop()
            (open_sections[-1].subsections if open_sections else roots).append(section)
            open_sections.append(section)
            continue
        block = _read_block(path, kind, run, found)
        (open_sections[-1].blocks if open_sections else lead).append(block)
    return tuple(lead), tuple(s.freeze() for s in roots)


def _open_section(path: str, line: _Line) -> _SectionBuilder:
    level, title = _read_heading(line)
    if level == 1:
        raise _Irregular(
            "irregular-heading",
            f"second title (found {_shown(line)}, expected a section heading '== … ==')",
        )
    if level > MAX_HEADING_LEVEL:
        raise _Irregular(
            "irregular-heading",
            f"heading too deep (found {_shown(line)}, expected at most {MAX_HEADING_LEVEL} '=' "
            "on each side, as in Wikipedia)",
        )
    return _SectionBuilder(title=title, level=level, src=SourceRef(path, line.number))


def _read_block(path: str, kind: str, run: list[_Line], found: list[Diagnostic]) -> Block:
    src = SourceRef(path, run[0].number)
    if kind == "table":
        return _read_table(path, run, found)
    if kind == "list":
        items = tuple(ListItem(ln.text[2:].strip(), SourceRef(path, ln.number)) for ln in run)
        return BulletList(items=items, src=src)
    return Paragraph(text=" ".join(ln.text.strip() for ln in run), src=src)


def _read_table(path: str, run: list[_Line], found: list[Diagnostic]) -> Block:
    """Read a table; a row of another width is left out, a header not closed ends it all."""
    try:
        header = _read_cells(run[0])
    except _Irregular as e:
        _report(found, path, run[0], e, "the table's lines as prose")
        return Paragraph(" ".join(ln.text for ln in run), SourceRef(path, run[0].number))
    body = run[1:]
    if body and _is_alignment_row(body[0]):
        body = body[1:]
    groups: list[TableGroup] = []
    rows: list[TableRow] = []
    for line in body:
        try:
            cells = _read_cells(line)
            _check_width(line, cells, header, run[0])
        except _Irregular as e:
            _report(found, path, line, e, "the rest of the table; this row is not read")
            continue
        src = SourceRef(path, line.number)
        if _is_group_row(cells):
            groups.append(TableGroup(label=cells[0], src=src))
        else:
            rows.append(TableRow(cells=cells, group=groups[-1] if groups else None, src=src))
    return Table(
        header=header, groups=tuple(groups), rows=tuple(rows), src=SourceRef(path, run[0].number)
    )


def _is_alignment_row(line: _Line) -> bool:
    try:
        return all(_ALIGNMENT_CELL_RE.fullmatch(c) for c in _read_cells(line))
    except _Irregular:
        return False


def _read_cells(line: _Line) -> tuple[str, ...]:
    text = line.text
    if len(text) < 2 or not text.endswith("|"):
        raise _Irregular(
            "irregular-row",
            f"table row not closed (found {_shown(line)}, expected '| cell | … |')",
        )
    return tuple(cell.strip() for cell in text[1:-1].split("|"))


def _check_width(
    line: _Line, cells: tuple[str, ...], header: tuple[str, ...], header_line: _Line
) -> None:
    if len(cells) != len(header):
        raise _Irregular(
            "irregular-row",
            f"table row has {len(cells)} cells (found {_shown(line)}, expected {len(header)} "
            f"as in the header at line {header_line.number})",
        )


def _is_group_row(cells: tuple[str, ...]) -> bool:
    """Tell a group row, which labels the rows below it: text in the first cell only.

    A first cell that reads as a rank (``9``, ``=9``, ``2 (3)``, ``–``) makes a data row that
    holds only a rank, never a heading: real tables leave the rest of such rows empty.
    """
    return (
        len(cells) > 1
        and bool(cells[0])
        and not any(cells[1:])
        and not _RANK_LIKE.fullmatch(cells[0])
    )


_RANK_LIKE = re.compile(r"=?\d{1,3}(?:\s*\(\d{1,3}\))?|[–—-]")


def _shown(line: _Line) -> str:
    """Quote a line for an error message, shortened so the message stays on one line."""
    return quote(line.text, _SHOWN_MAX)
