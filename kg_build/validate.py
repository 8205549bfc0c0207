"""SHACL validation: findings as sorted lines that point back to the article.

Three engines run the same shapes. pySHACL is the reference; the SHACL Engine (Rust, the
``shacl`` package) is the default because it is the fastest, about four times pyrudof (Rust)
and many times pySHACL. Tests hold both fast engines to pySHACL's results (severity, focus,
path, shape, constraint component) on every shape fixture and on whole builds.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, SH, XSD
from rdflib.term import Node

from kg_build.defaults import DEFAULT_ENGINE, ENGINES, PREFIXES
from kg_build.engines import ENGINE_NAMES, ill_typed, refusal, unchecked_datatypes
from kg_build.errors import EngineLimit, OntologyError, one_line
from kg_build.namespaces import TP
from kg_build.rdffile import RdfText, rdflib_graph
from kg_build.shapes import SHAPES_IRI, defined_at, imported, where_defined
from kg_build.shapes import load_shapes as load_shapes  # re-exported: where it lived

_RANGES: dict[str, tuple[URIRef, Callable[[Decimal, Decimal], bool]]] = {
    str(SH.MinInclusiveConstraintComponent): (SH.minInclusive, operator.ge),
    str(SH.MinExclusiveConstraintComponent): (SH.minExclusive, operator.gt),
    str(SH.MaxInclusiveConstraintComponent): (SH.maxInclusive, operator.le),
    str(SH.MaxExclusiveConstraintComponent): (SH.maxExclusive, operator.lt),
}
_QUOTED = re.compile(r'^"(.*)"(?:@[A-Za-z0-9-]+|\^\^\S+)?$', re.DOTALL)


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One SHACL result, with the article file and line of its focus node where known.

    ``where`` is that ``file:line``, or the name of what was validated when the graph does not
    say; ``file`` and ``line`` are the same place apart ("" and 0 when unknown). ``value`` is
    the result's sh:value in N-Triples form, the same for every engine ("" if it has none).
    """

    where: str
    focus: str
    path: str
    message: str
    shape: str
    severity: str
    component: str = ""
    value: str = ""
    file: str = ""
    line: int = 0

    def __str__(self) -> str:
        return f"{self.where}: {self.focus} {self.path}: {self.message} [{self.shape}]"

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What both engines must agree on (messages are each engine's own wording)."""
        return (self.severity, self.focus, self.path, self.shape, self.component)


# What an engine reports of a result: focus, path, message, shape, severity, component, value.
_Result = tuple[str, str, str, str, str, str, str]

SHARED_ENTITY = URIRef("https://w3id.org/team-pursuit/shapes#sharedEntity")
_TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


def split_shapes(shapes: Graph, folder: Path | None = None) -> tuple[Graph, Graph, frozenset[str]]:
    """Split shapes into those of an article's own resources and those of shared entities.

    Node shapes marked ``tps:sharedEntity true`` describe entities that many articles name
    alike (people, NOCs, Games …). Each part keeps every shape but only its own node shapes'
    targets, so it validates only its own focus nodes; the classes the shared shapes target
    come third. ``folder`` is where the shapes come from, for the line of an error.
    """
    shared = set(shapes.subjects(SHARED_ENTITY, Literal(True)))
    for shape in sorted(shared, key=str):
        _check_targeted_by_class(shapes, shape, folder)
    own_part, shared_part = Graph(), Graph()
    for triple in shapes:
        subject, predicate, _ = triple
        if predicate not in _TARGETS:
            own_part.add(triple)
            shared_part.add(triple)
        elif subject in shared:
            shared_part.add(triple)
        else:
            own_part.add(triple)
    classes = frozenset(str(c) for s in shared for c in shapes.objects(s, SH.targetClass))
    return own_part, shared_part, classes


def _check_targeted_by_class(shapes: Graph, shape: Node, folder: Path | None) -> None:
    # The streamed build finds shared entities by their class; any other target would leave
    # the shape's focus nodes unvalidated there.
    targets = sorted(shapes.qname(p) for p in _TARGETS if (shape, p, None) in shapes)
    if targets == ["sh:targetClass"]:
        return
    path, line = defined_at(folder, shape)
    raise OntologyError(
        path,
        line,
        f"shape {shapes.qname(URIRef(str(shape)))} is marked tps:sharedEntity true but is "
        f"targeted by {', '.join(targets) or 'nothing'}; it must be targeted by sh:targetClass "
        "alone, because the streamed build finds shared entities by their class",
    )


class Validator:
    """The shapes, ready to validate many data graphs with one engine."""

    def __init__(
        self, shapes: Graph, engine: str = DEFAULT_ENGINE, source: Path | None = None
    ) -> None:
        """Ready the shapes; raise EngineLimit if the engine cannot check them.

        ``source`` is the shapes' folder or file, to name the line of a shape it refuses.
        """
        if engine not in ENGINES:
            raise ValueError(f"unknown SHACL engine {engine!r} (expected one of {ENGINES})")
        _refuse_unsupported(shapes, engine, source)
        self.engine = engine
        self.shapes = shapes
        self._unchecked = unchecked_datatypes(shapes, engine)  # see _refuse_missed
        self._prepared: dict[Any, Any] = {}  # pySHACL: SHACL-SPARQL queries, parsed once
        self._pyshacl_shapes: Graph | None = None  # pySHACL: the shapes as it reads them
        self._rudof: Any = None
        self._rudof_shapes = b""  # the shapes pyrudof read, as N-Triples
        self._compiled: Any = None  # the SHACL Engine's compiled shapes
        # sh:targetNode names focus nodes whether the data has them or not (SHACL §2.1.3.1).
        self._targets_nodes = (None, SH.targetNode, None) in shapes

    def graph(self, data: Graph, where: str) -> list[Finding]:
        """Validate an rdflib graph; ``where`` names it for a focus node with no source line."""
        if self.engine == "pyshacl":
            findings = _pyshacl(data, self._shapes_for_pyshacl(), where, self._prepared)
            if self._unchecked:
                nt = data.serialize(format="nt", encoding="utf-8")
                self._refuse_missed(nt, findings, where, lambda: _triples_of(data))
            return findings
        nt = data.serialize(format="nt", encoding="utf-8")
        return self._fast(nt, where, lambda: _triples_of(data))

    def ntriples(self, nt: bytes, where: str) -> list[Finding]:
        """Validate a graph given as N-Triples (every literal as written)."""
        if self.engine == "pyshacl":
            data = rdflib_graph(RdfText(nt))
            findings = _pyshacl(data, self._shapes_for_pyshacl(), where, self._prepared)
            self._refuse_missed(nt, findings, where, lambda: _parsed(nt))
            return findings
        return self._fast(nt, where, lambda: _parsed(nt))

    def _refuse_missed(
        self,
        nt: bytes,
        findings: list[Finding],
        where: str,
        triples: Callable[[], Iterable[tuple[str, str, str]]],
    ) -> None:
        """Raise EngineLimit for an ill-typed literal that the engine may have let through.

        The engine does not check the lexical forms of some datatypes the shapes require
        (``self._unchecked``). A literal of one of them that is not of its lexical space and
        that no sh:datatype result names may be a violation the engine missed (or no shape's
        value at all): the report cannot be trusted, so there is none.
        """
        suspects = ill_typed(nt, self._unchecked) if self._unchecked else []
        reported = {f.value for f in findings if f.component == "sh:DatatypeConstraintComponent"}
        missed = sorted(s for s in suspects if value_term(s[2]) not in reported)
        if not missed:
            return
        subject, predicate, literal = missed[0]  # the first in order: the same in every run
        file, line = _Sources(triples()).locate(subject)
        lexical, datatype = literal.rsplit("^^", 1)
        datatype = _short(datatype.strip("<>"))
        raise EngineLimit(
            file or where,
            line or None,
            f"{ENGINE_NAMES[self.engine]} cannot check {lexical}^^{datatype} of {subject} "
            f"{_short(predicate)}: it does not check whether a literal is a valid {datatype}, "
            f"this one is not, and it reported nothing on it; no report is given",
        )

    def _shapes_for_pyshacl(self) -> Graph:
        if self._pyshacl_shapes is None:
            self._pyshacl_shapes = _pyshacl_shapes(self.shapes)
        return self._pyshacl_shapes

    def _fast(
        self, nt: bytes, where: str, triples: Callable[[], Iterable[tuple[str, str, str]]]
    ) -> list[Finding]:
        if not nt.strip() and not self._targets_nodes:
            return []
        with _engine_failure(self.engine, where):
            results = self._pyrudof(nt) if self.engine == "pyrudof" else self._shacl_engine(nt)
        findings = sorted(_Sources(triples()).finding(r, where) for r in results) if results else []
        self._refuse_missed(nt, findings, where, triples)
        return findings

    def _shacl_engine(self, nt: bytes) -> list[_Result]:
        import shacl  # imported here, as pyrudof is: only the engine in use is loaded

        if self._compiled is None:
            shapes = self.shapes.serialize(format="nt", encoding="utf-8").decode("utf-8")
            self._compiled = shacl.Shapes.from_text(shapes, format="nt")
        # Each call validates a fresh copy of the compiled shapes' store: nothing carries over.
        report = self._compiled.validate_text(nt.decode("utf-8"), format="nt")
        return [
            (
                focus_term(_term(r.focus_node)),
                _short(_term(r.path)) if r.path is not None else "-",
                r.message or _worded(self.shapes, r.component_iri, _term(r.source_shape), r.value),
                _short(_term(r.source_shape)),
                severity_name(_term(str(r.severity_iri))),
                _short(r.component_iri),
                value_term(r.value),
            )
            for r in report.results
        ]

    def _pyrudof(self, nt: bytes) -> list[_Result]:
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

    def _rudof_result(self, r: Any, nt: bytes) -> _Result:
        value = _nt(r.value, str(r.focus_node), r.path, nt, self._rudof_shapes)
        focus = str(r.focus_node)
        if not _IRI.match(focus) and not focus.startswith(('"', "_:")):  # a bare literal
            focus = _nt(focus, focus, None, nt, self._rudof_shapes) or focus
        return (
            focus_term(focus),
            _short(r.path) if r.path is not None else "-",
            _unquote(str(r.message))
            if r.message
            else _worded(self.shapes, str(r.constraint_component), str(r.source_shape), value),
            _short(r.source_shape),
            severity_name(str(r.severity)),
            _short(r.constraint_component),
            value_term(value),
        )

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
        value = _number(_unquote(str(result.value))) if str(result.value).startswith('"') else None
        limit = _number(str(bound)) if isinstance(bound, Literal) else None
        return value is not None and limit is not None and holds(value, limit)


@contextmanager
def _engine_failure(engine: str, where: str) -> Iterator[None]:
    """Turn an engine's own failure on a graph into one error line: nothing is validated.

    pySHACL raises TypeError comparing an ill-typed xsd:date with sh:lessThanOrEquals; an
    engine that fails says nothing of the graph, and must not pass for an internal error.
    """
    try:
        yield
    except (EngineLimit, KeyboardInterrupt):
        raise
    except Exception as e:
        raise EngineLimit(
            where,
            None,
            f"{ENGINE_NAMES[engine]} cannot check it: it failed "
            f"({type(e).__name__}: {one_line(str(e), 120)}); nothing was validated",
        ) from e


def _refuse_unsupported(shapes: Graph, engine: str, source: Path | None) -> None:
    """Raise EngineLimit, naming the shape and the feature, if the engine cannot check it."""
    found = refusal(shapes, engine)
    if found is None:
        return
    path, line = where_defined(source, found.node, found.query)
    able = [ENGINE_NAMES[e] for e in ENGINES if e != engine and refusal(shapes, e) is None]
    options = [e for e in ENGINES if ENGINE_NAMES[e] in able]
    instead = f" (--validator {' or '.join(options)} can)" if options else ""
    shape = _short(found.node) if isinstance(found.node, URIRef) else "a blank-node shape"
    raise EngineLimit(
        path,
        line,
        f"{ENGINE_NAMES[engine]} cannot check {shape}: {found.feature}; "
        f"nothing was validated{instead}",
    )


# ---------------------------------------------------------------- pySHACL, the reference


class _PreparedQueries(Graph):
    """A graph that parses each SPARQL text once.

    pySHACL sends a SHACL-SPARQL constraint's query text once per focus node, and rdflib
    parses and translates it every time: 85% of the validation time on the bundled
    articles. Results are unchanged; the cache lives as long as this graph.
    """

    def __init__(self, data: Graph, prepared: dict[Any, Any]) -> None:
        super().__init__()
        self._prepared = prepared
        for triple in data:
            self.add(triple)

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        from rdflib.plugins.sparql import prepareQuery

        if isinstance(query_object, str):
            namespaces = dict(kwargs.pop("initNs", None) or {})
            key = (query_object, tuple(sorted((k, str(v)) for k, v in namespaces.items())))
            if key not in self._prepared:
                self._prepared[key] = prepareQuery(query_object, initNs=namespaces)
            query_object = self._prepared[key]
        return super().query(query_object, *args, **kwargs)


def _pyshacl_shapes(shapes: Graph) -> Graph:
    """Return the shapes as pySHACL reads a shapes file itself, with the prefixes it misses.

    pySHACL reads a shapes file with only ``"true"`` as a true xsd:boolean (its rdflib patch),
    so that ``sh:uniqueLang "1"^^xsd:boolean`` switches nothing on (SHACL §4.4.4 names only
    true); handed a graph, it takes the booleans as rdflib read them. And it takes a query's
    prefixes from ``sh:prefixes/sh:declare``, not through ``owl:imports`` as §5.2.1 says
    (``sh:prefixes/owl:imports*/sh:declare``): each sh:prefixes value gets the declarations
    it imports.
    """
    from pyshacl.monkey import rdflib_bool_patch, rdflib_bool_unpatch

    text = shapes.serialize(format="nt", encoding="utf-8")
    rdflib_bool_patch()  # type: ignore[no-untyped-call]
    try:
        copy = Graph(bind_namespaces="none").parse(data=text, format="nt")
    finally:
        rdflib_bool_unpatch()  # type: ignore[no-untyped-call]
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace)
    for node in sorted(set(copy.objects(None, SH.prefixes)), key=str):
        sources = imported(copy, node)[1:]  # [0] is the node itself
        for declaration in [d for source in sources for d in copy.objects(source, SH.declare)]:
            copy.add((node, SH.declare, declaration))
    return copy


