"""Claims: what the infobox counts and the curated prose facts state, with their text.

Each curated fact names the sentence it comes from; the build checks the sentence is in
the article and types each literal by its property's range in the ontology.
"""

from __future__ import annotations

import difflib

from msgspec import Struct
from rdflib import Literal, URIRef

from kg_build.curated.facts import FactEntry, FactTriple
from kg_build.defaults import PREFIXES, RDF_TYPE, TP_IRI
from kg_build.errors import MappingError
from kg_build.extract.round_days import stated_round_days
from kg_build.extract.rounds import RoundRead
from kg_build.extract.scope import Scope
from kg_build.messages import quote
from kg_build.model.article import BulletList, InfoboxField, Paragraph
from kg_build.model.diagnostics import diagnostic
from kg_build.model.records import Claim, RdfTerm
from kg_build.model.source import Diagnostic, SourceRef
from kg_build.rdf.ontology import typed_literal

_DECLARATIONS = {RDF_TYPE, PREFIXES["rdfs"] + "label"}


class ClaimsOut(Struct, frozen=True):
    """The claims of an article, and what its infobox states twice."""

    claims: tuple[Claim, ...]
    diagnostics: tuple[Diagnostic, ...]


def extract_claims(scope: Scope, rounds: tuple[RoundRead, ...] = ()) -> ClaimsOut:
    """Return the infobox's claims, the curated facts and the rounds' stated days."""
    counter: dict[int, int] = {}
    found = _repeated_keys(scope)
    claims = []
    for name in scope.settings.infobox_claims:
        for field in _stated(scope, name):
            if field.value.isdigit():
                claims.append(_infobox_claim(scope, name, field, counter))
            else:
                found.append(
                    diagnostic(
                        "unreadable-field",
                        field.src,
                        f"infobox {field.key} {quote(field.value)} is not a whole number",
                        field.value,
                        "no claim of it",
                    )
                )
    for entry in scope.reference.facts.get(scope.stem, ()):
        src = _find_sentence(scope, entry)
        claims.extend(_fact_claim(scope, entry, triple, src, counter) for triple in entry.triples)
    days = stated_round_days(scope, rounds, lambda line: _next_iri(scope, line, counter))
    return ClaimsOut((*claims, *days.claims), (*found, *days.diagnostics))


def _next_iri(scope: Scope, line: int, counter: dict[int, int]) -> str:
    counter[line] = counter.get(line, 0) + 1
    return scope.iris.claim(scope.stem, line, counter[line])


def _stated(scope: Scope, name: str) -> list[InfoboxField]:
    """Return the infobox fields of a claim's key: one for each value it states.

    A key that repeats with another value (``Competitors: 27`` then ``Competitors: 99``)
    states both, each kept as a claim with its line; an equal repeat states nothing new.
    """
    first = scope.infobox(name)
    if first is None:
        return []
    by_value: dict[str, InfoboxField] = {}
    for field in scope.article.infobox:
        if field.key == first.key:
            by_value.setdefault(field.value, field)
    return list(by_value.values())


def _repeated_keys(scope: Scope) -> list[Diagnostic]:
    """Report each infobox key the build reads that repeats with another value."""
    settings = scope.settings
    read = {key for keys in settings.infobox.values() for key in keys}
    read |= {key for medal in settings.medals for key in (medal.athletes, medal.noc)}
    claimed = {
        field.key: settings.infobox_claims[name]
        for name in settings.infobox_claims
        if (field := scope.infobox(name)) is not None
    }
    found: list[Diagnostic] = []
    values: dict[str, dict[str, InfoboxField]] = {}
    for field in scope.article.infobox:
        if field.key in read:
            values.setdefault(field.key, {}).setdefault(field.value, field)
    for key, by_value in values.items():
        if len(by_value) < 2:
            continue
        fields = list(by_value.values())
        listed = ", ".join(f"'{f.value}' ({f.src})" for f in fields)
        kept = (
            f"each is kept as a tp:Claim of tp:{claimed[key]}"
            if key in claimed
            else "the first is used"
        )
        found.append(
            diagnostic(
                "conflicting-values",
                fields[0].src,
                f"infobox key '{key}' has different values: {listed}; {kept}",
                "; ".join(f.value for f in fields),
                kept,
            )
        )
    return found


