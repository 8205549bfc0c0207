"""kg validate reads every RDF format, validates the union of its graphs, as written.

Regression tests of issue 18: a TriG file was read as 0 triples (any TriG graph conformed),
an N-Quads file as Turtle (a parse error, exit 1 like a violation), and rdflib rewrote
``"yes"^^xsd:boolean`` to ``"false"`` before the engines saw it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg_build.cli import cli
from kg_build.defaults import ENGINES
from tests.conftest import CYCLING, ROOT

FIXTURE = ROOT / "tests" / "data" / "shapes" / "ResultShape.violating.ttl"
FORMATS = {
    "turtle": (".ttl", ox.RdfFormat.TURTLE),
    "nt": (".nt", ox.RdfFormat.N_TRIPLES),
    "nquads": (".nq", ox.RdfFormat.N_QUADS),
    "trig": (".trig", ox.RdfFormat.TRIG),
    "jsonld": (".jsonld", ox.RdfFormat.JSON_LD),
}


def _kg(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr


def _write(target: Path, quads: list[ox.Quad], fmt: str) -> Path:
    rdf_format = FORMATS[fmt][1]
    if not rdf_format.supports_datasets:
        quads = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    target.write_bytes(ox.serialize(quads, format=rdf_format) or b"")
    return target


def _spread(path: Path) -> list[ox.Quad]:
    """Return the fixture's triples, each subject's in a named graph of its own.

    A shape then needs the union: a result's rdf:type and its properties are in one graph,
    the races and rounds it points to (their classes, for sh:class) in others.
    """
    quads = []
    for triple in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
        subject = triple.subject
        graph = (
            ox.NamedNode(f"{subject.value}#graph") if isinstance(subject, ox.NamedNode) else None
        )
        quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
    return quads


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_issue_18_every_format_is_validated_as_the_union_of_its_graphs(
    fmt: str, tmp_path: Path
) -> None:
    expected_code, expected = _kg("validate", str(FIXTURE))
    assert expected_code == 1 and "SHACL violations" in expected
    target = _write(tmp_path / f"graph{FORMATS[fmt][0]}", _spread(FIXTURE), fmt)
    code, err = _kg("validate", str(target))
    assert code == 1
    assert err.replace(str(target), "FILE") == expected.replace(str(FIXTURE), "FILE")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_issue_18_format_given_wins_over_the_suffix(fmt: str, tmp_path: Path) -> None:
    target = _write(tmp_path / "graph.txt", _spread(FIXTURE), fmt)
    code, err = _kg("validate", str(target), "--format", fmt)
    assert code == 1 and err.endswith(f"error: {target}: 7 SHACL violations\n"), err


def test_a_suffix_that_names_no_format_is_read_as_turtle_saying_so(tmp_path: Path) -> None:
    target = tmp_path / "graph.data"
    target.write_bytes(FIXTURE.read_bytes())
    code, err = _kg("validate", str(target))
    assert code == 1
    assert err.splitlines()[0] == (
        f"warning: {target}: the suffix .data names no format; reading turtle "
        "(suffixes: .json .jsonld .nq .nt .trig .ttl; or give --format)"
    )


BROKEN = {
    "turtle": ("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;\n  ex:d .\n", 3, 8),
    "nt": ("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\nx\n", 2, 1),
    "nquads": (
        "<http://example.org/a> <http://example.org/b> <c> <http://example.org/g> .\n",
        1,
        47,
    ),
    "trig": (
        "<http://example.org/g> {\n  <http://example.org/a> <http://example.org/b> .\n}\n",
        2,
        49,
    ),
    "jsonld": ('{"@id": "http://example.org/a",\n "http://example.org/b": [1,]}\n', 2, 29),
}


@pytest.mark.parametrize("fmt", sorted(BROKEN))
def test_issue_18_a_file_that_cannot_be_read_is_not_a_violation(fmt: str, tmp_path: Path) -> None:
    text, line, column = BROKEN[fmt]
    target = tmp_path / f"broken{FORMATS[fmt][0]}"
    target.write_text(text, encoding="utf-8")
    report = tmp_path / "report.ttl"
    code, err = _kg("validate", str(target), "--report", str(report))
    assert code == 1
    (said,) = err.splitlines()  # one line: no result lines, no "SHACL violations"
    name = {"turtle": "Turtle", "nt": "N-Triples", "nquads": "N-Quads", "trig": "TriG"}
    assert said.startswith(
        f"error: {target}:{line}:{column}: not valid {name.get(fmt, 'JSON-LD')} ("
    )
    assert not report.exists()  # nothing was validated, so there is no report


SHAPES = """\
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:FlagShape a sh:NodeShape ;
    sh:targetSubjectsOf ex:flag ;
    sh:property ex:FlagShape-flag, ex:FlagShape-code .
