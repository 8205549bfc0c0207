"""Shapes are checked when loaded: tp: terms against the ontology, SPARQL by parsing it.

Every error is one line with the shapes file and line, whatever the engine.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg_build.cli import cli
from kg_build.defaults import ENGINES
from kg_build.errors import OntologyError
from kg_build.rdf.ontology import load_ontology, vocabulary
from kg_build.validate import load_shapes
from tests.conftest import ROOT

VOCAB = vocabulary(load_ontology(ROOT / "ontology" / "tp.ttl"))
HEADER = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix tp: <https://w3id.org/team-pursuit/ontology#> .
@prefix tps: <https://w3id.org/team-pursuit/shapes#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""  # four lines: a shape's first line below is line 5
PREFIXES = """
<https://example.org/prefixes> sh:declare [ sh:prefix "tp" ;
    sh:namespace "https://w3id.org/team-pursuit/ontology#"^^xsd:anyURI ] .
"""


def _shapes(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "shapes"
    folder.mkdir()
    (folder / "a.ttl").write_text(HEADER + body, encoding="utf-8")
    return folder


def _sparql(select: str) -> str:
    return (
        "tps:S a sh:NodeShape ; sh:targetClass tp:Result ; sh:sparql tps:S-check .\n"
        "tps:S-check a sh:SPARQLConstraint ;\n"
        "    sh:prefixes <https://example.org/prefixes> ;\n"
        f'    sh:select """{select}""" .\n' + PREFIXES
    )


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            "tps:S a sh:NodeShape ; sh:targetClass tp:TeamEntri .\n",
            5,
            "unknown class tp:TeamEntri (did you mean tp:TeamEntry?)",
        ),
        (
            "tps:S a sh:NodeShape ; sh:targetClass tp:TeamEntry ;\n"
            "    sh:property [ sh:path tp:finalRnk ; sh:maxCount 1 ] .\n",
            6,
            "unknown property tp:finalRnk (did you mean tp:finalRank?)",
        ),
        (
            "tps:S a sh:NodeShape ; sh:targetClass tp:Result ;\n"
            "    sh:property [ sh:path ( tp:team\n"
            "        [ sh:inversePath tp:entryInn ] ) ; sh:minCount 1 ] .\n",
            7,
            "unknown property tp:entryInn (did you mean tp:entryIn?)",
        ),
        (
            "tps:S a sh:NodeShape ; sh:targetSubjectsOf tp:qualifiedFr .\n",
            5,
            "unknown property tp:qualifiedFr (did you mean tp:qualifiedFor?)",
        ),
        (
            "tps:S a sh:NodeShape ; sh:targetClass tp:MedalAward ;\n"
            "    sh:property [ sh:path tp:medalType ; sh:in ( tp:Gold tp:Silvr ) ] .\n",
            6,
            "unknown term tp:Silvr (did you mean tp:Silver?)",
        ),
        (
            "tps:S a sh:NodeShape ; sh:targetClass tp:Result ;\n"
            "    sh:property [ sh:path tp:team ; sh:class tp:finalRank ] .\n",
            6,
            "tp:finalRank is used as a class, but the ontology declares it as a property",
        ),
        (
            _sparql("SELECT $this WHERE { $this tp:finishTme ?time }"),
            8,
            "unknown term tp:finishTme (did you mean tp:finishTime?)",
        ),
    ],
    ids=["target-class", "path", "inverse-path", "target-subjects", "in", "kind", "sparql"],
)
def test_a_tp_term_the_ontology_lacks_is_an_error_with_its_line(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    folder = _shapes(tmp_path, body)
    with pytest.raises(OntologyError) as raised:
        load_shapes(folder, VOCAB)
    assert str(raised.value) == f"{(folder / 'a.ttl').as_posix()}:{line}: {message}"


def test_the_project_shapes_and_terms_of_other_vocabularies_load(tmp_path: Path) -> None:
    # Only tp: terms are checked: rdfs:label or a term of the shapes' own namespace are not.
    body = (
        "tps:S a sh:NodeShape ; sh:targetClass tp:Result ; tps:targetsEveryObjectProperty false ;\n"
        "    sh:property [ sh:path <http://www.w3.org/2000/01/rdf-schema#label> ] .\n"
    )
    assert len(load_shapes(_shapes(tmp_path, body), VOCAB)) > 3
    assert len(load_shapes(ROOT / "shapes", VOCAB)) > 500


@pytest.mark.parametrize(
    ("select", "line", "message"),
    [
        (
            "SELECT $this\n    WHERE { $this tp:team ?t .\n    ?t ex:noc ?n }",
            10,
            "the query uses the prefix 'ex:', which its sh:prefixes do not declare (declared: tp)",
        ),
        (
            "PREFIX ex: <https://example.org/>\n    SELECT $this WHERE { $this ex:noc ?n }",
            None,
            None,
        ),
        (
            "SELECT $this WHERE {\n    $this tp:team ?t\n    FILTER (?t = ) }",
            10,
            "not valid SPARQL at column 5, near 'FILTER (?t = ) }'",
        ),
        (
            "SELECT $this ?t WHERE { $this tp:team ?t } GROUP BY $this",
            8,
            "not valid SPARQL at column 58 ('the end of the line'): "
            "the SELECT contains a variable that is unbound",
        ),
    ],
    ids=["prefix", "prefix-in-query", "syntax", "unbound"],
)
def test_sparql_is_parsed_when_loaded(
    tmp_path: Path, select: str, line: int | None, message: str | None
) -> None:
    folder = _shapes(tmp_path, _sparql(select))
    if message is None:
        load_shapes(folder, VOCAB)
        return
    with pytest.raises(OntologyError) as raised:
        load_shapes(folder, VOCAB)
    assert str(raised.value) == (
        f"{(folder / 'a.ttl').as_posix()}:{line}: SPARQL constraint tps:S-check of tps:S: {message}"
    )


# ---------------------------------------------------------------- one line from the command


def _kg(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr


def _broken_copy(tmp_path: Path, name: str, old: str, new: str) -> tuple[Path, str, int]:
    """Copy the project's shapes with one change; return the folder, file shown and line."""
    folder = tmp_path / "shapes"
    shutil.copytree(ROOT / "shapes", folder)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    marker = new.splitlines()[-1] if new.strip() else new
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if marker in ln)
    return folder, path.as_posix(), line


