"""Wikidata: the curated SSSOM link set first; reconciliation against an endpoint when asked.

Curated links (``mappings/wikidata.sssom.tsv``) go into the graph as ``skos:exactMatch``.
``kg link`` proposes candidates for the rest into a review file in SSSOM form, never into the
curated set. Answers are cached on disk, so a rerun sends nothing already asked and works
offline.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from msgspec import Struct
from rdflib import Graph
from rdflib.query import ResultRow

from kg_build import __version__
from kg_build.defaults import PREFIXES, TP_IRI
from kg_build.errors import LinkError, MappingError
from kg_build.messages import display_path
from kg_build.model.records import Link
from kg_build.store.sparql import query_text, with_values
from kg_build.yaml_source import problem_index

if TYPE_CHECKING:  # imported where used: `kg build` sends no HTTP and requests costs ~80 ms
    import requests

LINK_SET = "wikidata.sssom.tsv"
WD = PREFIXES["wd"]
EXACT, CLOSE = "skos:exactMatch", "skos:closeMatch"
# A close match links what Wikidata has as a related item (an NOC's country).
PREDICATES = {EXACT: PREFIXES["skos"] + "exactMatch", CLOSE: PREFIXES["skos"] + "closeMatch"}
COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "confidence",
    "author_id",
    "mapping_date",
    "see_also",
    "comment",
)
USER_AGENT = f"team-pursuit-kg/{__version__} (https://w3id.org/team-pursuit; kg link)"
THRESHOLD = 0.7


class LinkSet(Struct, frozen=True):
    """The curated link set and its metadata header."""

    links: tuple[Link, ...]
    metadata: Mapping[str, object]

    @property
    def date(self) -> str:
        """The set's mapping date, used for proposals so that they do not vary by the clock."""
        return str(self.metadata.get("mapping_date", ""))

    def qid_of(self, subject: str) -> str | None:
        """Return the Wikidata item IRI of ``subject`` (an exact match), if any."""
        exact = PREDICATES[EXACT]
        return next((k.item for k in self.links if k.entity == subject and k.match == exact), None)


def load_link_set(mappings: Path, base: str) -> LinkSet:
    """Read the SSSOM TSV link set; CURIEs ``tpid:`` expand under the configured base."""
    path = mappings / LINK_SET
    shown = display_path(path)
    if not path.exists():
        return LinkSet((), {})
    import yaml  # here: a build reads the link set once, kept with the config (rdf/cache.py)

    lines = path.read_text(encoding="utf-8").splitlines()
    header = [(n, ln[1:]) for n, ln in enumerate(lines, 1) if ln.startswith("#")]
    body = [(n, ln) for n, ln in enumerate(lines, 1) if not ln.startswith("#")]
    try:
        metadata = yaml.safe_load("\n".join(text for _, text in header)) or {}
    except yaml.MarkedYAMLError as e:  # the header's line, and the problem alone
        index = problem_index(e)
        line = header[min(index, len(header) - 1)][0] if index is not None and header else 1
        raise MappingError(shown, line, f"the '#' metadata header is not YAML ({e.problem})") from e
    except yaml.YAMLError as e:
        raise MappingError(shown, 1, f"the '#' metadata header is not YAML ({e})") from e
    curie_map = metadata.get("curie_map", {}) if isinstance(metadata, dict) else None
    if not isinstance(curie_map, dict) or not all(isinstance(v, str) for v in curie_map.values()):
        what = "its curie_map" if isinstance(metadata, dict) else "it"
        raise MappingError(
            shown, header[0][0], f"the '#' metadata header: {what} is not a mapping of names"
        )
    if not body or tuple(body[0][1].split("\t")) != COLUMNS:
        raise MappingError(shown, body[0][0] if body else 1, f"columns must be {list(COLUMNS)}")
    prefixes = {**curie_map, "tpid": base, "tp": TP_IRI}
    links = tuple(_link(shown, n, ln, prefixes) for n, ln in body[1:] if ln.strip())
    return LinkSet(links, metadata)


def _link(shown: str, number: int, line: str, prefixes: Mapping[str, str]) -> Link:
    cells = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
    if len(cells) != len(COLUMNS):
        raise MappingError(shown, number, f"row has {len(cells)} cells, expected {len(COLUMNS)}")
    row = dict(zip(COLUMNS, cells, strict=True))
    if row["predicate_id"] not in PREDICATES:
        expected = " or ".join(PREDICATES)
        raise MappingError(shown, number, f"predicate '{row['predicate_id']}' is not {expected}")
    if not row["object_id"].startswith("wd:"):
        raise MappingError(shown, number, f"object '{row['object_id']}' is not a wd: item")
    if not row["see_also"]:
        raise MappingError(shown, number, "row has no see_also (every link needs its source)")
    try:
        confidence = float(row["confidence"])
    except ValueError as e:
        raise MappingError(
            shown, number, f"confidence '{row['confidence']}' is not a number"
        ) from e
    return Link(
        entity=_expand(shown, number, row["subject_id"], prefixes),
        match=PREDICATES[row["predicate_id"]],
        item=WD + row["object_id"].removeprefix("wd:"),
        label=row["object_label"],
        confidence=confidence,
        see_also=row["see_also"],
        line=number,
    )


