"""HTML for people: the query page, entity pages, results views with a chart, ontology docs.

Pages are Jinja2 templates (``kg_build/templates``) with autoescaping on, so every value from
the graph is escaped. The same renderer serves ``kg serve`` and writes ``kg site``.
"""

from __future__ import annotations

import json
import mimetypes
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import jinja2
import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg_build.defaults import DEFAULT_BASE, PREFIXES, QUESTIONS, SOURCES, SOURCES_NAME, TP_IRI
from kg_build.diagram import class_diagram
from kg_build.sparql import short

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
HTML = "text/html; charset=utf-8"
DATA_TYPES = {
    ".ttl": ("turtle", "text/turtle"),
    ".jsonld": ("jsonld", "application/ld+json"),
    ".nt": ("nt", "application/n-triples"),
}
# Characters RFC 3987 keeps out of IRIs (and SPARQL's IRIREF, §19.8): controls, space, <>"{}|\^`.
_NOT_IN_IRI = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|\\^`]')
RDF_ACCEPT = {
    "text/turtle": ".ttl",
    "application/ld+json": ".jsonld",
    "application/n-triples": ".nt",
}


class Runner(Protocol):
    """Runs SPARQL: the web server's worker, or a store for the static site."""

    def run(self, text: str, fmt: Any) -> tuple[str, bytes]:
        """Return the answer's kind and its bytes in ``fmt``."""
        ...


@dataclass(frozen=True, slots=True)
class PageAnswer:
    """What to answer a GET: a body, or a 303 location."""

    status: int
    media_type: str = HTML
    body: bytes = b""
    location: str | None = None


class StoreRunner:
    """Run queries directly on a store (for ``kg site``: no time limit needed)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def run(self, text: str, fmt: Any) -> tuple[str, bytes]:
        """Return the answer's kind and bytes."""
        from kg_build.sparql import answer_of, render

        answer = answer_of(self.store.query(text, use_default_graph_as_union=True))
        chosen = fmt(answer.kind) if callable(fmt) else fmt
        return answer.kind, render(answer, chosen)


@dataclass
class Site:
    """Renders every page from the store, under one data base IRI."""

    ontology: Path
    base: str = DEFAULT_BASE
    runner: Runner | None = None
    env: jinja2.Environment = field(init=False)

    def __post_init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.filters["link"] = self.link
        self.env.filters["short"] = short

    def bind(self, runner: Runner) -> None:
        """Use ``runner`` for every query."""
        self.runner = runner

    # ------------------------------------------------------------ routing

    def answer(self, path: str, accept: str) -> PageAnswer:
        """Answer a GET of ``path``; one no IRI could hold (``%00``, ``%20``, ``%22``) is 404."""
        if _NOT_IN_IRI.search(path):
            return not_found(urllib.parse.quote(path))
        if path in ("/", "/index.html"):
            return self._html("query.html", cqs=competency_questions(), prefixes=PREFIXES)
        if path.startswith("/static/"):
            return static_file(path.removeprefix("/static/"))
        if path.startswith("/id/"):
            return self._see_other(path.removeprefix("/id/"), accept)
        if path.startswith("/page/") and path.endswith(".html"):
            return self.entity_page(self.base + path.removeprefix("/page/").removesuffix(".html"))
        if path.startswith("/data/"):
            return self.entity_data(path.removeprefix("/data/"))
        if path in ("/ontology/", "/ontology/index.html"):
            return self._html("ontology.html", **ontology_model(self.ontology))
        if path == "/ontology/diagram.svg":
            return PageAnswer(200, "image/svg+xml", class_diagram(self.ontology))
        if path in ("/results/", "/results/index.html"):
            return self._html("results_index.html", events=self.events())
        if path.startswith("/results/") and path.endswith(".html"):
            return self.results_page(path.removeprefix("/results/").removesuffix(".html"))
        return not_found(path)

    def _html(self, template: str, **values: Any) -> PageAnswer:
        return PageAnswer(200, HTML, self.env.get_template(template).render(**values).encode())

    def _see_other(self, rest: str, accept: str) -> PageAnswer:
        iri = self.base + rest
        if not self.exists(iri):
            return not_found("/id/" + rest)
        wanted = [part.split(";")[0].strip() for part in accept.split(",")]
        suffix = next((RDF_ACCEPT[m] for m in wanted if m in RDF_ACCEPT), None)
        location = f"/data/{rest}{suffix}" if suffix else f"/page/{rest}.html"
        return PageAnswer(303, location=location)

    # ------------------------------------------------------------ queries

    def select(self, query: str) -> list[dict[str, Any]]:
        """Run a SELECT; return rows of pyoxigraph terms by variable name."""
        assert self.runner is not None
        _, data = self.runner.run(query, "json")
        result = ox.parse_query_results(data, ox.QueryResultsFormat.JSON)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        return [{n: s[n] for n in names} for s in result]

    def exists(self, iri: str) -> bool:
        """Tell whether the graph says anything about ``iri``."""
        node = _iri(iri)
        query = f"SELECT ?p WHERE {{ {{ <{node}> ?p ?o }} UNION {{ ?s ?p <{node}> }} }} LIMIT 1"
        return bool(self.select(query))

    def link(self, term: Any) -> str:
        """Return where a term's link goes: our page for our IRIs, else the IRI itself."""
        value = getattr(term, "value", str(term))
        if value.startswith(self.base):
            return f"/page/{value.removeprefix(self.base)}.html"
        return str(value)

    # ------------------------------------------------------------ entity pages

    def entity_page(self, iri: str) -> PageAnswer:
        """Render an entity: label, types, properties, incoming links, Wikidata, source."""
        if not iri.startswith(self.base) or not self.exists(iri):
            return not_found(iri)
        out = self.select(
            f"PREFIX rdfs: <{RDFS}> SELECT ?p ?o ?label WHERE {{ <{_iri(iri)}> ?p ?o . "
            "OPTIONAL { ?o rdfs:label ?label } } ORDER BY ?p ?o"
        )
        incoming = self.select(
            f"PREFIX rdfs: <{RDFS}> SELECT ?s ?p ?label WHERE {{ ?s ?p <{_iri(iri)}> . "
            "OPTIONAL { ?s rdfs:label ?label } } ORDER BY ?p ?s LIMIT 1000"
        )
        values = {short(r["p"]): r["o"] for r in out}
        label = next(
            (r["o"].value for r in out if r["p"].value == str(RDFS.label)), iri.rsplit("/", 1)[-1]
        )
        return self._html(
            "entity.html",
            iri=iri,
            label=label,
            types=[r["o"] for r in out if r["p"].value == str(RDF.type)],
            properties=[r for r in out if r["p"].value != str(RDF.type)],
            incoming=incoming,
            wikidata=[
                r["o"] for r in out if r["p"].value in (str(SKOS.exactMatch), str(SKOS.closeMatch))
            ],
            source=self.source_text(values),
            data_path=iri.removeprefix(self.base),
        )

    def source_text(self, values: dict[str, Any]) -> str | None:
        """Return the sentence or table row a resource comes from, read from its article."""
        if "tp:sourceText" in values:
            return str(values["tp:sourceText"].value)
        line, article = values.get("tp:sourceLine"), values.get("prov:wasDerivedFrom")
        if line is None or article is None:
            return None
        files = self.select(
            f"PREFIX tp: <{TP_IRI}> SELECT ?f WHERE {{ <{_iri(article.value)}> tp:sourceFile ?f }}"
        )
        if not files:
            return None
        return read_source_line(files[0]["f"].value, int(line.value))

    def entity_data(self, rest: str) -> PageAnswer:
        """Return an entity's description (outgoing and incoming triples) as RDF."""
        suffix = next((s for s in DATA_TYPES if rest.endswith(s)), None)
        if suffix is None:
            return not_found("/data/" + rest)
        iri = self.base + rest.removesuffix(suffix)
        if not self.exists(iri):
            return not_found("/data/" + rest)
        fmt, media = DATA_TYPES[suffix]
        assert self.runner is not None
        node = _iri(iri)
        query = (
            f"CONSTRUCT {{ <{node}> ?p ?o . ?s ?q <{node}> }} "
            f"WHERE {{ {{ <{node}> ?p ?o }} UNION {{ ?s ?q <{node}> }} }}"
        )
        _, data = self.runner.run(query, fmt)
        return PageAnswer(200, f"{media}; charset=utf-8", data)

    # ------------------------------------------------------------ results views

    def events(self) -> list[dict[str, Any]]:
        """Return the events the graph describes, for the results index."""
        rows = self.select(
            f"PREFIX tp: <{TP_IRI}> PREFIX rdfs: <{RDFS}> SELECT ?e ?label "
            "WHERE { ?e a tp:Event ; rdfs:label ?label ; tp:venue ?v } ORDER BY ?label"
        )
        return [
            {"slug": r["e"].value.rsplit("/", 1)[1], "label": r["label"].value, "iri": r["e"]}
            for r in rows
        ]

    def results_page(self, slug: str) -> PageAnswer:
        """Render an event's rounds as tables, medals, records and missing times marked."""
        event = f"{self.base}event/{slug}"
        if "/" in slug or not self.exists(event):
            return not_found(f"/results/{slug}.html")
        rows = self.select(RESULTS_QUERY.replace("EVENT", _iri(event)))
        rounds: dict[str, dict[str, Any]] = {}
        for row in rows:
            title = row["roundLabel"].value.rsplit(": ", 1)[-1]
            entry = rounds.setdefault(title, {"title": title, "rows": []})
            entry["rows"].append(
                {k: (v.value if v is not None else "") for k, v in row.items()}
                | {"result": row["result"]}
            )
        label = next((r["eventLabel"].value for r in rows), slug)
        return self._html(
            "results.html",
            label=label,
            event=event,
            rounds=list(rounds.values()),
            chart=chart(list(rounds.values())),
        )


RESULTS_QUERY = """PREFIX tp: <https://w3id.org/team-pursuit/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?result ?eventLabel ?roundLabel ?order ?race ?rank ?noc ?time ?timeText ?deficit ?medal
       ?records ?missing WHERE {
  ?round tp:roundOf <EVENT> ; rdfs:label ?roundLabel ; tp:roundOrder ?order .
  <EVENT> rdfs:label ?eventLabel .
  ?result tp:inRound ?round ; tp:team ?team .
  ?team tp:noc/tp:iocCode ?noc .
  OPTIONAL { ?result tp:inRace/tp:raceLabel ?race }
  OPTIONAL { ?result tp:roundRank ?roundRank }
  OPTIONAL { ?result tp:raceRank ?raceRank }
  BIND(COALESCE(?roundRank, ?raceRank) AS ?rank)
  OPTIONAL { ?result tp:finishTime ?time }
  OPTIONAL { ?result tp:timeText ?timeText }
  OPTIONAL { ?result tp:deficitText ?deficit }
  OPTIONAL { ?award tp:awardedTo ?team ; tp:medalType ?medalType . ?round tp:roundKind tp:Final .
             BIND(STRAFTER(STR(?medalType), "#") AS ?medal) }
  OPTIONAL { SELECT ?result (GROUP_CONCAT(?code; separator=", ") AS ?records) WHERE {
               ?record tp:setIn ?result ; tp:recordType ?type .
               BIND(STRAFTER(STR(?type), "#") AS ?code) }
             GROUP BY ?result }
  OPTIONAL { ?result tp:missing ?gap . ?gap tp:missingProperty tp:finishTime ; tp:reason ?missing }
} ORDER BY ?order ?race ?rank ?noc"""


def chart(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Lay out an SVG scatter chart of the times of each round (seconds; no time, no point)."""
    times = [float(r["time"]) for rnd in rounds for r in rnd["rows"] if r["time"]]
    if not times:
        return {"width": 0, "height": 0, "points": [], "columns": [], "ticks": []}
    low, high = min(times), max(times)
    span = max(high - low, 1.0)
    width, height, left, top, bottom = 120 * len(rounds) + 80, 320, 60, 20, 40
    inner = height - top - bottom

    def y(seconds: float) -> float:
        return round(top + (seconds - low) / span * inner, 1)

    points, columns = [], []
    for i, rnd in enumerate(rounds):
        x = left + 60 + i * 120
        columns.append({"x": x, "title": rnd["title"]})
        for j, r in enumerate(rnd["rows"]):
            if r["time"]:
                # Spread the points of a column a little, so equal times stay visible.
                spread = (j % 5) * 8 - 16
                label = f"{r['noc']} {r['timeText']}"
                points.append(
                    {"x": x + spread, "y": y(float(r["time"])), "label": label, "medal": r["medal"]}
                )
    ticks = [{"y": y(low + span * k / 4), "label": f"{low + span * k / 4:.1f}"} for k in range(5)]
    return {
        "width": width,
        "height": height,
        "points": points,
        "columns": columns,
        "ticks": ticks,
        "left": left,
        "bottom": height - bottom,
    }


# ---------------------------------------------------------------- helpers


def _iri(iri: str) -> str:
    """Refuse characters that could break out of <…> in a query built from a path."""
    if any(c in iri for c in '<>"{}|\\^` \n'):
        raise ValueError(f"not an IRI: {iri!r}")
    return iri