def _pyshacl(data: Graph, shapes: Graph, where: str, prepared: dict[Any, Any]) -> list[Finding]:
    from pyshacl import validate as shacl_validate  # a large import, for the reference only

    # inplace: pySHACL validates our copy as it is, with no inference to add to it.
    with _engine_failure("pyshacl", where):
        _, report, _ = shacl_validate(
            _PreparedQueries(data, prepared),
            shacl_graph=shapes,
            inference="none",
            allow_warnings=True,
            abort_on_first=False,
            inplace=True,
        )
    assert isinstance(report, Graph)
    # The report's own results: those nested in another's sh:detail (pySHACL nests the
    # results of an sh:node shape so) are not results of the data graph (SHACL §3.6.2).
    results = list(report.objects(None, SH.result))
    if not results:
        return []
    sources = _Sources(_triples_of(data))
    return sorted(_finding(sources, report, result, where, shapes) for result in results)


def _finding(sources: _Sources, report: Graph, result: Node, where: str, shapes: Graph) -> Finding:
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    severity = report.value(result, SH.resultSeverity)
    shape = str(report.value(result, SH.sourceShape))
    component = str(report.value(result, SH.sourceConstraintComponent))
    message = str(report.value(result, SH.resultMessage) or "")
    value = report.value(result, SH.value)
    text = value.n3() if value is not None else None
    if not message:
        message = _worded(shapes, component, shape, text)
    found = (
        str(focus) if isinstance(focus, URIRef) else focus_term(focus.n3() if focus else ""),
        _short(path) if path is not None else "-",
        message,
        _short(shape),
        severity_name(str(severity)),
        _short(component),
        value_term(text),
    )
    return sources.finding(found, where)