BROKEN_SPARQL = {
    "prefix": (
        "award.ttl",
        "$this tp:asMemberOf ?team ; tp:awardedTo ?value .",
        "$this ex:asMemberOf ?team ; tp:awardedTo ?value .",
        "SPARQL constraint tps:MedalAward-awardedToMember of tps:MemberMedalAwardShape: the query "
        "uses the prefix 'ex:', which its sh:prefixes do not declare (declared: tp)",
    ),
    "syntax": (
        "award.ttl",
        "FILTER (?value != ?finishTime)",
        "FILTER (?value != )",
        "SPARQL constraint tps:Record-timeMatchesResult of tps:RecordShape: not valid SPARQL at "
        "column 13, near 'FILTER (?value != )'",
    ),
    "no-select": (
        "result.ttl",
        'sh:prefixes <https://w3id.org/team-pursuit/shapes/result> ;\n    sh:select """\n'
        "        SELECT $this ?path ?value ?order",
        "sh:prefixes <https://w3id.org/team-pursuit/shapes/result> ;\n    "
        'rdfs:comment """\n        SELECT $this ?path ?value ?order',
        "SPARQL constraint tps:Result-qualifiedForLaterRound of tps:QualifiedResultShape has no "
        "sh:select (SHACL §5.1: exactly one)",
    ),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", sorted(BROKEN_SPARQL))
def test_a_broken_sparql_constraint_is_one_line_with_every_engine(
    tmp_path: Path, case: str, engine: str
) -> None:
    name, old, new, message = BROKEN_SPARQL[case]
    folder, shown, line = _broken_copy(tmp_path, name, old, new)
    if case == "no-select":  # the error names the constraint's own line
        line = next(
            n
            for n, ln in enumerate((folder / name).read_text().splitlines(), 1)
            if ln.startswith("tps:Result-qualifiedForLaterRound a")
        )
    target = tmp_path / "out.ttl"
    code, err = _kg("build", "--shapes", str(folder), "-o", str(target), "--validator", engine)
    assert (code, err) == (1, f"error: {shown}:{line}: {message}\n")
    assert not target.exists()


@pytest.mark.parametrize("command", ["build", "stream", "validate"])
def test_a_shape_typo_stops_every_command_that_loads_shapes(
    tmp_path: Path, command: str, in_root: Path
) -> None:
    folder, shown, line = _broken_copy(
        tmp_path, "team.ttl", "sh:path tp:finalRank ;", "sh:path tp:finalRnk ;"
    )
    args = {
        "build": ["build", "-o", str(tmp_path / "x.ttl")],
        "stream": ["build", "--stream", "--format", "nt", "-o", str(tmp_path / "x.nt")],
        "validate": ["validate", "tests/data/shapes/TeamEntryShape.conforming.ttl"],
    }[command]
    code, err = _kg(*args, "--shapes", str(folder))
    expected = "unknown property tp:finalRnk (did you mean tp:finalRank?)"
    assert (code, err) == (1, f"error: {shown}:{line}: {expected}\n")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("what", ["ontology", "shapes"])
def test_a_turtle_error_is_one_line_with_its_reason(tmp_path: Path, what: str, engine: str) -> None:
    if what == "ontology":
        path = tmp_path / "tp.ttl"
        lines = (ROOT / "ontology" / "tp.ttl").read_text(encoding="utf-8").splitlines(True)
        path.write_text("".join([*lines[:29], "foo:bar a owl:Class .\n", *lines[29:]]))
        option = ["--ontology", str(path)]
    else:
        folder, _, _ = _broken_copy(tmp_path, "team.ttl", "sh:path tp:finalRank ;", "sh:path ;")
        path, option = folder / "team.ttl", ["--shapes", str(folder)]
    code, err = _kg("build", *option, "-o", str(tmp_path / "x.ttl"), "--validator", engine)
    reason = 'Prefix "foo:" not bound' if what == "ontology" else "objectList expected"
    line = 30 if what == "ontology" else 24
    assert (code, err) == (1, f"error: {path.as_posix()}:{line}: not valid Turtle ({reason})\n")