def not_found(what: str) -> PageAnswer:
    """Answer 404 with a short page."""
    body = (
        jinja2.Environment(autoescape=True)
        .from_string("<!doctype html><title>Not found</title><h1>Not found</h1><p>{{ what }}</p>")
        .render(what=what)
    )
    return PageAnswer(404, HTML, body.encode())


def static_file(name: str) -> PageAnswer:
    """Serve a file of kg_build/static; nothing outside it, whatever the path says."""
    target = (STATIC / name).resolve()
    if not target.is_relative_to(STATIC) or not target.is_file():
        return not_found("/static/" + name)
    media = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return PageAnswer(200, media, target.read_bytes())


def read_source_line(file: str, line: int) -> str | None:
    """Return one line of an article the graph names; a path leaving its folder is refused.

    The graph names an article below the working folder by its path there, a bundled one
    ``sources/<file>`` (pipeline's _graph_file); the working folder is tried first.
    """
    for folder, name in _source_folders(file):
        target = (folder / name).resolve()
        if target.is_relative_to(folder.resolve()) and target.is_file():
            lines = target.read_text(encoding="utf-8").splitlines()
            return lines[line - 1] if 0 < line <= len(lines) else None
    return None


def _source_folders(file: str) -> list[tuple[Path, str]]:
    """Return where ``file`` may lie: below the working folder; bundled if ``sources/…``."""
    folders = [(Path.cwd(), file)]
    bundled = file.removeprefix(f"{SOURCES_NAME}/")
    if bundled != file:
        folders.append((SOURCES, bundled))
    return folders