# ---------------------------------------------------------------- pyrudof's results


class _Sources:
    """tp:sourceLine and the article's tp:sourceFile of each subject, from plain triples."""

    def __init__(self, triples: Iterable[tuple[str, str, str]]) -> None:
        wanted = {str(TP.sourceLine), str(PROV.wasDerivedFrom), str(TP.sourceFile)}
        self.values: dict[tuple[str, str], str] = {(s, p): o for s, p, o in triples if p in wanted}

    def locate(self, focus: str) -> tuple[str, int]:
        """Return the article file and line of the focus node ("" and 0 when unknown)."""
        line = self.values.get((focus, str(TP.sourceLine)))
        article = self.values.get((focus, str(PROV.wasDerivedFrom)))
        file = self.values.get((article, str(TP.sourceFile))) if article else None
        if file is None or line is None or not line.isdigit():
            return "", 0
        return file, int(line)

    def finding(self, result: _Result, default: str) -> Finding:
        """Return an engine's result as a finding placed in the article."""
        file, line = self.locate(result[0])
        return Finding(f"{file}:{line}" if file else default, *result, file=file, line=line)


def _triples_of(data: Graph) -> Iterable[tuple[str, str, str]]:
    return ((str(s), str(p), str(o)) for s, p, o in data)


def _parsed(nt: bytes) -> Iterable[tuple[str, str, str]]:
    for t in ox.parse(nt, ox.RdfFormat.N_TRIPLES):
        obj = t.object.value if isinstance(t.object, ox.NamedNode | ox.Literal) else str(t.object)
        yield (
            t.subject.value if isinstance(t.subject, ox.NamedNode) else str(t.subject),
            (t.predicate.value),
            obj,
        )


