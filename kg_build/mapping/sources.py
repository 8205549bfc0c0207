"""Records → the JSON sources the rules read, one list of rows per source name."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from rdflib.namespace import XSD

from kg_build.languages import LANG_STRING
from kg_build.mapping.execute import XSD_STRING as _XSD_STRING
from kg_build.model.records import Extraction

_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    if type(value) in _SCALARS:  # most values: checked first, as this runs for every field
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | date | datetime):
        return value.isoformat() if isinstance(value, date | datetime) else str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


def _as_json(obj: Any, article: str) -> dict[str, Any]:
    """Render a record as JSON values, with the article and line it comes from."""
    kind: type = type(obj)
    fields = {name: _plain(getattr(obj, name)) for name in _field_names(kind)}
    src = fields.pop("src", None)
    return {
        **fields,
        "line": src["line"] if src else fields.get("line"),
        "article": fields.get("article", article),
    }


def as_sources(groups: Mapping[str, Iterable[Any]]) -> dict[str, list[dict[str, Any]]]:
    """Export records that belong to no article as JSON sources, one list per name."""
    return {name: [_as_json(r, "") for r in records] for name, records in groups.items()}


def record_sources(extraction: Extraction) -> dict[str, list[dict[str, Any]]]:
    """Export the records as the JSON sources the rules read, one list per source name."""
    ex = extraction

    def _record(obj: Any) -> dict[str, Any]:
        return _as_json(obj, ex.article.iri)

    claims = [_record(c) for c in ex.claims]
    sources: dict[str, list[dict[str, Any]]] = {
        "articles": [_record(ex.article)],
        "events": [_record(ex.event)],
        "editions": [_record(e) for e in ex.other_editions],
        "games": [_record(ex.games)],
        "sports": [_record(s) for s in ex.sports if s.sport is None],
        "disciplines": [_record(s) for s in ex.sports if s.sport is not None],
        "venues": [_record(ex.venue)] if ex.venue else [],
        "nocs": [_record(n) for n in ex.nocs],
        "athletes": [_record(p) for p in ex.people if p.is_athlete],
        "teams": [_record(t) for t in ex.teams],
        "rounds": [_record(r) for r in ex.rounds],
        "races": [_record(r) for r in ex.races],
        "results": [_record(r) for r in ex.results],
        "missing": [_record(m) for m in ex.missing],
        "medals": [_record(m) for m in ex.medals],
        "records": [_record(r) for r in ex.records],
        "standing_records": [_record(r) for r in ex.standing_records],
        "claims": [c for c in claims if c["iri"]],
    }
    for claim in claims:
        # The object's datatype names the source, so each rule has one static datatype.
        # English text (rdf:langString) is a string here: the language table tags it.
        datatype = _XSD_STRING if claim["datatype"] == LANG_STRING else str(claim["datatype"])
        kind = "iri" if claim["is_iri"] else datatype.removeprefix(str(XSD))
        sources.setdefault(f"statements_{kind}", []).append(claim)
        if claim["iri"]:
            sources.setdefault(f"claim_objects_{kind}", []).append(claim)
    return sources