def competency_questions() -> list[dict[str, str]]:
    """Return the competency questions (tests/cq/*.rq, packaged) to pick from on the query page."""
    return [
        {
            "name": q.stem,
            "query": q.read_text(encoding="utf-8"),
            "json": json.dumps(q.read_text(encoding="utf-8")),
        }
        for q in sorted(QUESTIONS.glob("*.rq"))
    ]


def ontology_model(path: Path) -> dict[str, Any]:
    """Return the ontology's classes, properties and individuals for its documentation page."""
    graph = Graph().parse(path)

    def items(kind: Any) -> list[dict[str, Any]]:
        found = []
        for term in sorted(
            {s for s in graph.subjects(RDF.type, kind) if str(s).startswith(TP_IRI)}, key=str
        ):
            found.append(
                {
                    "name": str(term).removeprefix(TP_IRI),
                    "label": str(graph.value(term, RDFS.label) or ""),
                    "comment": str(graph.value(term, RDFS.comment) or ""),
                    "parents": [
                        short(ox.NamedNode(str(p))) for p in graph.objects(term, RDFS.subClassOf)
                    ],
                    "domain": [
                        short(ox.NamedNode(str(d))) for d in graph.objects(term, RDFS.domain)
                    ],
                    "range": [short(ox.NamedNode(str(r))) for r in graph.objects(term, RDFS.range)],
                    "matches": sorted(str(m) for m in graph.objects(term, SKOS.closeMatch)),
                    "types": sorted(
                        short(ox.NamedNode(str(t))) for t in graph.objects(term, RDF.type)
                    ),
                }
            )
        return found

    classes = sorted(set(graph.subjects(RDF.type, OWL.Class)), key=str)
    individuals = [entry for cls in classes for entry in _members(graph, cls)]
    return {
        "classes": items(OWL.Class),
        "object_properties": items(OWL.ObjectProperty),
        "data_properties": items(OWL.DatatypeProperty),
        "individuals": individuals,
        "iri": TP_IRI,
    }


