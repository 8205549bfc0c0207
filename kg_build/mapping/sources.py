"""Records → the JSON sources the rules read, one list of rows per source name.

A rule file declares the record type each source holds (``records:``), one of
``RECORD_TYPES``: the loader checks each ``$(field)`` a rule reads against that type's fields.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from msgspec import Struct
from rdflib import Literal, URIRef

from kg_build.model import dataset, records
from kg_build.model.records import Extraction, Link

# Every record type a source may hold: the classes whose rows the build exports.
RECORD_TYPES: dict[str, type] = {
    kind.__name__: kind
    for kind in (
        records.SourceArticle,
        records.Event,
        records.OtherEdition,
        records.Games,
        records.Sport,
        records.Venue,
        records.Noc,
        records.Person,
        records.TeamEntry,
        records.Round,
        records.Race,
        records.Result,
        records.MissingValue,
        records.MedalAward,
        records.Record,
        records.StandingRecord,
        records.Claim,
        Link,
        dataset.DatasetDescription,
        dataset.Distribution,
        dataset.Partition,
    )
}
# Fields every row has besides the record's own: its line and its article.
_ADDED_FIELDS = ("line", "article")


class RecordFields(Struct, frozen=True):
    """The fields a row of a record type has, and those holding an RDF term."""

    names: frozenset[str]
    terms: frozenset[str]


@functools.cache
def record_fields(kind: type) -> RecordFields:
    """Return the row fields of a record type (its fields less ``src``, plus line and article)."""
    hints = typing.get_type_hints(kind)
    names = {name for name in _field_names(kind) if name != "src"} | set(_ADDED_FIELDS)
    terms = {n for n in names if n in hints and _is_term(hints[n])}
    return RecordFields(frozenset(names), frozenset(terms))


def _is_term(hint: Any) -> bool:
    return hint in (URIRef, Literal) or set(typing.get_args(hint)) == {URIRef, Literal}


_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """Return a field's value as JSON values; an RDF term stays one (a str: its lexical form)."""
    if type(value) in _SCALARS:  # most values: checked first, as this runs for every field
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | date | datetime):
        return value.isoformat() if isinstance(value, date | datetime) else str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Struct):
        return {name: _plain(getattr(value, name)) for name in value.__struct_fields__}
    return value


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    # The names alone: msgspec.structs.fields() also resolves every type hint, each call.
    names: tuple[str, ...] = getattr(kind, "__struct_fields__", ())
    return names


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

    statements = [_record(c) for c in ex.claims]
    return {
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
        "claims": [c for c in statements if c["iri"]],  # reified: those with a claim IRI
        "statements": statements,
    }