def _infobox_claim(scope: Scope, name: str, field: InfoboxField, counter: dict[int, int]) -> Claim:
    predicate = TP_IRI + scope.settings.infobox_claims[name]
    return Claim(
        iri=_next_iri(scope, field.src.line, counter),
        about=scope.event,
        property=predicate,
        value=_literal(scope, predicate, field.value, field.src.path, field.src.line),
        source_kind="infobox",
        text=f"{field.key}: {field.value}",
        article=scope.iris.article(scope.stem),
        src=field.src,
    )


def _find_sentence(scope: Scope, entry: FactEntry) -> SourceRef:
    blocks = [*scope.article.lead, *(b for s in scope.article.walk() for b in s.blocks)]
    for block in blocks:
        if isinstance(block, Paragraph) and entry.sentence in block.text:
            return block.src
        if isinstance(block, BulletList):
            for item in block.items:
                if entry.sentence in item.text:
                    return item.src
    raise MappingError(
        entry.path, entry.line, f"sentence not found in {scope.article.path}: '{entry.sentence}'"
    )


def _fact_claim(
    scope: Scope, entry: FactEntry, triple: FactTriple, src: SourceRef, counter: dict[int, int]
) -> Claim:
    predicate = (
        RDF_TYPE if triple.predicate == "a" else _term(scope, entry, triple, triple.predicate)
    )
    subject = _reference(scope, entry, triple, triple.subject)
    if predicate == RDF_TYPE or predicate in scope.inputs.vocab.object_properties:
        if not isinstance(triple.object, str):
            raise MappingError(
                entry.path,
                triple.line,
                f"'{triple.predicate}' takes a reference, not {triple.object!r}",
            )
        reference = _reference(scope, entry, triple, triple.object)
        value: RdfTerm = URIRef(reference)
        if predicate == RDF_TYPE and reference not in scope.inputs.vocab.classes:
            raise MappingError(
                entry.path, triple.line, f"'{triple.object}' is not a class of the ontology"
            )
    elif predicate in scope.inputs.vocab.data_ranges:
        value = _literal(scope, predicate, str(triple.object), entry.path, triple.line)
    else:
        raise MappingError(
            entry.path, triple.line, f"'{triple.predicate}' is not a property of the ontology"
        )
    return Claim(
        iri=None if predicate in _DECLARATIONS else _next_iri(scope, src.line, counter),
        about=subject,
        property=predicate,
        value=value,
        source_kind="prose",
        text=entry.sentence,
        article=scope.iris.article(scope.stem),
        src=src,
    )


def _literal(scope: Scope, predicate: str, value: str, path: str, line: int) -> Literal:
    """Type ``value`` by the property's range; a range or value it cannot is a path:line error."""
    try:
        return typed_literal(value, scope.inputs.vocab.data_ranges[predicate])
    except ValueError as e:
        short = predicate.removeprefix(TP_IRI)
        raise MappingError(path, line, f"the value of '{short}' cannot be typed: {e}") from e


def _reference(scope: Scope, entry: FactEntry, triple: FactTriple, ref: str) -> str:
    if ref == "event":
        return scope.event
    if ref.startswith("event:"):
        return f"{scope.event}/{ref.removeprefix('event:')}"
    if ref.startswith("id:"):
        return scope.iris.resolve(ref.removeprefix("id:"))
    return _term(scope, entry, triple, ref)


def _term(scope: Scope, entry: FactEntry, triple: FactTriple, ref: str) -> str:
    prefix, sep, local = ref.partition(":")
    if not sep or prefix not in PREFIXES:
        raise MappingError(
            entry.path,
            triple.line,
            f"'{ref}' is no reference (expected event, event:…, id:… or a prefixed term)",
        )
    iri = PREFIXES[prefix] + local
    if iri not in scope.inputs.vocab.terms:
        known = [
            t.removeprefix(PREFIXES[prefix])
            for t in scope.inputs.vocab.terms
            if t.startswith(PREFIXES[prefix])
        ]
        close = difflib.get_close_matches(local, known, n=1)
        hint = f" (did you mean '{prefix}:{close[0]}'?)" if close else ""
        raise MappingError(
            entry.path, triple.line, f"'{ref}' is not declared in the ontology{hint}"
        )
    return iri