def _members(graph: Graph, cls: Any) -> Iterator[dict[str, str]]:
    for member in sorted(graph.subjects(RDF.type, cls), key=str):
        if str(member).startswith(TP_IRI):
            yield {
                "name": str(member).removeprefix(TP_IRI),
                "class": str(cls).removeprefix(TP_IRI),
                "label": str(graph.value(member, RDFS.label) or ""),
                "comment": str(graph.value(member, RDFS.comment) or ""),
            }


ENTITIES_QUERY = (
    """SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "BASE")) } ORDER BY ?s"""
)


def site_files(site: Site) -> Iterator[tuple[str, bytes]]:
    """Yield every file of the static site: pages and data of each entity, and the views."""
    fixed = {
        "index.html": "/results/",
        "results/index.html": "/results/",
        "ontology/index.html": "/ontology/",
        "ontology/diagram.svg": "/ontology/diagram.svg",
    }
    for name, path in fixed.items():
        yield name, site.answer(path, "").body
    for event in site.events():
        yield f"results/{event['slug']}.html", site.results_page(event["slug"]).body
    for row in site.select(ENTITIES_QUERY.replace("BASE", site.base)):
        rest = row["s"].value.removeprefix(site.base)
        yield f"page/{rest}.html", site.entity_page(row["s"].value).body
        for suffix in DATA_TYPES:
            yield f"data/{rest}{suffix}", site.entity_data(rest + suffix).body
    for asset in sorted(p for p in STATIC.rglob("*") if p.is_file()):
        yield f"static/{asset.relative_to(STATIC).as_posix()}", asset.read_bytes()