def _expand(shown: str, number: int, curie: str, prefixes: Mapping[str, str]) -> str:
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in prefixes:
        raise MappingError(shown, number, f"subject '{curie}' has no known prefix")
    return prefixes[prefix] + local


# ---------------------------------------------------------------- reconciliation


class Entity(Struct, frozen=True):
    """An unlinked entity of the graph: its IRI, label, class and, for people, sport."""

    iri: str
    label: str
    kind: str
    sport_qid: str | None = None
    ioc_code: str | None = None


class Candidate(Struct, frozen=True):
    """A proposed link, with its score and the reasons for it."""

    entity: Entity
    qid: str
    label: str
    predicate: str
    score: float
    reasons: str


class WikidataClient:
    """SPARQL over HTTP with a disk cache, a pause between requests and backoff on 429."""

    def __init__(
        self,
        endpoint: str,
        cache: Path,
        offline: bool = False,
        delay: float = 1.0,
        retries: int = 4,
    ) -> None:
        self.endpoint = endpoint
        self.cache = cache
        self.offline = offline
        self.delay = delay
        self.retries = retries
        self.sent = 0
        self._last = 0.0

    def select(self, query: str) -> list[dict[str, str]]:
        """Return the solutions of a SELECT query as plain values by variable."""
        data = self._cached(query)
        try:
            result = ox.parse_query_results(data, ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as e:
            raise LinkError(self.endpoint, None, f"answered results that do not parse ({e})") from e
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        return [{n: _value(s[n]) for n in names if s[n] is not None} for s in result]

    def _cached(self, query: str) -> bytes:
        key = hashlib.sha256(f"{self.endpoint}\n{query}".encode()).hexdigest()
        path = self.cache / f"{key}.json"
        if path.exists():
            return path.read_bytes()
        if self.offline:
            raise LinkError(self.endpoint, None, "offline and this question is not in the cache")
        data = self._ask(query)
        self.cache.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return data

    def _ask(self, query: str) -> bytes:
        import requests

        headers = {"Accept": "application/sparql-results+json", "User-Agent": USER_AGENT}
        for attempt in range(self.retries + 1):
            time.sleep(max(0.0, self._last + self.delay - time.monotonic()))
            self._last = time.monotonic()
            self.sent += 1
            try:
                response = requests.post(
                    self.endpoint, data={"query": query}, headers=headers, timeout=60
                )
            except requests.exceptions.RequestException as e:
                if attempt == self.retries:
                    raise LinkError(
                        self.endpoint, None, f"cannot reach the endpoint ({type(e).__name__})"
                    ) from e
                time.sleep(2**attempt)
                continue
            if response.status_code == 429 and attempt < self.retries:
                time.sleep(_retry_after(response, attempt))
                continue
            if response.status_code != 200:
                raise LinkError(
                    self.endpoint,
                    None,
                    f"HTTP {response.status_code} answering a reconciliation query",
                )
            return response.content
        raise LinkError(self.endpoint, None, "rate-limited (HTTP 429) on every retry")


def _value(term: object) -> str:
    return str(getattr(term, "value", term))


def _retry_after(response: requests.Response, attempt: int) -> float:
    value = response.headers.get("Retry-After", "")
    return min(float(value), 60.0) if value.isdigit() else float(2**attempt)


def name_variants(name: str) -> list[str]:
    """Return the name as written and without diacritics (Engebråten → Engebraten)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return list(dict.fromkeys([name, plain]))


def reconcile_person(client: WikidataClient, entity: Entity, human: str) -> list[Candidate]:
    """Propose items by label or alias, variants without diacritics; a human of the sport."""
    names = [ox.Literal(n, language="en") for n in name_variants(entity.label)]
    rows = client.select(with_values(query_text("wikidata-person"), {"name": names}))
    by_item: dict[str, dict[str, set[str]]] = {}
    for row in rows:
        found = by_item.setdefault(row["item"], {"name": set(), "type": set(), "sport": set()})
        for key in ("name", "type", "sport"):
            if key in row:
                found[key].add(row[key])
    return [
        c for item, f in sorted(by_item.items()) if (c := _score_person(entity, item, f, human))
    ]


def _score_person(
    entity: Entity, item: str, found: dict[str, set[str]], human: str
) -> Candidate | None:
    if found["type"] and human not in found["type"]:
        return None  # a candidate of the wrong type (a ship, a film) is no person
    exact = entity.label in found["name"]
    score, reasons = (0.6, ["label as written"]) if exact else (0.5, ["label without diacritics"])
    if human in found["type"]:
        score, reasons = score + 0.3, [*reasons, "a human"]
    if entity.sport_qid and entity.sport_qid in found["sport"]:
        score, reasons = score + 0.1, [*reasons, "of the event's sport"]
    elif found["sport"]:
        score, reasons = score - 0.3, [*reasons, "of another sport"]
    if score < THRESHOLD:
        return None
    return Candidate(entity, item, entity.label, EXACT, round(score, 2), "; ".join(reasons))


def reconcile_noc(client: WikidataClient, entity: Entity) -> list[Candidate]:
    """Propose the item with the NOC's IOC code (P984): a country, so a close match only."""
    code = ox.Literal(entity.ioc_code or "")
    rows = client.select(with_values(query_text("wikidata-noc"), {"code": code}))
    items = sorted({r["item"]: r.get("label", "") for r in rows}.items())
    score = 0.9 if len(items) == 1 else 0.7
    reason = "IOC code (P984); the item is the country, not the committee"
    return [Candidate(entity, item, label, CLOSE, score, reason) for item, label in items]


def review_rows(candidates: Sequence[Candidate], base: str, date: str, endpoint: str) -> str:
    """Write proposals as SSSOM TSV for review, with the same header as the curated set."""
    out = io.StringIO()
    out.write("#curie_map:\n")
    for prefix, iri in (
        ("tpid", base),
        ("wd", WD),
        ("skos", PREFIXES["skos"]),
        ("semapv", "https://w3id.org/semapv/vocab/"),
    ):
        out.write(f"#  {prefix}: {iri}\n")
    out.write(
        f"#mapping_set_description: Proposed links from kg link against {endpoint}; "
        f"review before copying any into {LINK_SET}.\n"
    )
    out.write("\t".join(COLUMNS) + "\n")
    for c in sorted(candidates, key=lambda c: (c.entity.iri, -c.score, c.qid)):
        subject = "tpid:" + c.entity.iri.removeprefix(base)
        cells = [
            subject,
            c.entity.label,
            c.predicate,
            "wd:" + c.qid.removeprefix(WD),
            c.label,
            "semapv:LexicalMatching",
            f"{c.score:.2f}",
            "tpid:curation/kg-link",
            date,
            endpoint,
            c.reasons,
        ]
        out.write("\t".join(cells) + "\n")
    return out.getvalue()


# ---------------------------------------------------------------- the graph's linkable entities

LINKABLE = (
    "Athlete",
    "Person",
    "NOC",
    "Event",
    "OlympicGames",
    "Sport",
    "Discipline",
    "Venue",
    "Technique",
    "Innovation",
    "Competition",
)


def linkable_entities(graph: Graph, link_set: LinkSet) -> list[Entity]:
    """Return the graph's entities of linkable classes that the link set does not link."""
    linked = {link.entity for link in link_set.links}
    found: dict[str, Entity] = {}
    for row in graph.query(query_text("linkable-entities")):
        assert isinstance(row, ResultRow)
        entity, kind, label, sport, code = (str(v) if v is not None else None for v in row)
        local = (kind or "").removeprefix(TP_IRI)
        if entity is None or entity in linked or local not in LINKABLE or label is None:
            continue
        previous = found.get(entity)
        # An athlete is also a Person; keep the most specific class.
        if previous is None or LINKABLE.index(local) < LINKABLE.index(previous.kind):
            sport_qid = link_set.qid_of(sport) if sport else None
            found[entity] = Entity(entity, label, local, sport_qid, code)
    return sorted(found.values(), key=lambda e: (e.kind, e.iri))


def link_report(entities: Sequence[Entity], link_set: LinkSet) -> list[str]:
    """Say which entities are linked and which are not, with the reason."""
    lines = [
        f"linked\t{link.entity}\t{link.item}\t{link.see_also}"
        for link in sorted(link_set.links, key=lambda k: k.entity)
    ]
    reason = f"no checked QID in mappings/{LINK_SET} (see mappings/curated/MISSING.md)"
    lines += [f"unlinked\t{e.kind}\t{e.iri}\t{e.label}\t{reason}" for e in entities]
    return lines
