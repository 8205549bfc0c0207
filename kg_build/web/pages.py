"""HTML for people: the query page, entity pages, results views with a chart, ontology docs.

Pages are Jinja2 templates (``kg_build/web/templates``) with autoescaping on, so every value from
the graph is escaped. The same renderer serves ``kg serve`` and writes ``kg site``.
"""

from __future__ import annotations

import json
import mimetypes
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import jinja2
import pyoxigraph as ox
from msgspec import Struct
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg_build.defaults import DEFAULT_BASE, PREFIXES, QUESTIONS, SOURCES, SOURCES_NAME, TP_IRI
from kg_build.rdf.namespaces import TP
from kg_build.store.sparql import short
from kg_build.web.diagram import class_diagram
from kg_build.web.ontology_doc import ontology_model
from kg_build.web.page_rows import (
    Athlete,
    Fact,
    Kind,
    facts,
    last_segment,
    merge,
    name_key,
    query,
    vocabulary,
)
from kg_build.web.profiles import athlete_view, result_view, results_view, team_view

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


class PageAnswer(Struct, frozen=True):
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
        from kg_build.store.sparql import answer_of, render

        answer = answer_of(self.store.query(text, use_default_graph_as_union=True))
        chosen = fmt(answer.kind) if callable(fmt) else fmt
        return answer.kind, render(answer, chosen)


class Site:
    """Renders every page from the store, under one data base IRI."""

    def __init__(self, ontology: Path, base: str = DEFAULT_BASE, runner: Runner | None = None):
        self.ontology = ontology
        self.base = base
        self.runner = runner
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.filters["link"] = self.link
        self.env.filters["short"] = short
        self.env.filters["curie"] = lambda iri: short(ox.NamedNode(iri))

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

    def select(self, text: str) -> list[dict[str, Any]]:
        """Run a SELECT; return rows of pyoxigraph terms by variable name."""
        assert self.runner is not None
        _, data = self.runner.run(text, "json")
        result = ox.parse_query_results(data, ox.QueryResultsFormat.JSON)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        return [{n: s[n] for n in names} for s in result]

    def exists(self, iri: str) -> bool:
        """Tell whether the graph says anything about ``iri``."""
        return bool(self.select(query("exists", iri)))

    def link(self, term: Any) -> str:
        """Return where a term's link goes: our page for our IRIs, else the IRI itself."""
        value = str(getattr(term, "value", term))
        if value.startswith(self.base):
            return f"/page/{value.removeprefix(self.base)}.html"
        if value.startswith(TP_IRI):
            return f"/ontology/#{value.removeprefix(TP_IRI)}"
        # Only web links leave the site: an IRI may be any scheme (javascript: too).
        return value if value.startswith(("https://", "http://")) else "#"

    # ------------------------------------------------------------ entity pages

    def entity_page(self, iri: str) -> PageAnswer:
        """Render an entity: an athlete, team entry or result as a sports site shows it.

        Any other entity gets the generic page: label, types, every property and value,
        incoming links. Every page names its IRI, data documents, Wikidata link and source.
        """
        if not iri.startswith(self.base) or not self.exists(iri):
            return not_found(iri)
        kinds = vocabulary(self.select)
        out = facts(self.select(query("entity-out", iri)), "o", kinds)
        incoming = facts(self.select(query("entity-in", iri)), "s", kinds)
        common = self._common(iri, out)
        view = self._view(iri, {f.value for f in out if f.prop == str(RDF.type)}, out, kinds)
        if view is None:
            return self._html(
                "entity.html",
                **common,
                types=[f for f in out if f.prop == str(RDF.type)],
                properties=[f for f in out if f.prop != str(RDF.type)],
                incoming=incoming,
            )
        template, values, (shown_out, shown_in) = view
        more = [f for f in out if f.prop not in shown_out | COMMON_SHOWN]
        more_in = [f for f in incoming if f.prop not in shown_in]
        return self._html(template, **common, **values, more=more, more_in=more_in)

    def _view(
        self, iri: str, types: set[str], out: list[Fact], kinds: dict[str, Kind]
    ) -> tuple[str, dict[str, Any], tuple[frozenset[str], frozenset[str]]] | None:
        """Return the template, values and shown properties of a page's kind; None: generic."""
        if types & PERSON_TYPES:
            return "athlete.html", athlete_view(self.select, iri, kinds), ATHLETE_SHOWN
        if str(TP.TeamEntry) in types:
            members = [Athlete(f.value, f.text) for f in out if f.prop == str(TP.member)]
            members.sort(key=lambda a: (name_key(a.name), a.iri))
            return "team_entry.html", team_view(self.select, iri, kinds, members), TEAM_SHOWN
        if str(TP.Result) in types:
            values = result_view(self.select, iri, kinds)
            return None if values is None else ("result.html", values, RESULT_SHOWN)
        return None

    def _common(self, iri: str, out: list[Fact]) -> dict[str, Any]:
        """Return what every entity page shows: label, IRI, data links, Wikidata, source."""
        labels = [f.value for f in out if f.prop == str(RDFS.label)]
        return {
            "iri": iri,
            "label": labels[0] if labels else iri.rsplit("/", 1)[-1],
            "data_path": iri.removeprefix(self.base),
            "wikidata": [f for f in out if f.prop in (str(SKOS.exactMatch), str(SKOS.closeMatch))],
            "sources": [f for f in out if f.prop == str(DCTERMS.source)],
            "source": self.source_text({f.prop_short: f.value for f in out}),
        }

    def source_text(self, values: dict[str, str]) -> str | None:
        """Return the sentence or table row a resource comes from, read from its article."""
        if "tp:sourceText" in values:
            return values["tp:sourceText"]
        line, article = values.get("tp:sourceLine"), values.get("prov:wasDerivedFrom")
        if line is None or article is None:
            return None
        files = self.select(query("source-file", article))
        if not files:
            return None
        return read_source_line(files[0]["f"].value, int(line))

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
        _, data = self.runner.run(query("entity-data", iri), fmt)
        return PageAnswer(200, f"{media}; charset=utf-8", data)

    # ------------------------------------------------------------ results views

    def events(self) -> list[dict[str, Any]]:
        """Return the events the graph describes, for the results index."""
        rows = merge(self.select(query("events")), "e")
        return [{"slug": last_segment(r["e"]), "label": r["label"], "iri": r["e"]} for r in rows]

    def results_page(self, slug: str) -> PageAnswer:
        """Render an event's rounds as tables, medals, records and missing times marked."""
        event = f"{self.base}event/{slug}"
        if "/" in slug or not self.exists(event):
            return not_found(f"/results/{slug}.html")
        labels = [r["label"] for r in self.events() if r["iri"] == event]
        view = results_view(self.select, event, vocabulary(self.select))
        return self._html("results.html", label=labels[0] if labels else slug, event=event, **view)


