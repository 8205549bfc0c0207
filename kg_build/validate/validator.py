"""SHACL validation: findings as sorted lines that point back to the article.

Three engines run the same shapes. pySHACL is the reference; the SHACL Engine (Rust, the
``shacl`` package) is the default because it is the fastest, about four times pyrudof (Rust)
and many times pySHACL. Tests hold both fast engines to pySHACL's results (severity, focus,
path, shape, constraint component) on every shape fixture and on whole builds, and every
engine to the W3C SHACL test suite. An engine refuses what it cannot check
(``kg_build/validate/limits.py``); its adapter, one module each behind one interface
(``kg_build/validate/engine.py``), turns its results into findings
(``kg_build/validate/findings.py``).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from kg_build.defaults import DEFAULT_ENGINE, ENGINES
from kg_build.errors import EngineLimit
from kg_build.validate.engine import DataGraph, load_engine
from kg_build.validate.findings import Finding, Sources, short, value_term
from kg_build.validate.limits import ENGINE_NAMES, ill_typed, refusal, unchecked_datatypes
from kg_build.validate.shapes import where_defined


class Validator:
    """The shapes, ready to validate many data graphs with one engine."""

    def __init__(
        self, shapes: Graph, engine: str = DEFAULT_ENGINE, source: Path | None = None
    ) -> None:
        """Ready the shapes; raise EngineLimit if the engine cannot check them.

        ``source`` is the shapes' folder or file, to name the line of a shape it refuses.
        """
        if engine not in ENGINES:
            raise ValueError(f"unknown SHACL engine {engine!r} (expected one of {tuple(ENGINES)})")
        _refuse_unsupported(shapes, engine, source)
        self.engine = engine
        self.shapes = shapes
        self._engine = load_engine(engine, shapes)
        self._unchecked = unchecked_datatypes(shapes, engine)  # see _refuse_missed
        # sh:targetNode names focus nodes whether the data has them or not (SHACL §2.1.3.1).
        self._targets_nodes = (None, SH.targetNode, None) in shapes

    def graph(self, data: Graph, where: str) -> list[Finding]:
        """Validate an rdflib graph; ``where`` names it for a focus node with no source line."""
        return self._validate(DataGraph(graph=data), where)

    def ntriples(self, nt: bytes, where: str) -> list[Finding]:
        """Validate a graph given as N-Triples (every literal as written)."""
        return self._validate(DataGraph(nt=nt), where)

    def _validate(self, data: DataGraph, where: str) -> list[Finding]:
        if not self._targets_nodes and data.is_empty():
            return []
        findings = self._engine.findings(data, where)
        if self._unchecked:
            self._refuse_missed(data, findings, where)
        return findings

    def _refuse_missed(self, data: DataGraph, findings: list[Finding], where: str) -> None:
        """Raise EngineLimit for an ill-typed literal that the engine may have let through.

        The engine does not check the lexical forms of some datatypes the shapes require
        (``self._unchecked``). A literal of one of them that is not of its lexical space and
        that no sh:datatype result names may be a violation the engine missed (or no shape's
        value at all): the report cannot be trusted, so there is none.
        """
        suspects = ill_typed(data.ntriples, self._unchecked)
        reported = {f.value for f in findings if f.component == "sh:DatatypeConstraintComponent"}
        missed = sorted(s for s in suspects if value_term(s[2]) not in reported)
        if not missed:
            return
        subject, predicate, literal = missed[0]  # the first in order: the same in every run
        file, line = Sources(data.triples()).locate(subject)
        lexical, datatype = literal.rsplit("^^", 1)
        datatype = short(datatype.strip("<>"))
        raise EngineLimit(
            file or where,
            line or None,
            f"{ENGINE_NAMES[self.engine]} cannot check {lexical}^^{datatype} of {subject} "
            f"{short(predicate)}: it does not check whether a literal is a valid {datatype}, "
            f"this one is not, and it reported nothing on it; no report is given",
        )


def _refuse_unsupported(shapes: Graph, engine: str, source: Path | None) -> None:
    """Raise EngineLimit, naming the shape and the feature, if the engine cannot check it."""
    found = refusal(shapes, engine)
    if found is None:
        return
    path, line = where_defined(source, found.node, found.query)
    able = [ENGINE_NAMES[e] for e in ENGINES if e != engine and refusal(shapes, e) is None]
    options = [e for e in ENGINES if ENGINE_NAMES[e] in able]
    instead = f" (--validator {' or '.join(options)} can)" if options else ""
    shape = short(found.node) if isinstance(found.node, URIRef) else "a blank-node shape"
    raise EngineLimit(
        path,
        line,
        f"{ENGINE_NAMES[engine]} cannot check {shape}: {found.feature}; "
        f"nothing was validated{instead}",
    )
