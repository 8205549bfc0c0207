"""The build end to end: files, validation gate, determinism, independent parsers, a new article."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.query import ResultRow

from kg_build.build.config import Config
from kg_build.build.lines import describe_used
from kg_build.build.memory import Built, build
from kg_build.build.records import records_json
from kg_build.cli import cli
from kg_build.errors import ValidationFailed
from kg_build.mapping import apply_rules, load_rules, new_graph
from kg_build.mapping.rml import write_rml
from kg_build.model import Diagnostic
from kg_build.rdf.serialize import graph_to_bytes
from kg_build.validate.findings import Finding
from tests.conftest import ROOT, THIRD, THIRD_STEM, shapes_with, third_mappings

TP = "PREFIX tp: <https://w3id.org/team-pursuit/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


def _rows(graph: Graph, query: str) -> list[list[str]]:
    return [[str(v) for v in row] for row in graph.query(TP + query) if isinstance(row, ResultRow)]


def _kg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_build_writes_turtle_and_ntriples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _kg("build")
    assert (code, out) == (0, "")
    ttl, nt = tmp_path / "out" / "team-pursuit.ttl", tmp_path / "out" / "team-pursuit.nt"
    assert "wrote out/team-pursuit.ttl, out/team-pursuit.nt" in err
    rdflib_count = len(Graph().parse(ttl, format="turtle"))
    assert rdflib_count == len(Graph().parse(nt, format="nt"))
    store = pyoxigraph.Store()
    store.load(ttl.read_bytes(), pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == rdflib_count > 3000
    assert nt.read_bytes().splitlines() == sorted(nt.read_bytes().splitlines())


def test_build_reports_the_articles_conflicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _, _, err = _kg("build")
    warnings = [ln for ln in err.splitlines() if ln.startswith("warning: ")]
    assert any("records table says round 'SFB'" in w for w in warnings)
    assert any("', Final A' has an empty item" in w for w in warnings)
    competitor = [w for w in warnings if "statedCompetitorCount" in w]
    assert len(competitor) == 1 and "37" in competitor[0] and "32" in competitor[0]
    assert (
        competitor[0].startswith("warning: sources/cycling-2020-mens-team-pursuit.txt:")
        or "cycling" in competitor[0]
    )


def _seeded_build(seed: str, target: Path) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    for fmt, suffix in (
        ("turtle", "ttl"),
        ("nt", "nt"),
        ("nquads", "nq"),
        ("trig", "trig"),
        ("jsonld", "jsonld"),
    ):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "kg_build",
                "-q",
                "build",
                "--format",
                fmt,
                "-o",
                str(target / f"g.{suffix}"),
            ],
            check=True,
            cwd=ROOT,
            env=env,
        )


def test_build_is_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    _seeded_build("1", first)
    _seeded_build("987654", second)
    for name in ("g.ttl", "g.nt", "g.nq", "g.trig", "g.jsonld"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


VIOLATION_MESSAGES = {
    "shacl-engine": "sh:minCount 1 not satisfied",
    "pyrudof": "MinCount(1) not satisfied",
    "pyshacl": "Less than 1 values on "
    "<https://w3id.org/team-pursuit/id/event/2020-cycling-mens-team-pursuit/round/first-round/result/DEN>"
    "->tp:finishTime",
}


@pytest.mark.parametrize("engine", sorted(VIOLATION_MESSAGES))
def test_violation_writes_nothing_and_lists_each_problem(
    engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shapes = shapes_with(
        tmp_path / "shapes",
        "<https://example.org/strict> a sh:NodeShape ; sh:targetClass tp:Result ;\n"
        "  sh:property <https://example.org/strict-time> .\n"
        "<https://example.org/strict-time> sh:path tp:finishTime ; sh:minCount 1 .\n",
    )
    target = tmp_path / "old.ttl"
    target.write_text("old\n")
    monkeypatch.chdir(ROOT)
    code, out, err = _kg("build", "--shapes", str(shapes), "-o", str(target), "--validator", engine)
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[-1] == "error: the built graph: 3 SHACL violations; nothing written"
    violations = [ln for ln in lines if ln.startswith("sources/")]
    assert violations == sorted(violations) and len(violations) == 3
    assert violations[0] == (
        "sources/cycling-2020-mens-team-pursuit.txt:67: "
        "https://w3id.org/team-pursuit/id/event/2020-cycling-mens-team-pursuit/round/first-round/result/DEN "
        f"tp:finishTime: {VIOLATION_MESSAGES[engine]} [https://example.org/strict-time]"
    )
    assert target.read_text() == "old\n"


def test_validate_command(tmp_path: Path, built: Built) -> None:
    good = tmp_path / "good.nt"
    good.write_bytes(built.serialize("nt"))
    code, _, err = _kg("validate", str(good))  # counts and a round's day: warnings
    assert code == 1 and err.endswith(
        "2 SHACL warnings and no violations; a graph with any SHACL result does not conform "
        "(SHACL §3.6.1); --allow-warnings accepts warnings and infos\n"
    )
    code, _, err = _kg("validate", str(good), "--allow-warnings")
    assert code == 0 and err.endswith("conforms with --allow-warnings (2 SHACL warnings)\n")
    bad = tmp_path / "bad.nt"
    bad.write_bytes(
        built.serialize("nt")
        + b'<https://w3id.org/team-pursuit/id/noc/ITA> <https://w3id.org/team-pursuit/ontology#iocCode> "Italy" .\n'
    )
    code, _, err = _kg("validate", str(bad))
    assert code == 1
    assert "https://w3id.org/team-pursuit/id/noc/ITA tp:iocCode" in err
    assert err.splitlines()[-1] == f"error: {bad}: 2 SHACL violations"


def test_validate_unreadable_graph(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text('@prefix tp: <x> .\n\n<a> <b> "unterminated .\n')
    code, _, err = _kg("validate", str(broken))
    assert code == 1 and err.startswith(f"error: {broken}:")


def test_a_new_article_builds_with_no_code_change(tmp_path: Path) -> None:
    article = THIRD / "sources" / f"{THIRD_STEM}.txt"
    target = tmp_path / "third.ttl"
    code, _, err = _kg(
        "build", str(article), "--mappings", str(third_mappings(tmp_path)), "-o", str(target)
    )
    assert code == 0, err
    graph = Graph().parse(target)
    gold = _rows(
        graph,
        "SELECT ?name WHERE { ?m tp:medalType tp:Gold ; tp:asMemberOf ?t ; tp:awardedTo ?a . ?t tp:noc/tp:iocCode 'NED' . ?a rdfs:label ?name } ORDER BY ?name",
    )
    assert gold == [["Femke van der Linde"], ["Lotte Brouwer"], ["Sanne Hoekstra"]]
    ranking = _rows(
        graph, "SELECT ?c WHERE { ?t tp:finalRank ?r ; tp:noc/tp:iocCode ?c } ORDER BY ?r"
    )
    assert [c for (c,) in ranking] == ["NED", "JPN", "CAN", "NOR", "USA", "POL", "ITA", "CHN"]
    assert _rows(graph, "SELECT ?w WHERE { ?e tp:winningTime ?w }") == [["173.05"]]
    records = _rows(
        graph,
        "SELECT ?type ?time ?text WHERE { ?r tp:recordType ?type ; tp:recordTime ?time ; tp:roundText ?text } ORDER BY ?type",
    )
    assert [(t.rsplit("#")[1], s, x) for t, s, x in records] == [
        ("OlympicRecord", "172.87", "SFA"),
        ("TrackRecord", "172.87", "SFA"),
    ]
    assert _rows(
        graph, "SELECT (COUNT(?a) AS ?n) WHERE { ?t tp:noc/tp:iocCode 'CAN' ; tp:member ?a }"
    ) == [["4"]]
    assert _rows(graph, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a tp:Athlete }") == [["25"]]


def test_void_describes_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1628035200")  # 2021-08-04, a date of the sources
    code, _, err = _kg("build", "--no-store")
    assert code == 0, err
    void = Graph().parse(tmp_path / "out" / "void.ttl")
    data = Graph().parse(tmp_path / "out" / "team-pursuit.ttl")
    prefixes = "PREFIX void: <http://rdfs.org/ns/void#>\nPREFIX dcat: <http://www.w3.org/ns/dcat#>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
    rows = [
        [str(v) for v in r]
        for r in void.query(
            prefixes
            + "SELECT ?t ?c ?p ?lic ?mod WHERE { ?d a void:Dataset ; void:triples ?t ; void:classes ?c ; void:properties ?p ; dcterms:license ?lic ; dcterms:modified ?mod }"
        )
        if isinstance(r, ResultRow)
    ]
    classes = len(
        set(data.objects(None, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")))
    )
    assert rows == [
        [
            str(len(data)),
            str(classes),
            str(len(set(data.predicates()))),
            "https://creativecommons.org/licenses/by-sa/4.0/",
            "2021-08-04",
        ]
    ]
    files = [
        [str(v) for v in r]
        for r in void.query(
            prefixes
            + "SELECT ?url ?size ?type WHERE { ?d dcat:distribution ?f . ?f dcat:downloadURL ?url ; dcat:byteSize ?size ; dcat:mediaType ?type } ORDER BY ?type"
        )
        if isinstance(r, ResultRow)
    ]
    assert [(url.rsplit("/", 1)[1], int(size), kind) for url, size, kind in files] == [
        (
            "team-pursuit.nt",
            (tmp_path / "out" / "team-pursuit.nt").stat().st_size,
            "application/n-triples",
        ),
        ("team-pursuit.ttl", (tmp_path / "out" / "team-pursuit.ttl").stat().st_size, "text/turtle"),
    ]
    athletes = [
        r
        for r in void.query(
            prefixes
            + "SELECT ?n WHERE { ?p void:class <https://w3id.org/team-pursuit/ontology#Athlete> ; void:entities ?n }"
        )
        if isinstance(r, ResultRow)
    ]
    assert [int(r[0]) for r in athletes] == [64]


def test_records_json_through_the_rules_gives_the_built_graph(built: Built, tmp_path: Path) -> None:
    # What `kg records` writes is all an RML engine gets: the standard YARRRML generated for
    # one (`kg records --rml`, a rule per datatype) over it must give every triple of the
    # build, the curated links included.
    data = json.loads(records_json([]))
    assert {r["entity"] for r in data["links"]} >= {
        "https://w3id.org/team-pursuit/id/innovation/fosbury-flop"
    }
    rml = tmp_path / "rml"
    write_rml(ROOT / "mappings" / "rules", ROOT / "ontology" / "tp.ttl", rml)
    graph = new_graph()
    rules = load_rules(rml, built.loaded.vocab, standard=True)
    apply_rules(rules, data, built.loaded.vocab, graph)
    # Besides: the ontology's own description of each vocabulary individual the graph uses
    # (tp:Gold's label …), which the map stage copies from the ontology, not from records.
    described = describe_used(graph_to_bytes(graph, "nt"), built.loaded.descriptions)
    assert set(Graph().parse(data=described, format="nt")) == set(built.graph)


def test_issue_17_warnings_cut_a_huge_notes_cell(tmp_path: Path) -> None:
    # A 1 MB notes cell: a stripped marker, WR, and a code of 1,048,570 characters.
    article = tmp_path / "cycling-2020-mens-team-pursuit.txt"
    notes = ", WR, " + "x" * (1_048_576 - 6)
    text = (ROOT / "sources" / article.name).read_text(encoding="utf-8")
    article.write_text(text.replace("| 3:42.307 | , WR |", f"| 3:42.307 | {notes} |"), "utf-8")
    code, _, err = _kg("build", str(article), "-o", str(tmp_path / "g.ttl"))
    assert code == 0, err[:2000]
    x80 = "x" * 80
    assert err.splitlines()[:2] == [
        f"warning: {article}:66: the notes cell ', WR, {x80[:74]}…' (1,048,576 characters) has an "
        "empty item: the marker written there was stripped from the article, which does not say "
        "what it was [stripped-marker]",
        f"warning: {article}:66: notes code '{x80}…' (1,048,570 characters) is no record code, "
        "outcome, qualification mark or race of the event [unknown-notes-code]",
    ]
    assert max(len(line) for line in err.splitlines()) < 400
    # The graph keeps the whole cell: only the message is cut.
    graph = Graph().parse(tmp_path / "g.ttl")
    assert notes in {str(o) for o in graph.objects(None, URIRef(TP_NOTES))}


TP_NOTES = "https://w3id.org/team-pursuit/ontology#notesText"


def test_findings_travel_as_records_to_the_command_line(tmp_path: Path, built: Built) -> None:
    # The build hands over diagnostics and SHACL findings, not their lines; the CLI prints them.
    assert [type(w) for w in built.warnings] == [Diagnostic] * 5 + [Finding] * 2
    assert [w.code for w in built.warnings if isinstance(w, Diagnostic)] == [
        "stripped-marker",
        "round-date-conflict",
        "announced-records-missing",
        "round-code-conflict",
        "stripped-marker",
    ]
    shapes = shapes_with(
        tmp_path / "shapes",
        "<https://example.org/strict> a sh:NodeShape ; sh:targetClass tp:Result ;\n"
        "  sh:property <https://example.org/strict-time> .\n"
        "<https://example.org/strict-time> sh:path tp:finishTime ; sh:minCount 1 .\n",
    )
    with pytest.raises(ValidationFailed) as failed:
        build([], Config(shapes=shapes))
    violations = failed.value.violations
    assert len(violations) == 3 and all(isinstance(v, Finding) for v in violations)
    assert {(v.severity, v.path, v.shape) for v in violations} == {
        ("Violation", "tp:finishTime", "https://example.org/strict-time")
    }
    assert str(violations[0]).startswith("sources/cycling-2020-mens-team-pursuit.txt:67: ")