ex:FlagShape-flag a sh:PropertyShape ; sh:path ex:flag ; sh:datatype xsd:boolean .
ex:FlagShape-code a sh:PropertyShape ; sh:path ex:code ; sh:pattern "^[1-9]" .
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_issue_18_a_literal_reaches_the_engine_as_written(engine: str, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "flag.ttl").write_text(SHAPES, encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text(
        "@prefix ex: <http://example.org/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'ex:a ex:flag "yes"^^xsd:boolean ; ex:code "007"^^xsd:integer .\n'  # rdflib: false, 7
        'ex:b ex:flag "1"^^xsd:boolean ; ex:code "7"^^xsd:integer .\n',
        encoding="utf-8",
    )
    code, err = _kg("validate", str(data), "--shapes", str(shapes), "--validator", engine)
    assert code == 1
    focus = sorted(ln.split()[1:3] for ln in err.splitlines()[:-1])
    assert focus == [
        ["http://example.org/a", "http://example.org/code:"],
        ["http://example.org/a", "http://example.org/flag:"],
    ], err
    assert err.splitlines()[-1] == f"error: {data}: 2 SHACL violations"


def test_issue_18_warnings_fail_kg_validate_unless_allowed(tmp_path: Path, in_root: Path) -> None:
    shown = "tests/data/shapes/EventStatedCountsShape.violating.ttl"
    code, err = _kg("validate", shown)
    assert code == 1
    *warnings, last = err.splitlines()
    assert len(warnings) == 3 and all(w.startswith("warning: ") for w in warnings)
    assert last == (
        f"error: {shown}: 3 SHACL warnings and no violations; a graph with any SHACL result "
        "does not conform (SHACL §3.6.1); --allow-warnings accepts warnings and infos"
    )
    code, err = _kg("validate", shown, "--allow-warnings")
    assert code == 0
    assert err.splitlines()[-1] == f"{shown}: conforms with --allow-warnings (3 SHACL warnings)"


ILL_TYPED_DATE = (
    "sources/cycling-2020-mens-team-pursuit.txt:1: "
    "https://w3id.org/team-pursuit/id/event/2020-cycling-mens-team-pursuit tp:startDate: "
    'sh:datatype xsd:date not satisfied by "2021-08-32"^^<http://www.w3.org/2001/XMLSchema#date> '
    "[tps:Event-startDate]"
)


@pytest.mark.parametrize("stream", [False, True], ids=["in-memory", "streamed"])
@pytest.mark.parametrize("engine", ENGINES)
def test_issue_18_an_ill_typed_curated_value_stops_the_build(
    engine: str, stream: bool, tmp_path: Path, in_root: Path
) -> None:
    """A curated fact's date that is no date reaches the gate as written, and stops the build.

    rdflib keeps "2021-08-32"^^xsd:date as written; the gate must see that form, not a
    rewrite, in the in-memory build (rdflib graphs) and the streamed one (N-Triples written
    by the mapping executor).
    """
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    facts = mappings / "facts" / "cycling-2020-mens-team-pursuit.yaml"
    text = facts.read_text(encoding="utf-8")
    assert text.count('[event, tp:startDate, "2021-08-02"]') == 1
    facts.write_text(text.replace('tp:startDate, "2021-08-02"', 'tp:startDate, "2021-08-32"'))
    target = tmp_path / "graph.nt"
    args = ["build", str(CYCLING), "--mappings", str(mappings), "-o", str(target)]
    code, err = _kg(*args, "--validator", engine, *(["--stream"] if stream else []))
    assert code == 1 and not target.exists()
    lines = [ln for ln in err.splitlines() if not ln.startswith("warning:")]
    if engine == "shacl-engine":
        assert ILL_TYPED_DATE in lines
        assert lines[-1].endswith(": 3 SHACL violations; nothing written")
    elif engine == "pyrudof":  # it does not check xsd:date forms, and says so
        # The first of the two places the date is (the fact's claim, then the event).
        assert lines == [
            "error: sources/cycling-2020-mens-team-pursuit.txt:21: pyrudof cannot check "
            '"2021-08-32"^^xsd:date of '
            "https://w3id.org/team-pursuit/id/article/cycling-2020-mens-team-pursuit/line/21/"
            "claim/1 http://www.w3.org/1999/02/22-rdf-syntax-ns#object: it does not check "
            "whether a literal is a valid xsd:date, this one is not, and it reported nothing "
            "on it; no report is given"
        ]
    else:  # pySHACL fails comparing it with tp:endDate (sh:lessThanOrEquals), and says so
        (line,) = lines
        assert "pySHACL cannot check it: it failed (TypeError: '<=' not supported" in line
