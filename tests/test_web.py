"""kg serve over HTTP on 127.0.0.1: SPARQL protocol, content negotiation, limits, safety."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
import requests
from click.testing import CliRunner
from rdflib import Graph

from kg_build.cli import cli
from kg_build.web.app import Limits
from tests.conftest import ROOT
from tests.pagetext import Page, read_page
from tests.servers import kg_server

BASE = "https://w3id.org/team-pursuit/id/"
ONTOLOGY = ROOT / "ontology" / "tp.ttl"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web")
    result = CliRunner().invoke(
        cli, ["-q", "build", "-o", str(folder / "g.ttl"), "--store", str(folder / "store")]
    )
    assert result.exit_code == 0, result.stderr
    return folder / "store"


@pytest.fixture(scope="module")
def url(store: Path) -> Iterator[str]:
    with kg_server(store, Limits(timeout=10, max_results=10_000)) as base:
        yield base


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/team-pursuit/ontology#NOC> }"


@pytest.mark.parametrize(
    ("accept", "fmt", "media", "check"),
    [
        (
            "application/sparql-results+json",
            None,
            "application/sparql-results+json",
            lambda b: json.loads(b)["results"]["bindings"][0]["n"]["value"] == "15",
        ),
        (
            "application/sparql-results+xml",
            None,
            "application/sparql-results+xml",
            lambda b: b"<literal" in b and b">15<" in b,
        ),
        ("text/csv", None, "text/csv", lambda b: b.replace(b"\r", b"") == b"n\n15\n"),
        (
            "text/tab-separated-values",
            None,
            "text/tab-separated-values",
            lambda b: b.startswith(b"?n\n") and b"15" in b,
        ),
        ("*/*", "csv", "text/csv", lambda b: b.replace(b"\r", b"") == b"n\n15\n"),
    ],
    ids=["json", "xml", "csv", "tsv", "format-param"],
)
def test_select_in_every_results_format(
    url: str, accept: str, fmt: str | None, media: str, check: object
) -> None:
    params = {"query": COUNT, **({"format": fmt} if fmt else {})}
    response = requests.get(f"{url}/sparql", params=params, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media
    assert callable(check) and check(response.content)


@pytest.mark.parametrize(
    ("accept", "parse_as"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_construct_over_post_in_graph_formats(url: str, accept: str, parse_as: str) -> None:
    query = "CONSTRUCT { ?n ?p ?o } WHERE { ?n <https://w3id.org/team-pursuit/ontology#iocCode> 'ROC' ; ?p ?o }"
    response = requests.post(
        f"{url}/sparql", data={"query": query}, headers={"Accept": accept}, timeout=30
    )
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(accept)
    graph = Graph().parse(data=response.content, format=parse_as)
    assert len(graph) >= 5


def test_sparql_query_body(url: str) -> None:
    response = requests.post(
        f"{url}/sparql",
        data=COUNT.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        timeout=30,
    )
    assert response.status_code == 200 and b"15" in response.content


@pytest.mark.parametrize(
    "rest",
    [
        "person/filippo-ganna",
        "noc/ROC",
        "event/2022-speed-skating-mens-team-pursuit",
        "event/2020-cycling-mens-team-pursuit/round/first-round/heat/4",
    ],
    ids=["athlete", "noc", "event", "race"],
)
def test_content_negotiation_303(url: str, rest: str) -> None:
    html = requests.get(
        f"{url}/id/{rest}", headers={"Accept": "text/html"}, allow_redirects=False, timeout=30
    )
    assert (html.status_code, html.headers["Location"]) == (303, f"/page/{rest}.html")
    page = requests.get(f"{url}{html.headers['Location']}", timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    for accept, suffix, fmt in (
        ("text/turtle", ".ttl", "turtle"),
        ("application/ld+json", ".jsonld", "json-ld"),
    ):
        moved = requests.get(
            f"{url}/id/{rest}", headers={"Accept": accept}, allow_redirects=False, timeout=30
        )
        assert moved.headers["Location"] == f"/data/{rest}{suffix}"
        data = requests.get(f"{url}{moved.headers['Location']}", timeout=30)
        graph = Graph().parse(data=data.content, format=fmt)
        assert any(str(s) == BASE + rest for s in graph.subjects())


def test_athlete_page_shows_label_types_values_and_source(url: str) -> None:
    page = requests.get(f"{url}/page/person/filippo-ganna.html", timeout=30).text
    assert "<h1>Filippo Ganna</h1>" in page
    assert 'href="/page/event/2020-cycling-mens-team-pursuit/team/ITA.html"' in page
    result = requests.get(
        f"{url}/page/event/2020-cycling-mens-team-pursuit/round/finals/result/ITA.html", timeout=30
    ).text
    assert (
        "| 1 | | Simone Consonni Filippo Ganna Francesco Lamon Jonathan Milan | 3:42.032 | WR |"
        in result
    )
    sport = requests.get(f"{url}/page/sport/cycling.html", timeout=30).text
    assert 'href="http://www.wikidata.org/entity/Q2215841"' in sport


def test_unknown_iri_is_404(url: str) -> None:
    assert requests.get(f"{url}/id/person/nobody-at-all", timeout=30).status_code == 404
    assert requests.get(f"{url}/page/person/nobody-at-all.html", timeout=30).status_code == 404
    assert requests.get(f"{url}/no/such/path", timeout=30).status_code == 404


def test_update_is_refused(url: str, store: Path) -> None:
    before = _digest(store)
    assert (
        requests.post(f"{url}/sparql", data={"update": "CLEAR ALL"}, timeout=30).status_code == 403
    )
    response = requests.post(
        f"{url}/sparql",
        data=b"CLEAR ALL",
        headers={"Content-Type": "application/sparql-update"},
        timeout=30,
    )
    assert response.status_code == 403
    assert (
        requests.get(
            f"{url}/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"}, timeout=30
        ).content.replace(b"\r", b"")
        == b"n\n15\n"
    )
    assert _digest(store) == before


def test_no_directory_traversal(url: str) -> None:
    host, port = url.removeprefix("http://").split(":")
    for path in (
        "/static/../errors.py",
        "/static/%2e%2e/cli.py",
        "/page/../../../etc/passwd.html",
        "/data/../../../etc/passwd.ttl",
    ):
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 404, path
        assert b"import" not in response.read()
        connection.close()


def test_result_cap_and_time_limit(store: Path) -> None:
    with kg_server(store, Limits(timeout=1.0, max_results=5)) as base:
        capped = requests.get(
            f"{base}/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=30
        )
        assert capped.status_code == 413
        assert capped.text.startswith("the answer has ") and capped.text.endswith(
            "more than the limit of 5; add a LIMIT\n"
        )
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        timed = requests.get(f"{base}/sparql", params={"query": slow}, timeout=60)
        assert (timed.status_code, timed.text) == (
            503,
            "the query ran past the time limit of 1 s\n",
        )
        # The worker was replaced: the server still answers.
        assert (
            requests.get(
                f"{base}/sparql", params={"query": COUNT, "format": "csv"}, timeout=30
            ).status_code
            == 200
        )


def test_markup_in_data_renders_inert(tmp_path: Path) -> None:
    store_path = tmp_path / "store"
    store = pyoxigraph.Store(str(store_path))
    store.load(
        path=str(ROOT / "tests" / "data" / "web" / "script-label.ttl"),
        format=pyoxigraph.RdfFormat.TURTLE,
    )
    store.flush()
    del store
    with kg_server(store_path) as base:
        page = requests.get(f"{base}/page/person/mallory.html", timeout=30).text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;Mallory" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_binds_to_loopback_by_default() -> None:
    command = cli.commands["serve"]
    host = next(p for p in command.params if p.name == "host")
    assert host.default == "127.0.0.1"


def test_static_site(tmp_path: Path, store: Path) -> None:
    # No system binary: with nothing on PATH (no Graphviz, no shell tools) the site is whole.
    out = tmp_path / "site"
    empty = tmp_path / "empty-path"
    empty.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "kg_build", "site", "-o", str(out), "--store", str(store)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": str(empty)},
    )
    count = sum(1 for p in out.rglob("*") if p.is_file())
    assert (done.returncode, done.stderr) == (0, f"wrote {count} files to {out.as_posix()}/\n")
    diagram = ET.fromstring((out / "ontology" / "diagram.svg").read_bytes())
    assert diagram.tag == "{http://www.w3.org/2000/svg}svg"
    page = out / "page" / "person" / "sverre-lunde-pedersen.html"
    assert "<h1>Sverre Lunde Pedersen</h1>" in page.read_text(encoding="utf-8")
    ttl = Graph().parse(out / "data" / "person" / "sverre-lunde-pedersen.ttl")
    assert len(ttl) > 3
    assert json.loads((out / "data" / "noc" / "ROC.jsonld").read_text(encoding="utf-8"))
    assert "tp:Result" in (out / "ontology" / "index.html").read_text(encoding="utf-8")
    results = (out / "results" / "2020-cycling-mens-team-pursuit.html").read_text(encoding="utf-8")
    assert "no time" in results and "Denmark caught the team from Great Britain" in results
    assert "<circle" in results and "Gold" in results
    assert (out / "static" / "yasgui" / "yasgui.min.js").exists()
    # The athletes', team entries' and results' pages as kg serve shows them.
    event = out / "page" / "event" / "2020-cycling-mens-team-pursuit"
    profile = read_page((out / "page" / "person" / "filippo-ganna.html").read_text("utf-8"))
    assert profile.table("races").rows[1] == [
        *("First round", "Heat 3", "2021-08-03", "3:42.307", "222.307", "1", "WR", "ITA")
    ]
    team = read_page((event / "team" / "ITA.html").read_text(encoding="utf-8"))
    assert [r[:4] for r in team.table("results").rows] == [
        ["Qualifying", "", "2", "3:45.895"],
        ["First round", "Heat 3", "1", "3:42.307"],
        ["Finals", "Gold medal final", "1", "3:42.032"],
    ]
    result = read_page((event / "round" / "finals" / "result" / "ITA.html").read_text("utf-8"))
    assert result.details["Records set"] == "World record (WR), 222.032 s"


def test_issue_17_serve_on_a_port_in_use_says_so_in_one_line(store: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "kg_build", "serve", "--port", str(port), "--store", str(store)],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr == (
        f"error: 127.0.0.1:{port}: port in use by another process "
        "(choose another with --port, or --port 0 for any)\n"
    )


# ---------------------------------------------------------------- pages as a sports site shows them

CYCLING_2020 = "Cycling at the 2020 Summer Olympics – Men's team pursuit"
SKATING_2022 = "Speed skating at the 2022 Winter Olympics – Men's team pursuit"


def _page(url: str, path: str) -> Page:
    response = requests.get(f"{url}{path}", timeout=30)
    assert response.status_code == 200, path
    assert "WorldRecord" not in response.text and "OlympicRecord" not in response.text
    return read_page(response.text)


def test_athlete_page_is_a_profile(url: str) -> None:
    page = _page(url, "/page/person/filippo-ganna.html")
    assert page.headings[:5] == ["Filippo Ganna", "Medals", "Records", "Events", CYCLING_2020]
    assert page.href("Italy")[0] == "/page/noc/ITA.html"
    races = page.table("races")
    assert races.heading == CYCLING_2020
    assert races.columns == [
        *("Round", "Race", "Date", "Time", "Seconds", "Rank", "Records", "Team's result")
    ]
    assert races.rows == [
        ["Qualifying", "", "2021-08-02", "3:45.895", "225.895", "2", "", "ITA"],
        ["First round", "Heat 3", "2021-08-03", "3:42.307", "222.307", "1", "WR", "ITA"],
        ["Finals", "Gold medal final", "2021-08-04", "3:42.032", "222.032", "1", "WR", "ITA"],
    ]
    assert page.href("First round") == ["/results/2020-cycling-mens-team-pursuit.html#first-round"]
    assert page.table("medals").rows == [["Gold", CYCLING_2020, "Italy"]]
    assert page.table("records").rows == [
        ["World record (WR)", "3:42.307 (222.307 s)", "First round", CYCLING_2020, "2021-08-03"],
        ["World record (WR)", "3:42.032 (222.032 s)", "Finals", CYCLING_2020, "2021-08-04"],
    ]


def test_skater_profile_lists_each_race_by_round(url: str) -> None:
    page = _page(url, "/page/person/sverre-lunde-pedersen.html")
    assert page.table("races").rows == [
        ["Quarterfinals", "Heat 3", "2022-02-13", "3:37.47", "217.47", "1", "", "NOR"],
        ["Semifinals", "Semifinal 1", "2022-02-15", "3:38.28", "218.28", "1", "", "NOR"],
        ["Finals", "Final A", "2022-02-15", "3:38.08", "218.08", "1", "", "NOR"],
    ]
    assert page.table("medals").rows == [["Gold", SKATING_2022, "Norway"]]


def test_team_entry_page_is_its_results_table(url: str) -> None:
    page = _page(url, "/page/event/2022-speed-skating-mens-team-pursuit/team/ROC.html")
    assert page.headings == ["ROC", "Results", "Records", "Members"]
    results = page.table("results")
    assert results.columns == ["Round", "Race", "Rank", "Time", "Behind", "Notes", "Line-up"]
    lineup = "Daniil Aldoshkin, Ruslan Zakharov, Sergey Trofimov"
    assert results.rows == [
        ["Quarterfinals", "Heat 4", "3", "3:38.67", "+1.20", "Semifinal 2", lineup],
        ["Semifinals", "Semifinal 2", "1", "3:36.62", "", ", Final A", lineup],
        ["Finals", "Final A", "2", "3:40.46", "+2.38", "", lineup],
    ]
    assert page.table("records").rows == [
        ["Olympic record (OR)", "3:36.62 (216.62 s)", "Semifinals", "2022-02-15"],
        ["Track record (TR)", "3:36.62 (216.62 s)", "Semifinals", "2022-02-15"],
    ]
    response = requests.get(
        f"{url}/page/event/2022-speed-skating-mens-team-pursuit/team/ROC.html", timeout=30
    )
    assert "Final rank: 2" in response.text
    assert '<span class="medal medal-2">Silver</span>' in response.text


def test_result_page_is_a_results_row(url: str) -> None:
    path = "/page/event/2020-cycling-mens-team-pursuit/round/finals/result/ITA.html"
    page = _page(url, path)
    row = page.table("results")
    assert row.columns == [
        *("Round", "Race", "Rank", "NOC", "Athletes", "Time", "Seconds", "Behind", "Notes")
    ]
    athletes = "Filippo Ganna, Francesco Lamon, Jonathan Milan, Simone Consonni"
    assert row.rows == [
        ["Finals", "Gold medal final", "1", "ITA", athletes, "3:42.032", "222.032", "", "WR"]
    ]
    assert page.details == {
        "Team": f"Italy: {CYCLING_2020}",
        "Medal": "Gold",
        "Records set": "World record (WR), 222.032 s",
    }
    table = "/results/2020-cycling-mens-team-pursuit.html#finals"
    assert page.href("Finals: the round's results table") == [table]
    assert "finals" in _page(url, table.split("#")[0]).ids


def test_result_page_says_what_it_qualified_for(url: str) -> None:
    page = _page(
        url, "/page/event/2022-speed-skating-mens-team-pursuit/round/semifinals/result/ROC.html"
    )
    assert page.details == {
        "Team": f"ROC: {SKATING_2022}",
        "Qualified for": "Final A",
        "Records set": "Olympic record (OR), 216.62 s; Track record (TR), 216.62 s",
        "Start side": "C",
    }


def test_results_page_marks_records_by_code_and_labels_its_chart(url: str) -> None:
    response = requests.get(f"{url}/results/2020-cycling-mens-team-pursuit.html", timeout=30)
    page = read_page(response.text)
    assert '<abbr title="Olympic record">OR</abbr>' in response.text
    assert "OlympicRecord" not in response.text
    qualifying = page.table("results", "Qualifying")
    assert qualifying.columns == [
        *("Race", "Rank", "NOC", "Time", "Behind", "Medal", "Records", "Notes")
    ]
    assert qualifying.rows[0] == ["", "1", "DEN", "3:45.014", "", "", "OR", "OR"]
    assert page.table("results", "Finals").rows[0][:7] == [
        *("Gold medal final", "1", "ITA", "3:42.032", "", "Gold", "WR")
    ]
    texts = page.svg_texts
    assert [t for c, t in texts if c == "axis-title"] == ["Time (seconds)", "Round"]
    assert [t for c, t in texts if c == "round"] == ["Qualifying", "First round", "Finals"]
    assert ("point-label", "ITA 3:42.032") in texts
    assert "ITA: 3:42.032 (222.032 s), Finals, Gold medal final" in page.svg_titles
    # One label per point with a time: 8 + 7 + 6 (the rows without a time have none).
    assert len([t for c, t in texts if c == "point-label"]) == 21
