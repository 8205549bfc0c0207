"""The W3C SHACL validation report of ``kg validate --report`` and ``kg build --report``.

It lists exactly what the command printed, reads as a report in pySHACL's own W3C test-suite
comparison, is the same for every engine but for the wording of messages, and the same bytes
in every run.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyshacl import validate
from pyshacl.validator_conformance import compare_validation_reports
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg_build.cli import cli
from kg_build.defaults import ENGINES
from kg_build.rdf.ontology import load_ontology, vocabulary
from kg_build.validate import Validator, load_shapes
from kg_build.validate.report import FOCUS_SOURCE_FILE, FOCUS_SOURCE_LINE, report_graph
from tests.conftest import ROOT, shapes_with

FIXTURES = ROOT / "tests" / "data" / "shapes"
SHAPES = load_shapes(ROOT / "shapes", vocabulary(load_ontology(ROOT / "ontology" / "tp.ttl")))
SHORT = {
    "https://w3id.org/team-pursuit/ontology#": "tp:",
    "https://w3id.org/team-pursuit/shapes#": "tps:",
    str(SH): "sh:",
    "http://www.w3.org/2001/XMLSchema#": "xsd:",
}


def _kg(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr


def _short(node: Node | None) -> str:
    text = str(node)
    for base, prefix in SHORT.items():
        if text.startswith(base):
            return prefix + text.removeprefix(base)
    return text


def _printed(report: Graph, default: str) -> list[str]:
    """Write each result of a report as the command prints it."""
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    lines = []
    for result in report.objects(node, SH.result):
        file = report.value(result, FOCUS_SOURCE_FILE)
        line = report.value(result, FOCUS_SOURCE_LINE)
        where = f"{file}:{line}" if file is not None else default
        path = report.value(result, SH.resultPath)
        said = (
            f"{where}: {report.value(result, SH.focusNode)} "
            f"{_short(path) if path is not None else '-'}: "
            f"{report.value(result, SH.resultMessage)} [{_short(report.value(result, SH.sourceShape))}]"
        )
        severity = report.value(result, SH.resultSeverity)
        lines.append(said if severity == SH.Violation else f"warning: {said}")
    return sorted(lines)


def _conforms(report: Graph) -> bool:
    (value,) = report.objects(None, SH.conforms)
    assert isinstance(value, Literal)
    return bool(value.toPython())


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("fixture", "options", "code"),
    [
        ("ResultShape.violating.ttl", [], 1),
        ("EventStatedCountsShape.violating.ttl", [], 1),
        ("EventStatedCountsShape.violating.ttl", ["--allow-warnings"], 0),
    ],
    ids=["violations", "warnings-only", "warnings-allowed"],
)
def test_validate_report_lists_what_the_command_printed(
    tmp_path: Path, engine: str, fixture: str, options: list[str], code: int, in_root: Path
) -> None:
    target = tmp_path / "report.ttl"
    shown = f"tests/data/shapes/{fixture}"
    exit_code, err = _kg(
        "validate", shown, "--report", str(target), "--validator", engine, *options
    )
    assert exit_code == code
    printed = sorted(ln for ln in err.splitlines() if not ln.startswith(("error:", shown + ": c")))
    report = Graph().parse(target)
    assert not _conforms(report)  # any result, a warning too, means it does not conform
    assert printed and _printed(report, shown) == printed


def test_a_conforming_graph_gives_a_conforming_report(tmp_path: Path, in_root: Path) -> None:
    target = tmp_path / "report.ttl"
    code, _ = _kg(
        "validate", "tests/data/shapes/RoundShape.conforming.ttl", "--report", str(target)
    )
    report = Graph().parse(target)
    assert code == 0 and _conforms(report) and not list(report.objects(None, SH.result))


def _plain(graph: Graph) -> Graph:
    # pySHACL's comparison writes paths with the graph's prefixes: compare both without any.
    plain = Graph(bind_namespaces="none")
    plain += graph
    return plain


@pytest.mark.parametrize("engine", ENGINES)
def test_pyshacl_reads_the_report_as_the_one_it_writes(engine: str) -> None:
    # pySHACL's W3C test-suite comparison: the same results (focus node, value, path) and the
    # same sh:conforms, apart from the wording of messages and the optional sh:sourceConstraint.
    validator = Validator(SHAPES, engine)
    for path in sorted(FIXTURES.glob("*.ttl")):
        data = Graph().parse(path)
        _, expected, _ = validate(data, shacl_graph=SHAPES, inference="none")
        assert isinstance(expected, Graph)
        expected.remove((None, SH.resultMessage, None))
        expected.remove((None, SH.sourceConstraint, None))
        (node,) = expected.subjects(RDF.type, SH.ValidationReport)
        if engine == "pyrudof":  # it runs no property shape on a literal focus (test_validate)
            for result in list(expected.subjects(SH.resultPath, None)):
                if isinstance(expected.value(result, SH.focusNode), Literal):
                    expected.remove((node, SH.result, result))
                    expected.remove((result, None, None))
        ours = _plain(report_graph(validator.graph(data, path.name)))
        assert compare_validation_reports(ours, _plain(expected), node, logging.getLogger(__name__))


def test_results_nested_in_sh_detail_are_not_results() -> None:
    # pySHACL nests the results of an sh:node shape under sh:detail; other engines give none.
    shapes = Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<https://e.org/S> a sh:NodeShape ; sh:targetClass <https://e.org/C> ;\n"
        "  sh:property <https://e.org/S-p> .\n"
        "<https://e.org/S-p> sh:path <https://e.org/p> ; sh:node <https://e.org/N> .\n"
        "<https://e.org/N> a sh:NodeShape ; sh:property <https://e.org/N-q> .\n"
        "<https://e.org/N-q> sh:path <https://e.org/q> ; sh:minCount 1 .\n",
        format="turtle",
    )
    data = Graph().parse(
        data="<https://e.org/x> a <https://e.org/C> ; <https://e.org/p> <https://e.org/y> .",
        format="turtle",
    )
    for engine in ENGINES:
        report = report_graph(Validator(shapes, engine).graph(data, "x"))
        assert [(str(r), _short(s)) for r, s in report.subject_objects(SH.sourceShape)] == [
            (str(next(report.objects(None, SH.result))), "https://e.org/S-p")
        ], engine


def test_the_report_is_the_same_bytes_in_every_run(tmp_path: Path) -> None:
    kg = Path(sys.executable).parent / "kg"
    fixture = "tests/data/shapes/MedalAwardShape.violating.ttl"
    reports = []
    for seed in ("1", "2"):
        target = tmp_path / f"report-{seed}.ttl"
        subprocess.run(
            [str(kg), "validate", fixture, "--report", str(target)],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            check=False,
        )
        reports.append(target.read_bytes())
    assert reports[0] == reports[1] and b"sh:ValidationReport" in reports[0]


def test_a_failed_build_writes_its_report_and_nothing_else(tmp_path: Path, in_root: Path) -> None:
    shapes = shapes_with(
        tmp_path / "shapes",
        "<https://example.org/strict> a sh:NodeShape ; sh:targetClass tp:Result ;\n"
        "  sh:property <https://example.org/strict-time> .\n"
        "<https://example.org/strict-time> sh:path tp:finishTime ; sh:minCount 1 .\n",
    )
    target, output = tmp_path / "report.ttl", tmp_path / "g.ttl"
    code, err = _kg("build", "--shapes", str(shapes), "-o", str(output), "--report", str(target))
    assert code == 1 and not output.exists()
    report = Graph().parse(target)
    assert not _conforms(report)
    printed = sorted(ln for ln in err.splitlines() if ln.startswith(("sources/", "warning: ")))
    # three violations; the cycling article's two competitor counts; the skating semifinals' days
    assert len(printed) == 5
    assert _printed(report, "graph") == printed
    sources = sorted(
        (str(report.value(r, FOCUS_SOURCE_FILE)), str(report.value(r, FOCUS_SOURCE_LINE)))
        for r in report.objects(None, SH.result)
    )
    assert sources[0] == ("sources/cycling-2020-mens-team-pursuit.txt", "1")


def test_a_passing_build_reports_its_warnings(tmp_path: Path, in_root: Path) -> None:
    target = tmp_path / "report.ttl"
    code, err = _kg("build", "-o", str(tmp_path / "g.ttl"), "--report", str(target))
    report = Graph().parse(target)
    shapes = ("[tps:EventStatedCountsShape]", "[tps:RoundStatedDatesShape]")
    warnings = [ln for ln in err.splitlines() if ln.endswith(shapes)]
    assert len(warnings) == 2
    assert code == 0 and not _conforms(report)
    assert _printed(report, "graph") == warnings


def test_report_with_stream_is_a_usage_error(tmp_path: Path) -> None:
    code, err = _kg(
        "build", "--stream", "-o", str(tmp_path / "g.nt"), "--report", str(tmp_path / "r.ttl")
    )
    assert code == 2 and "--report is not available with --stream" in err
