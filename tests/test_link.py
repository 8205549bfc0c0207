"""Linking to Wikidata: the curated link set, the report, reconciliation, QuickStatements."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib.namespace import SKOS

from kg_build.build.memory import Built
from kg_build.cli import cli
from kg_build.defaults import DEFAULT_BASE
from kg_build.errors import MappingError
from kg_build.link.wikidata import load_link_set, name_variants
from tests.conftest import ROOT
from tests.servers import sparql_server

FIXTURE = ROOT / "tests" / "data" / "wikidata" / "fixture.ttl"
HEADER_ROWS = 7


def _kg(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def wikidata() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(path=str(FIXTURE), format=pyoxigraph.RdfFormat.TURTLE)
    return store


def test_curated_links_are_in_the_graph_as_exact_matches(built: Built) -> None:
    links = load_link_set(ROOT / "mappings", DEFAULT_BASE)
    found = {link.entity.rsplit("/", 1)[-1]: link.item.rsplit("/", 1)[1] for link in links.links}
    expected = {
        "ontology#Gold": "Q15243387",
        "speed-skating": "Q192431",
        "track-cycling": "Q221635",
    }
    assert found.items() >= expected.items()
    assert all(link.see_also for link in links.links)
    exact = {(str(s), str(o)) for s, o in built.graph.subject_objects(SKOS.exactMatch)}
    assert (
        "https://w3id.org/team-pursuit/ontology#Gold",
        "http://www.wikidata.org/entity/Q15243387",
    ) in exact
    close = {
        (str(s), str(o))
        for s, o in built.graph.subject_objects(SKOS.closeMatch)
        if "/id/" in str(s)
    }
    assert (
        "https://w3id.org/team-pursuit/id/noc/RUS",
        "http://www.wikidata.org/entity/Q159",
    ) in close
    assert len(exact) + len(close) == len(links.links) == 23


def test_report_lists_every_unlinked_entity_with_its_reason() -> None:
    code, out, _ = _kg("link", "--report")
    assert code == 0
    lines = out.splitlines()
    assert (
        "linked\thttps://w3id.org/team-pursuit/ontology#Gold\thttp://www.wikidata.org/entity/Q15243387\t"
        in "\n".join(lines)
    )
    unlinked = [ln.split("\t") for ln in lines if ln.startswith("unlinked")]
    assert [
        "unlinked",
        "NOC",
        "https://w3id.org/team-pursuit/id/noc/ROC",
        "ROC",
        "no checked QID in mappings/wikidata.sssom.tsv (see mappings/curated/MISSING.md)",
    ] in unlinked
    kinds = {row[1] for row in unlinked}
    assert kinds == {
        "Athlete",
        "Person",
        "NOC",
        "Event",
        "OlympicGames",
        "Venue",
        "Technique",
        "Innovation",
        "Competition",
    }
    assert sum(1 for row in unlinked if row[1] == "Athlete") == 64


def test_name_variants_drop_diacritics() -> None:
    assert name_variants("Hallgeir Engebråten") == ["Hallgeir Engebråten", "Hallgeir Engebraten"]
    assert name_variants("Sam Welsford") == ["Sam Welsford"]


def _review_rows(path: Path) -> list[list[str]]:
    return [
        ln.split("\t")
        for ln in path.read_text(encoding="utf-8").splitlines()
        if not ln.startswith("#")
    ][1:]


def test_reconciliation_against_a_local_endpoint_then_offline(
    tmp_path: Path, wikidata: pyoxigraph.Store
) -> None:
    review, cache = tmp_path / "review.tsv", tmp_path / "cache"
    with sparql_server(wikidata) as (url, asked):
        code, _, err = _kg(
            "link", "--endpoint", url, "--cache", str(cache), "--delay", "0", "-o", str(review)
        )
    assert code == 0, err
    rows = {(r[0], r[3]): (r[2], r[6], r[10]) for r in _review_rows(review)}
    assert rows == {
        ("tpid:person/sam-welsford", "wd:Q9000001"): (
            "skos:exactMatch",
            "1.00",
            "label as written; a human; of the event's sport",
        ),
        ("tpid:person/hallgeir-engebraten", "wd:Q9000003"): (
            "skos:exactMatch",
            "0.90",
            "label without diacritics; a human; of the event's sport",
        ),
        ("tpid:person/oliver-wood", "wd:Q9000004"): (
            "skos:exactMatch",
            "1.00",
            "label as written; a human; of the event's sport",
        ),
        ("tpid:noc/ROC", "wd:Q9000006"): (
            "skos:closeMatch",
            "0.90",
            "IOC code (P984); the item is the country, not the committee",
        ),
    }
    first = review.read_bytes()
    assert len(asked) == 69 + 1  # every person, and the one NOC without a curated link (ROC)
    assert err.splitlines()[-1] == f"proposed 4 links in {review}; sent 70 queries"
    # No server now: every answer comes from the cache, and the review is the same.
    code, _, err = _kg(
        "link", "--endpoint", url, "--cache", str(cache), "--offline", "-o", str(review)
    )
    assert code == 0, err
    assert review.read_bytes() == first
    assert err.splitlines()[-1] == f"proposed 4 links in {review}; sent 0 queries"


def test_offline_without_cache_says_what_was_not_asked(tmp_path: Path) -> None:
    code, _, err = _kg(
        "link",
        "--endpoint",
        "http://127.0.0.1:9/sparql",
        "--cache",
        str(tmp_path),
        "--offline",
        "-o",
        str(tmp_path / "r.tsv"),
    )
    assert code == 0
    warnings = [ln for ln in err.splitlines() if ln.startswith("warning: not asked:")]
    assert len(warnings) == 70
    assert warnings[0].endswith("offline and this question is not in the cache")


def test_backs_off_on_429(tmp_path: Path, wikidata: pyoxigraph.Store) -> None:
    with sparql_server(wikidata, throttle_first=2) as (url, asked):
        code, _, err = _kg(
            "link",
            "--endpoint",
            url,
            "--cache",
            str(tmp_path / "c"),
            "--delay",
            "0",
            "-o",
            str(tmp_path / "r.tsv"),
        )
    assert code == 0, err
    assert len(asked) == 70 + 2
    assert asked[0] == asked[1] == asked[2]


def _mappings_with(tmp_path: Path, rows: list[str]) -> Path:
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    with (mappings / "wikidata.sssom.tsv").open("a", encoding="utf-8") as handle:
        handle.writelines(f"{row}\n" for row in rows)
    return mappings


def _row(subject: str, qid: str, source: str = "https://example.org/test") -> str:
    return "\t".join(
        [
            subject,
            "x",
            "skos:exactMatch",
            qid,
            "x",
            "semapv:ManualMappingCuration",
            "1.0",
            "tpid:test",
            "2026-11-22",
            source,
            "test row",
        ]
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (_row("tpid:person/filippo-ganna", "Q123"), "object 'Q123' is not a wd: item"),
        (
            _row("tpid:person/filippo-ganna", "wd:Q123", source=""),
            "row has no see_also (every link needs its source)",
        ),
        (_row("nope:x", "wd:Q123"), "subject 'nope:x' has no known prefix"),
        (
            _row("tpid:x", "wd:Q1").replace("skos:exactMatch", "owl:sameAs"),
            "predicate 'owl:sameAs' is not skos:exactMatch or skos:closeMatch",
        ),
    ],
    ids=["object", "source", "prefix", "predicate"],
)
def test_link_set_errors_name_the_line(tmp_path: Path, row: str, message: str) -> None:
    mappings = _mappings_with(tmp_path, [row])
    lines = (mappings / "wikidata.sssom.tsv").read_text(encoding="utf-8").count("\n")
    with pytest.raises(MappingError) as caught:
        load_link_set(mappings, DEFAULT_BASE)
    assert (caught.value.line, caught.value.message) == (lines, message)


@pytest.mark.parametrize(
    ("header", "line", "message"),
    [
        (
            "#curie_map:\n#  wd: [unclosed\n",
            2,  # the parser gives up at the header's end: its last line
            "the '#' metadata header is not YAML (expected ',' or ']', but got '<stream end>')",
        ),
        ("#- a list\n", 1, "the '#' metadata header: it is not a mapping of names"),
        (
            "#curie_map: [wd, tp]\n",
            1,
            "the '#' metadata header: its curie_map is not a mapping of names",
        ),
    ],
    ids=["not-yaml", "not-a-mapping", "curie-map-a-list"],
)
def test_a_bad_link_set_header_is_one_line_with_its_line(
    tmp_path: Path, header: str, line: int, message: str
) -> None:
    mappings = _mappings_with(tmp_path, [])
    table = mappings / "wikidata.sssom.tsv"
    body = [ln for ln in table.read_text(encoding="utf-8").splitlines(True) if ln[0] != "#"]
    table.write_text(header + "".join(body), encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_link_set(mappings, DEFAULT_BASE)
    assert (caught.value.line, caught.value.message) == (line, message)


def test_a_malformed_qid_fails_validation(tmp_path: Path) -> None:
    mappings = _mappings_with(tmp_path, [_row("tpid:noc/ITA", "wd:Q0123")])
    code, _, err = _kg("build", "--mappings", str(mappings), "-o", str(tmp_path / "g.ttl"))
    assert code == 1
    assert err.splitlines()[0].startswith(
        "graph: https://w3id.org/team-pursuit/id/noc/ITA http://www.w3.org/2004/02/skos/core#exactMatch: "
    )
    assert (
        "a Wikidata link must be an item IRI with a QID matching ^Q[1-9][0-9]*$ [tps:WikidataLink-exactMatch]"
        in err
    )
    assert err.splitlines()[-1] == "error: the built graph: 1 SHACL violations; nothing written"


def test_quickstatements_cite_the_article(tmp_path: Path) -> None:
    mappings = _mappings_with(
        tmp_path,
        [
            _row("tpid:person/filippo-ganna", "wd:Q9100001"),
            _row("tpid:person/luke-plapp", "wd:Q9100002"),
            _row("tpid:event/2020-cycling-mens-team-pursuit", "wd:Q9100003"),
        ],
    )
    code, out, err = _kg("export", "quickstatements", "--mappings", str(mappings))
    assert code == 0, err
    url = '"https://en.wikipedia.org/wiki/Cycling_at_the_2020_Summer_Olympics_%E2%80%93_Men%27s_team_pursuit"'
    assert out.splitlines() == [
        f"Q9100001\tP1344\tQ9100003\tP1352\t1\tP2781\t222.032U11574\tS854\t{url}",
        f"Q9100001\tP166\tQ15243387\tP585\t+2021-08-04T00:00:00Z/11\tS854\t{url}",
        f"Q9100002\tP1344\tQ9100003\tP1352\t3\tS854\t{url}",
        f"Q9100002\tP166\tQ15889643\tP585\t+2021-08-04T00:00:00Z/11\tS854\t{url}",
    ]
    assert err.splitlines()[-1] == "4 statements; 83 left out for want of a QID or source URL"
