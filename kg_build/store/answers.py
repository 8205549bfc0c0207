"""A query's answer written by pyoxigraph's own writers, stopped once it has too many rows.

The writers read the solutions as they are evaluated and write 8 KB at a time, so the rows
are counted in what they write, exactly, whatever the values hold: a TSV row is one line
(newlines in literals are escaped); a CSV row ends at a line break outside quotes; an XML row
is one ``<result>`` element (``<`` in values is escaped); a JSON row opens with ``{`` after
``[`` or ``,`` outside strings. Past the cap the sink stops the writer, so a query that would
answer millions of rows costs what its first rows cost.
"""

from __future__ import annotations

import itertools
import re
from typing import IO, Literal, cast

import pyoxigraph as ox

from kg_build.defaults import PREFIXES

RESULTS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPHS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
# A row never starts inside a string: in JSON a quote inside a string is written \".
_JSON_SAFE_CUT = b',{"'
Kind = Literal["select", "ask", "graph"]


class TooManyRows(Exception):
    """The answer has more rows than the cap; ``rows`` is how many were counted (cap + 1)."""

    def __init__(self, rows: int) -> None:
        super().__init__(rows)
        self.rows = rows


class _RowCounter:
    """Count the rows in a writer's output, chunk by chunk."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.rows = 0
        self.header = fmt in ("csv", "tsv")  # the first line names the variables
        self.quoted = False  # CSV: inside a quoted field
        self.tail = b""  # XML: the last bytes, for a tag split over two chunks
        self.pending = bytearray()  # JSON: bytes not yet counted (a row may be cut)

    def feed(self, chunk: bytes) -> None:
        """Count the rows that ``chunk`` completes or starts."""
        if self.fmt == "tsv":
            self.rows += chunk.count(b"\n")
        elif self.fmt == "csv":
            self._feed_csv(chunk)
        elif self.fmt == "xml":
            self.rows += (self.tail + chunk).count(b"<result>")
            self.tail = (self.tail + chunk)[-7:]
        else:
            self.pending += chunk
            cut = self.pending.rfind(_JSON_SAFE_CUT)
            if cut > 0:
                self.rows += _json_rows(bytes(self.pending[:cut]))
                del self.pending[:cut]

    def _feed_csv(self, chunk: bytes) -> None:
        for i, part in enumerate(chunk.split(b'"')):
            if i:
                self.quoted = not self.quoted
            if not self.quoted:
                self.rows += part.count(b"\n")

    def total(self) -> int:
        """Return the rows of the whole output (call after the last chunk)."""
        if self.fmt == "json":
            self.rows += _json_rows(bytes(self.pending))
            self.pending.clear()
        return self.rows - 1 if self.header and self.rows else self.rows


def _json_rows(data: bytes) -> int:
    structure = _JSON_STRING.sub(b'""', data)
    return structure.count(b"[{") + structure.count(b",{")


class _CappedSink:
    """A file-like object for a writer: keeps the bytes, stops past ``cap`` rows."""

    def __init__(self, fmt: str, cap: int) -> None:
        self.counter = _RowCounter(fmt)
        self.cap = cap
        self.parts: list[bytes] = []
        self.over = False

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.counter.feed(chunk)
        if self.counter.rows - (1 if self.counter.header else 0) > self.cap:
            self.over = True
            raise TooManyRows(self.cap + 1)
        return len(chunk)

    def flush(self) -> None:
        """Nothing to flush: the bytes are kept."""


def write_capped(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, fmt: str, cap: int
) -> tuple[Kind, bytes]:
    """Write a result in ``fmt`` (a results format, or an RDF format for graphs).

    Raises TooManyRows past ``cap`` rows or triples.
    """
    if isinstance(result, ox.QueryBoolean):
        if fmt in ("csv", "tsv"):
            return "ask", b"true\n" if result else b"false\n"
        return "ask", result.serialize(format=RESULTS[fmt]) or b""
    if isinstance(result, ox.QueryTriples):
        triples = list(itertools.islice(result, cap + 1))
        if len(triples) > cap:
            raise TooManyRows(cap + 1)
        triples.sort(key=str)  # the same graph serializes the same way
        return "graph", ox.serialize(triples, format=GRAPHS[fmt], prefixes=PREFIXES) or b""
    sink = _CappedSink(fmt, cap)
    try:
        result.serialize(cast("IO[bytes]", sink), RESULTS[fmt])
    except Exception:
        if sink.over:  # the writer reports our stop in its own way; the count is ours
            raise TooManyRows(cap + 1) from None
        raise
    if sink.counter.total() > cap:
        raise TooManyRows(cap + 1)
    return "select", b"".join(sink.parts)