def _worded(shapes: Graph, component: str, shape: str, value: str | None) -> str:
    """Word a result whose shape has no sh:message (engines leave it empty, or crash on it).

    A core constraint is named with its parameter (``sh:datatype xsd:integer``), a SPARQL
    constraint by its IRI when the shape has just one (a result does not say which of several).
    """
    name = component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    by = f" by {value}" if value else ""
    if name == "SPARQL":
        constraints = list(shapes.objects(URIRef(shape), SH.sparql))
        one = constraints[0] if len(constraints) == 1 else None
        said = f"SPARQL constraint {_short(one)}" if isinstance(one, URIRef) else "sh:sparql"
        return f"{said} not satisfied{by}"
    parameter = name[:1].lower() + name[1:]
    # Not SH[parameter]: rdflib's SH is closed, and a constraint component may be anyone's.
    bound = shapes.value(URIRef(shape), URIRef(f"{SH}{parameter}"))
    said = f"sh:{parameter}"
    if isinstance(bound, URIRef | Literal):  # not a list (sh:in) or a nested shape
        said += f" {_short(bound)}"
    return f"{said} not satisfied{by}"


def _term(text: str) -> str:
    """Return an IRI the SHACL Engine gives in N-Triples form (``<iri>``) as the IRI alone."""
    return text[1:-1] if text.startswith("<") and text.endswith(">") else text


