"""The W3C SHACL test suite (tests/data/w3c-shacl/) through ``kg validate``, with every engine.

Each test names a data graph and a shapes graph (often one file) and the report a SHACL
processor must give, or ``sht:Failure`` where it must refuse the shapes. ``kg validate`` runs
on them as a user runs it (``--shapes`` the test's shapes file, ``--report`` the W3C report),
and its report must say what the expected one says: ``sh:conforms``, the number of top-level
results, and each result's focus node, severity and constraint component, and its path,
shape and value where the suite gives them (a blank node matches any blank node; a complex
path, which our report does not write, matches none). The exit code must be 0 exactly when
the graph conforms. A refusal is one ``error:`` line and no report.

A known engine gap is ``xfail(strict=True)`` with its reason; where the engine refuses the
shapes (``error: … cannot check …``, EngineRefused), the mark accepts only that, so no gap
passes as a silently wrong report.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg_build.cli import cli
from kg_build.defaults import DEFAULT_ENGINE, ENGINES
from kg_build.rdf.rdffile import rdflib_graph, read_rdf
from tests.conftest import ROOT

SUITE = ROOT / "tests" / "data" / "w3c-shacl"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"


class EngineRefused(Exception):
    """``kg validate`` refused to run the engine on these shapes, saying why."""


@dataclass(frozen=True, slots=True)
class SuiteTest:
    """One sht:Validate entry: its files and the expected report (None: sht:Failure)."""

    name: str
    data: Path
    shapes: Path
    expected: Graph | None
    report: Node | None


def _graph(path: Path) -> Graph:
    return rdflib_graph(read_rdf(path, "turtle"))


def _included(manifest: Path) -> Iterator[Path]:
    """Yield the test files a manifest reaches through mf:include, depth first, in order."""
    graph = _graph(manifest)
    for included in sorted(graph.objects(None, URIRef(MF + "include")), key=str):
        path = Path(str(included).removeprefix("file://"))
        if path.name == "manifest.ttl":
            yield from _included(path)
        else:
            yield path


def _tests_of(path: Path) -> Iterator[SuiteTest]:
    graph = _graph(path)
    for entries in graph.objects(None, URIRef(MF + "entries")):
        for entry in Collection(graph, entries):
            if (entry, RDF.type, URIRef(SHT + "Validate")) not in graph:
                continue
            action = graph.value(entry, URIRef(MF + "action"))
            data = graph.value(action, URIRef(SHT + "dataGraph"))
            shapes = graph.value(action, URIRef(SHT + "shapesGraph"))
            result = graph.value(entry, URIRef(MF + "result"))
            name = path.relative_to(SUITE).with_suffix("").as_posix()
            yield SuiteTest(
                name,
                Path(str(data).removeprefix("file://")),
                Path(str(shapes).removeprefix("file://")),
                None if result == URIRef(SHT + "Failure") else graph,
                None if result == URIRef(SHT + "Failure") else result,
            )


def _files() -> list[Path]:
    """Return the test files: those the manifests reach, then any other (a proposed one)."""
    reached = list(_included(SUITE / "manifest.ttl"))
    others = [
        p
        for p in sorted(SUITE.rglob("*.ttl"))
        if p.name != "manifest.ttl" and not p.stem.endswith(("-data", "-shapes"))
    ]
    return reached + [p for p in others if p not in reached]


TESTS = [t for path in _files() for t in _tests_of(path)]
CORE = [t for t in TESTS if t.name.startswith("core/")]
SPARQL = [t for t in TESTS if t.name.startswith("sparql/")]


def test_the_suite_has_its_98_core_and_23_sparql_tests() -> None:
    assert (len(CORE), len(SPARQL)) == (98, 23)
    unlisted = [t.name for t in TESTS if t.name not in {u.name for u in _manifest_tests()}]
    assert unlisted == ["sparql/component/nodeValidator-001"]  # sht:proposed, in no manifest


def _manifest_tests() -> list[SuiteTest]:
    return [t for path in _included(SUITE / "manifest.ttl") for t in _tests_of(path)]


# ---------------------------------------------------------------- what a report says


def _key(graph: Graph, node: Node, term: URIRef) -> str:
    value = graph.value(node, term)
    if value is None or isinstance(value, BNode):
        return "" if value is None else "_:"
    return value.n3() if isinstance(value, Literal) else f"<{value}>"


def _results(graph: Graph, report: Node) -> list[tuple[str, ...]]:
    """Each top-level result as (focus, severity, component, path, shape, value)."""
    found = []
    for result in graph.objects(report, SH.result):
        found.append(
            (
                _key(graph, result, SH.focusNode),
                _key(graph, result, SH.resultSeverity),
                _key(graph, result, SH.sourceConstraintComponent),
                # A complex path is a blank node, which our report leaves out.
                ""
                if _key(graph, result, SH.resultPath) == "_:"
                else _key(graph, result, SH.resultPath),
                _key(graph, result, SH.sourceShape),
                _key(graph, result, SH.value),
            )
        )
    return sorted(found)


def _compared(
    expected: list[tuple[str, ...]], ours: list[tuple[str, ...]]
) -> list[tuple[str, ...]]:
    """Drop from ours what the suite does not give (an expected result without a value …)."""
    given = [tuple(bool(v) for v in e) for e in expected]
    if len(set(given)) == 1 and len(ours) == len(expected):
        mask = given[0]
        return sorted(tuple(v if m else "" for v, m in zip(o, mask, strict=True)) for o in ours)
    return ours


def _conforms(graph: Graph, report: Node) -> bool:
    value = graph.value(report, SH.conforms)
    assert isinstance(value, Literal)
    return str(value) == "true"


def _run(test: SuiteTest, engine: str, tmp_path: Path) -> None:
    target = tmp_path / "report.ttl"
    args = ["validate", str(test.data), "--shapes", str(test.shapes), "--validator", engine]
    outcome = CliRunner().invoke(cli, [*args, "--report", str(target)])
    err = outcome.stderr
    if not target.exists():  # nothing was validated: refused, or could not be read
        assert outcome.exit_code == 1 and len(err.splitlines()) == 1, err
        if test.expected is None:
            return  # sht:Failure: the shapes must be refused, and were
        if "cannot check" in err:
            raise EngineRefused(err.strip())
        pytest.fail(f"kg validate failed: {err.strip()}")
    assert test.expected is not None, f"accepted shapes that must be refused: {err}"
    assert test.report is not None
    ours = _graph(target)
    (report,) = ours.subjects(RDF.type, SH.ValidationReport)
    conforms = _conforms(test.expected, test.report)
    assert _conforms(ours, report) == conforms, err
    assert outcome.exit_code == (0 if conforms else 1), err
    expected = _results(test.expected, test.report)
    assert _compared(expected, _results(ours, report)) == expected, err


# ---------------------------------------------------------------- known gaps

# (engine, test): why. A refusal (the engine cannot check what the shapes ask) is the only
# failure these accept.
_COMPONENTS = "pyrudof ignores SPARQL-based constraint components (it passed bad data)"
_NESTED = (
    "pyrudof binds $this in the outermost group only: a FILTER of a nested group, UNION "
    "branch or subquery sees it unbound (it passed bad data)"
)
REFUSED: dict[tuple[str, str], str] = {
    ("pyrudof", "sparql/component/nodeValidator-001"): _COMPONENTS,
    ("pyrudof", "sparql/component/optional-001"): _COMPONENTS,
    ("pyrudof", "sparql/component/propertyValidator-select-001"): _COMPONENTS,
    ("pyrudof", "sparql/component/validator-001"): _COMPONENTS,
    ("pyrudof", "sparql/pre-binding/pre-binding-002"): _NESTED,
    ("pyrudof", "sparql/pre-binding/pre-binding-003"): _NESTED,
    ("pyrudof", "sparql/pre-binding/pre-binding-005"): _NESTED,
    ("pyrudof", "sparql/pre-binding/pre-binding-007"): _NESTED,
    ("pyrudof", "sparql/pre-binding/shapesGraph-001"): (
        "pyrudof binds neither $shapesGraph nor $currentShape (it passed bad data)"
    ),
    ("pyshacl", "sparql/pre-binding/shapesGraph-001"): (
        "pySHACL does not bind $shapesGraph (it raised NotImplementedError)"
    ),
}
# (engine, test): why, where the engine gives a wrong report we cannot refuse beforehand.
WRONG: dict[tuple[str, str], str] = {}


def _params(tests: list[SuiteTest]) -> list[Any]:
    params: list[Any] = []
    for engine in ENGINES:
        for test in tests:
            marks = []
            if (engine, test.name) in REFUSED:
                reason = REFUSED[engine, test.name]
                marks.append(pytest.mark.xfail(strict=True, raises=EngineRefused, reason=reason))
            elif (engine, test.name) in WRONG:
                marks.append(pytest.mark.xfail(strict=True, reason=WRONG[engine, test.name]))
            params.append(pytest.param(engine, test, id=f"{engine}-{test.name}", marks=marks))
    return params


@pytest.mark.parametrize(("engine", "test"), _params(CORE))
def test_core(engine: str, test: SuiteTest, tmp_path: Path) -> None:
    _run(test, engine, tmp_path)


@pytest.mark.parametrize(("engine", "test"), _params(SPARQL))
def test_sparql(engine: str, test: SuiteTest, tmp_path: Path) -> None:
    _run(test, engine, tmp_path)


def test_the_default_engine_has_no_known_gap_in_core() -> None:
    gaps = {name for engine, name in REFUSED | WRONG if engine == DEFAULT_ENGINE}
    assert not gaps & {t.name for t in CORE}