PERSON_TYPES = {str(TP.Person), str(TP.Athlete)}
COMMON_SHOWN = frozenset(
    str(p) for p in (RDF.type, RDFS.label, SKOS.exactMatch, SKOS.closeMatch, DCTERMS.source)
)
ATHLETE_SHOWN: tuple[frozenset[str], frozenset[str]] = (
    frozenset(),
    frozenset(str(p) for p in (TP.athlete, TP.member, TP.awardedTo, TP.setByAthlete)),
)
TEAM_SHOWN = (
    frozenset(str(p) for p in (TP.entryIn, TP.noc, TP.finalRank, TP.member)),
    frozenset(str(p) for p in (TP.team, TP.awardedTo, TP.asMemberOf, TP.setBy)),
)
RESULT_SHOWN = (
    frozenset(
        str(p)
        for p in (
            TP.inRound,
            TP.inRace,
            TP.team,
            TP.athlete,
            TP.finishTime,
            TP.timeText,
            TP.rank,
            TP.roundRank,
            TP.raceRank,
            TP.rankText,
            TP.deficit,
            TP.deficitText,
            TP.outcome,
            TP.notesText,
            TP.qualifiedFor,
            TP.startSide,
        )
    ),
    frozenset({str(TP.setIn)}),
)


# ---------------------------------------------------------------- helpers


def not_found(what: str) -> PageAnswer:
    """Answer 404 with a short page."""
    body = (
        jinja2.Environment(autoescape=True)
        .from_string("<!doctype html><title>Not found</title><h1>Not found</h1><p>{{ what }}</p>")
        .render(what=what)
    )
    return PageAnswer(404, HTML, body.encode())


def static_file(name: str) -> PageAnswer:
    """Serve a file of kg_build/web/static; nothing outside it, whatever the path says."""
    target = (STATIC / name).resolve()
    if not target.is_relative_to(STATIC) or not target.is_file():
        return not_found("/static/" + name)
    media = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return PageAnswer(200, media, target.read_bytes())


def read_source_line(file: str, line: int) -> str | None:
    """Return one line of an article the graph names; a path leaving its folder is refused.

    The graph names an article below the working folder by its path there, a bundled one
    ``sources/<file>`` (kg_build.build.config.graph_file); the working folder is tried first.
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
    for row in site.select(query("entities", base=site.base)):
        rest = row["s"].value.removeprefix(site.base)
        yield f"page/{rest}.html", site.entity_page(row["s"].value).body
        for suffix in DATA_TYPES:
            yield f"data/{rest}{suffix}", site.entity_data(rest + suffix).body
    for asset in sorted(p for p in STATIC.rglob("*") if p.is_file()):
        yield f"static/{asset.relative_to(STATIC).as_posix()}", asset.read_bytes()