_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


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
    if _IRI.match(text):
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


def _number(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _unquote(text: str) -> str:
    """Return the text of a message pyrudof gives as a literal in Turtle form."""
    match = _QUOTED.match(text)
    if match is None:
        return text
    return match.group(1).replace('\\"', '"').replace("\\\\", "\\")


_SHORT = (
    ("tp:", str(TP)),
    ("tps:", SHAPES_IRI),
    ("sh:", str(SH)),
    ("xsd:", str(XSD)),
)


def _short(term: object) -> str:
    text = str(term)
    for prefix, base in _SHORT:
        if text.startswith(base):
            return prefix + text.removeprefix(base)
    return text


def full_iri(text: str) -> str:
    """Return a name a finding gives in short form (``tp:finishTime``) as the full IRI."""
    for prefix, base in _SHORT:
        if text.startswith(prefix):
            return base + text.removeprefix(prefix)
    return text


_TYPED = re.compile(r'^(".*")\^\^(?:<([^>]*)>|([A-Za-z][\w-]*):(\S*))$', re.DOTALL)


def severity_name(iri: str) -> str:
    """Return sh:Violation, sh:Warning, sh:Info by their local names, another severity whole.

    SHACL §2.1.5: any IRI may be a severity; a result of one of ours does not conform either.
    """
    text = iri.removeprefix("sh:")
    if text.startswith("Severity(") and text.endswith(")"):  # pyrudof's form of another IRI
        text = text.removeprefix("Severity(").removesuffix(")")
    return text.removeprefix(str(SH)) if text.startswith(str(SH)) or ":" not in text else text


def focus_term(text: str) -> str:
    """Return a focus node as findings give it: an IRI bare, anything else in N-Triples form.

    A literal is a focus node when a shape targets it (``sh:targetNode "x"``): each engine
    writes it its own way, as it does a value.
    """
    return value_term(text) if text.startswith(('"', "'")) else text


def value_term(text: str | None) -> str:
    """Return a result's value, as an engine gives it, in one N-Triples form for all engines.

    pyrudof writes a datatype as a prefixed name (``"1.5"^^xsd:decimal``); the SHACL Engine and
    pySHACL as an IRI. A string's xsd:string is left implicit (RDF 1.1: the same literal).
    """
    if not text:
        return ""
    match = _TYPED.match(text)
    if match is None:
        return text
    lexical, iri, prefix, local = match.groups()
    if iri is None:
        iri = PREFIXES.get(prefix, f"{prefix}:") + local
    return lexical if iri == str(XSD.string) else f"{lexical}^^<{iri}>"
