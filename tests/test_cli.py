"""The ``kg`` command: output, exit codes and the exact error line for each bad input."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.query import ResultRow

from kg_build import __version__
from kg_build.cli import cli
from kg_build.defaults import FORMAT_SUFFIXES
from tests.conftest import BAD_INPUTS, CYCLING, IRREGULAR_INPUTS, ROOT, SKATING


def _run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_version_and_help() -> None:
    code, out, _ = _run("--version")
    assert (code, out) == (0, f"kg, version {__version__}\n")
    for command in ([], ["build"], ["parse"], ["validate"]):
        code, out, _ = _run(*command, "--help")
        assert code == 0
        assert "Example:" in out and "Exit codes:" in out


def test_parse_prints_json_to_stdout(in_root: Path) -> None:
    code, out, err = _run("parse", "sources/cycling-2020-mens-team-pursuit.txt")
    assert (code, err) == (0, "")
    (article,) = json.loads(out)["articles"]
    assert article["path"] == "sources/cycling-2020-mens-team-pursuit.txt"
    assert article["title"] == "Cycling at the 2020 Summer Olympics – Men's team pursuit"
    assert article["infobox"][7] == {"line": 11, "key": "Win Value", "value": "3:42.032 WR"}
    results = next(s for s in article["sections"] if s["title"] == "Results")
    finals = next(s for s in results["sections"] if s["title"] == "Finals")
    (table,) = finals["blocks"]
    assert table["header"] == ["Rank", "Country", "Cyclists", "Result", "Notes"]
    assert table["rows"][2] == {
        "line": 83,
        "group": "Bronze medal final",
        "cells": ["3", "", "Kelland O'Brien Sam Welsford Leigh Howard Luke Plapp", "", ""],
    }
    assert "Groß" in out and "\\u" not in out


def test_parse_reads_stdin() -> None:
    code, out, _ = _run("parse", "-", stdin=b"= From stdin =\n")
    assert code == 0
    assert json.loads(out)["articles"][0]["path"] == "<stdin>"


def test_parse_several_files_in_order(in_root: Path) -> None:
    code, out, _ = _run(
        "parse",
        "sources/speed-skating-2022-mens-team-pursuit.txt",
        "sources/cycling-2020-mens-team-pursuit.txt",
    )
    assert code == 0
    assert [a["title"][:7] for a in json.loads(out)["articles"]] == ["Speed s", "Cycling"]


@pytest.mark.parametrize("path", BAD_INPUTS, ids=lambda p: p.stem)
def test_parse_bad_input_one_line_exit_1(path: Path, in_root: Path) -> None:
    code, out, err = _run("parse", f"tests/data/bad/{path.name}")
    assert code == 1
    assert out == ""
    assert err == path.with_suffix(".err").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", IRREGULAR_INPUTS, ids=lambda p: p.stem)
def test_issue_20_an_irregular_line_is_a_warning_and_the_rest_is_read(
    path: Path, in_root: Path
) -> None:
    code, out, err = _run("parse", f"tests/data/irregular/{path.name}")
    assert code == 0
    assert json.loads(out)["articles"][0]["title"]
    assert err == path.with_suffix(".warn").read_text(encoding="utf-8")


def test_missing_file_and_directory_exit_1(in_root: Path) -> None:
    assert _run("parse", "sources/nope.txt") == (1, "", "error: sources/nope.txt: no such file\n")
    assert _run("parse", "sources") == (
        1,
        "",
        "error: sources: is a directory (expected an article file)\n",
    )


def test_usage_errors_exit_2() -> None:
    code, _, err = _run("parse")
    assert code == 2 and "Missing argument 'FILES...'" in err
    code, _, err = _run("build", "--no-such-option")
    assert code == 2 and "--no-such-option" in err


def test_failed_parse_leaves_old_output_untouched(in_root: Path, tmp_path: Path) -> None:
    target = tmp_path / "parsed.json"
    target.write_text("old\n")
    code, _, err = _run(
        "parse",
        "sources/cycling-2020-mens-team-pursuit.txt",
        "tests/data/bad/binary.txt",
        "-o",
        str(target),
    )
    assert code == 1 and err.startswith("error: tests/data/bad/binary.txt:4:")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parsed.json"]


def test_output_file_written_whole_with_usual_mode(in_root: Path, tmp_path: Path) -> None:
    target = tmp_path / "new" / "parsed.json"
    code, out, _ = _run("parse", "sources/cycling-2020-mens-team-pursuit.txt", "-o", str(target))
    assert (code, out) == (0, "")
    assert json.loads(target.read_bytes())["articles"][0]["line"] == 1
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
    assert sorted(p.name for p in target.parent.iterdir()) == ["parsed.json"]


def test_output_to_a_directory_is_an_error(in_root: Path, tmp_path: Path) -> None:
    code, _, err = _run("parse", "sources/cycling-2020-mens-team-pursuit.txt", "-o", str(tmp_path))
    assert code == 1
    assert err == f"error: {tmp_path.as_posix()}: is a directory (expected a file to write)\n"


def test_build_one_file_in_the_chosen_format(in_root: Path, tmp_path: Path) -> None:
    target = tmp_path / "g.nt"
    code, out, err = _run("build", "--format", "nt", "-o", str(target))
    assert (code, out) == (0, "")
    # The cycling article's conflicting counts and the skating lead's semifinal day are SHACL
    # warnings, which a build accepts.
    assert err.splitlines()[-1].startswith("built ") and err.endswith(
        f"from 2 articles with 2 SHACL warnings (a build stops on violations only); wrote {target}\n"
    )
    assert target.read_bytes().startswith(b"<https://w3id.org/team-pursuit/id/")


def test_build_quiet_says_nothing(in_root: Path, tmp_path: Path) -> None:
    assert _run("-q", "build", "-o", str(tmp_path / "a.ttl"))[2] == ""


def test_build_names_a_bad_article(in_root: Path, tmp_path: Path) -> None:
    code, _, err = _run("build", "tests/data/bad/missing-title.txt", "-o", str(tmp_path / "x.ttl"))
    assert code == 1
    assert err == (ROOT / "tests/data/bad/missing-title.err").read_text(encoding="utf-8")
    assert not (tmp_path / "x.ttl").exists()


@pytest.mark.parametrize("stream", [False, True], ids=["in-memory", "stream"])
def test_issue_17_a_rule_field_the_records_lack_names_the_rule_line(
    in_root: Path, tmp_path: Path, stream: bool
) -> None:
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    rules = mappings / "rules" / "competition.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("[rdfs:label, $(name)]", "[rdfs:label, $(nmae)]"))
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if "[rdfs:label, $(name)]" in ln)
    options = ["--stream", "--format", "nt"] if stream else []
    code, _, err = _run(
        "build", "--mappings", str(mappings), *options, "-o", str(tmp_path / "x.nt")
    )
    assert (code, err) == (
        1,
        f"error: {rules.as_posix()}:{line}: mapping 'athlete' reads the field 'nmae', which records "
        "of type 'Person' (source 'athletes') do not have (did you mean 'name'? they have: "
        "article, iri, is_athlete, line, name, source_url)\n",
    )


def test_issue_17_a_repeated_infobox_key_keeps_both_values_as_claims(tmp_path: Path) -> None:
    lines = SKATING.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index("- Competitors: 27\n") + 1
    article = tmp_path / SKATING.name  # the same stem: the same curated rows
    article.write_text(
        "".join([*lines[:at], "- Competitors: 27\n- Competitors: 99\n", *lines[at:]])
    )
    target = tmp_path / "g.ttl"
    code, _, err = _run("build", str(article), "-o", str(target))
    assert code == 0
    shown = article.as_posix()
    repeats = [ln for ln in err.splitlines() if "infobox key" in ln]
    assert repeats == [
        f"warning: {shown}:{at}: infobox key 'Competitors' has different values: "
        f"'27' ({shown}:{at}), '99' ({shown}:{at + 2}); each is kept as a tp:Claim of "
        "tp:statedCompetitorCount [conflicting-values]"
    ]
    rows = (
        Graph()
        .parse(target)
        .query(
            "PREFIX tp: <https://w3id.org/team-pursuit/ontology#>\n"
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
            "SELECT ?value ?line ?text WHERE { ?c a tp:Claim ; rdf:predicate tp:statedCompetitorCount ;"
            " rdf:object ?value ; tp:sourceLine ?line ; tp:sourceText ?text } ORDER BY ?line"
        )
    )
    claims = [[str(v) for v in row] for row in rows if isinstance(row, ResultRow)]
    assert claims == [
        ["27", str(at), "Competitors: 27"],
        ["99", str(at + 2), "Competitors: 99"],
    ]


def test_internal_error_is_one_line_without_traceback(
    monkeypatch: pytest.MonkeyPatch, in_root: Path
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("kg_build.build.config.parse_sources", broken)
    code, _, err = _run("parse", "sources/cycling-2020-mens-team-pursuit.txt")
    assert (code, err) == (1, "internal error: RuntimeError: boom (rerun with --debug)\n")
    result = CliRunner().invoke(cli, ["--debug", "parse", "x.txt"])
    assert isinstance(result.exception, RuntimeError)


def test_console_script_runs() -> None:
    # The installed entry point, not just the click object.
    kg = Path(sys.executable).parent / "kg"
    done = subprocess.run(
        [str(kg), "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=os.environ,
    )
    assert (done.returncode, done.stdout) == (0, f"kg, version {__version__}\n")


def test_issue_17_five_hundred_nested_headings_give_one_line(tmp_path: Path) -> None:
    lines = ["= Deep =", ""]
    for level in range(2, 502):
        lines += ["=" * level + f" Level {level} " + "=" * level, "", "text", ""]
    article = tmp_path / "deep.txt"
    article.write_text("\n".join(lines), encoding="utf-8")
    # Read as prose past level 6, one warning each: no recursion, whatever the depth.
    code, out, err = _run("parse", str(article))
    warnings = err.splitlines()
    assert code == 0 and json.loads(out)["articles"][0]["title"] == "Deep"
    assert len(warnings) == 495
    assert warnings[0] == (
        f"warning: {article}:23: heading too deep (found '======= Level 7 =======', "
        "expected at most 6 '=' on each side, as in Wikipedia) [irregular-heading]"
    )
    code, out, err = _run("build", str(article), "-o", str(tmp_path / "x.ttl"))
    assert (code, out) == (1, "")
    assert err == (
        f"error: {article}:1: not an article of this family: the title 'Deep' does not match "
        "the title_pattern of mappings/extraction.yaml\n"
    )
    assert not (tmp_path / "x.ttl").exists()


GRAPH_SUFFIX_CHECKS: dict[str, Callable[[str], object]] = {
    ".ttl": lambda data: Graph().parse(data=data, format="turtle"),
    ".nt": lambda data: Graph().parse(data=data, format="nt"),
    ".nq": lambda data: Dataset().parse(data=data, format="nquads"),
    ".trig": lambda data: Dataset().parse(data=data, format="trig"),
    ".jsonld": lambda data: json.loads(data)["@context"],
}


@pytest.mark.parametrize("suffix", sorted(GRAPH_SUFFIX_CHECKS))
def test_issue_17_build_infers_the_format_from_the_suffix(suffix: str, tmp_path: Path) -> None:
    target = tmp_path / f"g{suffix}"
    code, _, err = _run("build", str(CYCLING), "-o", str(target))
    assert code == 0, err
    *warnings, summary = err.splitlines()
    assert re.fullmatch(
        rf"built \d+ triples from 1 articles with 1 SHACL warning "
        rf"\(a build stops on violations only\); wrote {re.escape(str(target))}",
        summary,
    )
    assert not [w for w in warnings if str(target) in w]
    explicit = tmp_path / f"explicit{suffix}"
    fmt = {v: k for k, v in FORMAT_SUFFIXES.items()}[suffix]
    assert _run("-q", "build", str(CYCLING), "-o", str(explicit), "--format", fmt)[0] == 0
    assert target.read_bytes() == explicit.read_bytes()
    assert GRAPH_SUFFIX_CHECKS[suffix](target.read_text(encoding="utf-8"))


def test_issue_17_build_says_which_format_it_writes(tmp_path: Path) -> None:
    unnamed, contradicted = tmp_path / "g.data", tmp_path / "g.nt"
    code, _, err = _run("build", str(CYCLING), "-o", str(unnamed))
    assert code == 0 and err.splitlines()[0] == (
        f"warning: {unnamed}: the suffix .data names no format; writing turtle "
        "(suffixes: .jsonld .nq .nt .trig .ttl; or give --format)"
    )
    assert len(Graph().parse(unnamed, format="turtle")) > 1000
    code, _, err = _run("build", str(CYCLING), "-o", str(contradicted), "--format", "turtle")
    assert code == 0 and err.splitlines()[0] == (
        f"warning: {contradicted}: writing turtle as --format says, not nt as .nt says"
    )
    assert contradicted.read_text(encoding="utf-8").startswith("@prefix")


@pytest.mark.parametrize("suffix", [".nt", ".nq"])
def test_issue_17_stream_infers_the_format_from_the_suffix(suffix: str, tmp_path: Path) -> None:
    target = tmp_path / f"s{suffix}"
    code, _, err = _run("-q", "build", str(CYCLING), "--stream", "--no-store", "-o", str(target))
    assert (code, err) == (0, "")
    fmt = "nquads" if suffix == ".nq" else "nt"
    explicit = tmp_path / f"explicit{suffix}"
    common = ("-q", "build", str(CYCLING), "--stream", "--no-store", "-o", str(explicit))
    assert _run(*common, "--format", fmt)[0] == 0
    assert target.read_bytes() == explicit.read_bytes()
    assert GRAPH_SUFFIX_CHECKS[suffix](target.read_text(encoding="utf-8"))


@pytest.mark.parametrize("output", ["g.ttl", "g.data", "-"])
def test_issue_17_stream_without_a_line_format_is_a_usage_error(
    output: str, tmp_path: Path
) -> None:
    target = output if output == "-" else str(tmp_path / output)
    code, _, err = _run("build", str(CYCLING), "--stream", "-o", target)
    assert code == 2
    assert err.splitlines()[-1] == (
        "Error: --stream needs -o FILE.nt or FILE.nq (or --format nt or nquads)"
    )


QUERY_CHECKS: dict[str, Callable[[str], bool]] = {
    ".csv": lambda data: data.splitlines()[0] == "code",
    ".tsv": lambda data: data.splitlines()[0] == "?code",
    ".json": lambda data: json.loads(data)["head"]["vars"] == ["code"],
    ".srj": lambda data: json.loads(data)["head"]["vars"] == ["code"],
    ".xml": lambda data: '<variable name="code"/>' in data,
    ".srx": lambda data: '<variable name="code"/>' in data,
}
CODES = "SELECT ?code WHERE { ?n <https://w3id.org/team-pursuit/ontology#iocCode> ?code } ORDER BY ?code"


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("query") / "g.ttl"
    assert _run("-q", "build", str(CYCLING), "-o", str(target))[0] == 0
    return target


@pytest.mark.parametrize("suffix", sorted(QUERY_CHECKS))
def test_issue_17_query_infers_the_format_from_the_suffix(
    suffix: str, graph_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / f"r{suffix}"
    assert _run("query", "-e", CODES, "--data", str(graph_file), "-o", str(target)) == (0, "", "")
    assert QUERY_CHECKS[suffix](target.read_text(encoding="utf-8"))


def test_issue_17_query_infers_graph_formats_and_says_which_it_writes(
    graph_file: Path, tmp_path: Path
) -> None:
    construct = (
        "CONSTRUCT { ?n ?p ?o } WHERE { ?n a <https://w3id.org/team-pursuit/ontology#NOC> ; ?p ?o }"
    )
    nt, ttl = tmp_path / "r.nt", tmp_path / "r.ttl"
    assert _run("query", "-e", construct, "--data", str(graph_file), "-o", str(nt)) == (0, "", "")
    assert _run("query", "-e", construct, "--data", str(graph_file), "-o", str(ttl)) == (0, "", "")
    assert len(Graph().parse(nt, format="nt")) == len(Graph().parse(ttl, format="turtle")) > 10
    assert not nt.read_text(encoding="utf-8").startswith("@prefix")
    unnamed = tmp_path / "r.out"
    assert _run("query", "-e", CODES, "--data", str(graph_file), "-o", str(unnamed)) == (
        0,
        "",
        f"warning: {unnamed}: the suffix .out names no format; writing csv (turtle for a graph) "
        "(suffixes: .csv .json .nt .srj .srx .tsv .ttl .xml; or give --format)\n",
    )
    assert unnamed.read_text(encoding="utf-8").splitlines()[0] == "code"
    contradicted = tmp_path / "r.csv"
    assert _run(
        "query", "-e", CODES, "--data", str(graph_file), "-o", str(contradicted), "--format", "json"
    ) == (0, "", f"warning: {contradicted}: writing json as --format says, not csv as .csv says\n")
    assert json.loads(contradicted.read_text(encoding="utf-8"))["head"]["vars"] == ["code"]


def test_issue_20_the_bundled_articles_build_strict(tmp_path: Path) -> None:
    code, _, err = _run("build", "--strict", "-o", str(tmp_path / "g.ttl"))
    assert code == 0, err
    assert (
        "diagnostics: 2 stripped-marker, 1 announced-records-missing, 1 round-code-conflict, "
        "1 round-date-conflict" in err
    )


def test_issue_20_strict_and_the_diagnostics_file(tmp_path: Path) -> None:
    article = tmp_path / CYCLING.name  # the same stem: the same curated rows
    text = CYCLING.read_text(encoding="utf-8")
    article.write_text(text.replace("| 8 | ", "| 8 | | | | |\n| 9 | ", 1), encoding="utf-8")
    report = tmp_path / "d.json"
    code, _, err = _run(
        "build", str(article), "-o", str(tmp_path / "g.ttl"), "--diagnostics", str(report)
    )
    assert code == 0, err
    found = json.loads(report.read_text(encoding="utf-8"))
    rank_only = [d for d in found if d["code"] == "rank-only-row"]
    assert [(d["level"], d["file"], d["text"]) for d in rank_only] == [
        ("diagnostic", article.as_posix(), "| 8 | | | | |")
    ]
    strict = _run(
        "build",
        str(article),
        "-o",
        str(tmp_path / "s.ttl"),
        "--strict",
        "--diagnostics",
        str(report),
    )
    assert strict[0] == 1
    assert strict[2].splitlines()[-1] == "error: 1 diagnostics with --strict; nothing written"
    assert not (tmp_path / "s.ttl").exists()
    assert [d["code"] for d in json.loads(report.read_text(encoding="utf-8"))].count(
        "rank-only-row"
    ) == 1


def test_issue_20_a_record_marker_on_a_result_without_a_time(tmp_path: Path) -> None:
    """A WR note on a DNF row, and in the records table: diagnostics, not a crash."""
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    (mappings / "facts" / CYCLING.name.replace(".txt", ".yaml")).unlink()  # its prose is not here
    article = ROOT / "tests/data/irregular/records/cycling-2020-mens-team-pursuit.txt"
    code, _, err = _run(
        "build", str(article), "--mappings", str(mappings), "-o", str(tmp_path / "g.nt")
    )
    assert code == 0, err
    found = [ln.rsplit(" [", 1)[1] for ln in err.splitlines() if ln.startswith("warning: ")]
    assert sorted(found) == [
        "record-time-conflict]",
        "record-without-time]",
        "record-without-time]",
        "time-outcome]",
    ]
    assert "the results table's no time for AUS" in err
