"""pyrudof's adapter: its results in the findings' form, and two habits of pyrudof 0.3 handled."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from kg_build.validate.engine import DataGraph, placed
from kg_build.validate.findings import (
    IRI,
    Finding,
    Result,
    focus_term,
    number,
    severity_name,
    short,
    unquote,
    value_term,
    worded,
)
from kg_build.validate.limits import engine_failure

_RANGES: dict[str, tuple[URIRef, Callable[[Decimal, Decimal], bool]]] = {
    str(SH.MinInclusiveConstraintComponent): (SH.minInclusive, operator.ge),
    str(SH.MinExclusiveConstraintComponent): (SH.minExclusive, operator.gt),
    str(SH.MaxInclusiveConstraintComponent): (SH.maxInclusive, operator.le),
    str(SH.MaxExclusiveConstraintComponent): (SH.maxExclusive, operator.lt),
}


class Engine:
    """The shapes read by pyrudof once, ready to validate many graphs."""

    def __init__(self, shapes: Graph) -> None:
        """Keep the shapes; pyrudof reads them when first used."""
        self.shapes = shapes
        self._rudof: Any = None
        self._rudof_shapes = b""  # the shapes pyrudof read, as N-Triples

    def findings(self, data: DataGraph, where: str) -> list[Finding]:
        """Validate a graph as N-Triples; return its results as findings."""
        with engine_failure("pyrudof", where):
            results = self._pyrudof(data.ntriples)
        return placed(results, data, where)

    def _pyrudof(self, nt: bytes) -> list[Result]:
        import pyrudof  # imported here: a pySHACL run should not pay for it, and vice versa

        if self._rudof is None:
            self._rudof = pyrudof.Rudof(pyrudof.RudofConfig())
            self._rudof_shapes = self.shapes.serialize(format="nt", encoding="utf-8")
            self._rudof.read_shacl(
                self._rudof_shapes.decode("utf-8"), format=pyrudof.ShaclFormat.NTriples
            )
            self._rudof.read_data("# no triples\n", format=pyrudof.RDFFormat.NTriples)
        # Each graph is read into a staging frame and rolled back after: clearing the data
        # (read_data(merge=False), reset_data) costs ~45 ms a call, the rollback 0.2 ms.
        self._rudof.begin_staging()
        try:
            data = nt.decode("utf-8") or "# no triples\n"  # pyrudof refuses an empty input
            self._rudof.read_data(data, format=pyrudof.RDFFormat.NTriples)
            results = list(self._rudof.validate_shacl().violations)
        finally:
            self._rudof.rollback_staging()
        return [self._rudof_result(r, nt) for r in results if not self._false_range_result(r)]

    def _rudof_result(self, r: Any, nt: bytes) -> Result:
        value = _nt(r.value, str(r.focus_node), r.path, nt, self._rudof_shapes)
        focus = str(r.focus_node)
        if not IRI.match(focus) and not focus.startswith(('"', "_:")):  # a bare literal
            focus = _nt(focus, focus, None, nt, self._rudof_shapes) or focus
        return (
            focus_term(focus),
            short(r.path) if r.path is not None else "-",
            self._message(r, value),
            short(r.source_shape),
            severity_name(str(r.severity)),
            short(r.constraint_component),
            value_term(value),
        )

    def _message(self, r: Any, value: str | None) -> str:
        """Return a result's message: the shape's sh:message, else pyrudof's, else worded.

        pyrudof words the results of core constraints its own way ("OR not satisfied"),
        even where the shape gives an sh:message, which SHACL reports instead (§2.1.5).
        """
        component, shape = str(r.constraint_component), str(r.source_shape)
        declared = self.shapes.value(URIRef(shape), SH.message)
        if isinstance(declared, Literal) and not component.endswith("#SPARQLConstraintComponent"):
            return str(declared)
        if r.message:
            return unquote(str(r.message))
        return worded(self.shapes, component, shape, value)

    def _false_range_result(self, result: Any) -> bool:
        """Tell a range result pyrudof 0.3 reports wrongly: a number compared across types.

        It fails ``"10.5"^^xsd:decimal >= "1"^^xsd:positiveInteger`` whenever the datatypes
        differ; SHACL compares numbers as numbers (SPARQL's ``>=``), and so does pySHACL.
        """
        compare = _RANGES.get(str(result.constraint_component))
        if compare is None or result.value is None:
            return False
        parameter, holds = compare
        bound = self.shapes.value(URIRef(str(result.source_shape)), parameter)
        value = number(unquote(str(result.value))) if str(result.value).startswith('"') else None
        limit = number(str(bound)) if isinstance(bound, Literal) else None
        return value is not None and limit is not None and holds(value, limit)


def _nt(value: object, focus: str, path: object, nt: bytes, shapes: bytes) -> str | None:
    """Return a value pyrudof gives (a quoted literal, or a bare IRI) in N-Triples form.

    A date, time or boolean comes bare, without its quotes and datatype: it is read back from
    the data's line that gives the focus node that value, else from the one form of it that
    the data or the shapes write (a focus node that sh:targetNode names).
    """
    if value is None:
        return None
    text = str(value)
    if text.startswith(('"', "_:", "<")):
        return text
    if IRI.match(text):
        return f"<{text}>"
    start = f'<{focus}> <{path}> "{text}"'.encode()
    line = (
        None if path is None else next((ln for ln in nt.splitlines() if ln.startswith(start)), None)
    )
    if line is None:
        forms = {m[0] for source in (nt, shapes) for m in _bare(text).finditer(source)}
        return forms.pop().decode("utf-8") if len(forms) == 1 else f'"{text}"'
    return line.split(b" ", 2)[2].decode("utf-8").removesuffix(" .").rstrip()


def _bare(text: str) -> re.Pattern[bytes]:
    return re.compile(rb'"' + re.escape(text.encode("utf-8")) + rb'"\^\^<[^>]*>')
