"""The parsed article: title, infobox, sections, blocks and tables, each with its line."""

from __future__ import annotations

from collections.abc import Iterator

from msgspec import Struct

from kg_build.model.source import Diagnostic, SourceRef


class InfoboxField(Struct, frozen=True):
    """One ``- Key: Value`` line of the infobox, key and value exactly as written."""

    key: str
    value: str
    src: SourceRef


class Paragraph(Struct, frozen=True):
    """A run of prose lines, joined by single spaces."""

    text: str
    src: SourceRef


class ListItem(Struct, frozen=True):
    """One ``- item`` line of a bullet list."""

    text: str
    src: SourceRef


class BulletList(Struct, frozen=True):
    """Consecutive bullet lines."""

    items: tuple[ListItem, ...]
    src: SourceRef


class TableGroup(Struct, frozen=True):
    """A row that labels the data rows below it (``| Final A | | |``)."""

    label: str
    src: SourceRef


class TableRow(Struct, frozen=True):
    """A data row: one string per header column, empty where the cell is empty."""

    cells: tuple[str, ...]
    group: TableGroup | None
    src: SourceRef


class Table(Struct, frozen=True):
    """A pipe table: its header, its group rows and its data rows."""

    header: tuple[str, ...]
    groups: tuple[TableGroup, ...]
    rows: tuple[TableRow, ...]
    src: SourceRef


Block = Paragraph | BulletList | Table


class Section(Struct, frozen=True):
    """A ``==`` heading (level 2), ``===`` (level 3) …, its blocks and its subsections."""

    title: str
    level: int
    blocks: tuple[Block, ...]
    subsections: tuple[Section, ...]
    src: SourceRef

    @property
    def tables(self) -> tuple[Table, ...]:
        """The tables directly in this section, not in its subsections."""
        return tuple(b for b in self.blocks if isinstance(b, Table))

    def walk(self) -> Iterator[Section]:
        """Yield this section and every section below it, in document order."""
        yield self
        for sub in self.subsections:
            yield from sub.walk()


class Article(Struct, frozen=True):
    """A parsed article: title, infobox, the lead before the first heading, and sections."""

    title: str
    infobox: tuple[InfoboxField, ...]
    lead: tuple[Block, ...]
    sections: tuple[Section, ...]
    src: SourceRef
    diagnostics: tuple[Diagnostic, ...] = ()  # lines that break the format, left out

    @property
    def path(self) -> str:
        """The article's file as shown to the user."""
        return self.src.path

    def walk(self) -> Iterator[Section]:
        """Yield every section of the article, in document order."""
        for section in self.sections:
            yield from section.walk()

    def find_section(self, title: str) -> Section | None:
        """Return the first section, at any depth, whose title is ``title``."""
        return next((s for s in self.walk() if s.title == title), None)

    def infobox_values(self, key: str) -> tuple[str, ...]:
        """Return every value of ``key`` in the infobox, in order (a key may repeat)."""
        return tuple(f.value for f in self.infobox if f.key == key)
