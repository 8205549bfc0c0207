"""The executor: every rule over every record of its source, as (s, p, o, datatype) strings.

A field holding an RDF term (a claim's value) is written as that term, checked against the
predicate's rdfs:range; other literals take the rule's datatype, or xsd:string.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg_build.errors import MappingError
from kg_build.mapping.languages import tag_languages
from kg_build.mapping.rules import RULES_DIR, MappingRule, PredicateObject, Term
from kg_build.model.vocabulary import Vocabulary
from kg_build.rdf.ontology import LANG_STRING, XSD_STRING


def apply_rules(
    rules: tuple[MappingRule, ...],
    sources: dict[str, list[dict[str, Any]]],
    vocab: Vocabulary,
    graph: Graph,
) -> None:
    """Add the triples of every rule over every record of its source to ``graph``."""
    add = graph.add
    # normalize=False: a value keeps the form the records give it, as rules_to_ntriples writes
    # it ("007", "yes"), so that validation sees it (rdflib would write "7" and "false").
    for s, p, value, datatype in rule_triples(rules, sources, vocab):
        if datatype is None:
            add((URIRef(s), URIRef(p), URIRef(value)))
        elif datatype.startswith("@"):
            add((URIRef(s), URIRef(p), Literal(value, lang=datatype[1:])))
        elif datatype == XSD_STRING:
            add((URIRef(s), URIRef(p), Literal(value, normalize=False)))
        else:
            add((URIRef(s), URIRef(p), Literal(value, datatype=URIRef(datatype), normalize=False)))


class _Declared(Struct, frozen=True):
    """What the ontology declares, indexed once per run of the rules."""

    predicates: frozenset[str]
    terms: frozenset[str]
    bases: tuple[str, ...]
    ranges: Mapping[str, str]  # data property → its rdfs:range

    @classmethod
    def of(cls, vocab: Vocabulary) -> _Declared:
        predicates = vocab.object_properties | vocab.data_ranges.keys() | {str(RDF.type)}
        return cls(
            frozenset(predicates), vocab.terms, tuple(_vocab_bases(vocab)), vocab.data_ranges
        )


def rule_triples(
    rules: tuple[MappingRule, ...], sources: dict[str, list[dict[str, Any]]], vocab: Vocabulary
) -> Iterator[tuple[str, str, str, str | None]]:
    """Yield (subject, predicate, object, datatype) of every rule over every record.

    The datatype is None for an IRI object; a plain literal has xsd:string, and English
    text (the vocabulary's language table) ``@en`` instead of a datatype.
    """
    covered = {r.source for r in rules}
    folder = Path(rules[0].path).parent.as_posix() if rules else RULES_DIR
    for name, records in sources.items():
        if records and name not in covered:
            raise MappingError(
                folder, None, f"no rule reads the source '{name}' ({len(records)} records)"
            )
    yield from tag_languages(_all_triples(rules, sources, _Declared.of(vocab)), vocab.languages)


def _all_triples(
    rules: tuple[MappingRule, ...], sources: dict[str, list[dict[str, Any]]], declared: _Declared
) -> Iterator[tuple[str, str, str, str | None]]:
    for rule in rules:
        records = sources.get(rule.source, [])
        if records:  # the records of a source share their fields: the first one tells them
            _check_fields(rule, records[0])
        for record in records:
            yield from _triples(rule, record, declared)


def _check_fields(rule: MappingRule, record: dict[str, Any]) -> None:
    """Raise, with the rule's line, for a field the source's records do not have."""
    for field, line in rule.field_lines():
        if field not in record:
            close = difflib.get_close_matches(field, sorted(record), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise MappingError(
                rule.path,
                line,
                f"mapping '{rule.name}' reads the field '{field}', which the records of source "
                f"'{rule.source}' do not have ({hint}they have: {', '.join(sorted(record))})",
            )


def _triples(
    rule: MappingRule, record: dict[str, Any], declared: _Declared
) -> Iterator[tuple[str, str, str, str | None]]:
    subjects = _expand(rule.subject, record)
    if len(subjects) != 1:
        return
    (subject,) = subjects
    for po in rule.predicate_objects:
        for predicate in _expand(po.predicate, record):
            if po.predicate.fields and predicate not in declared.predicates:
                raise MappingError(
                    rule.path,
                    po.line,
                    f"record predicate '{predicate}' is not declared in the ontology",
                )
            if po.is_term:
                term = record[po.object.fields[0]]
                if term is not None:
                    datatype = _term_type(term, predicate, declared, rule, po.line)
                    yield subject, predicate, str(term), datatype
                continue
            for value in _expand(po.object, record):
                yield subject, predicate, value, _datatype_of(po, value, declared, rule)


def _term_type(
    term: Any, predicate: str, declared: _Declared, rule: MappingRule, line: int
) -> str | None:
    """Return the datatype of a field's RDF term (None: an IRI), checked against the range.

    A literal of a data property must have its rdfs:range as datatype (a plain string: for
    rdf:langString too, which the language table tags); an IRI must not be a data property's.
    """
    expected = declared.ranges.get(predicate)
    if isinstance(term, URIRef):
        if expected is None:
            return None
        found = "an IRI"
    elif isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype else XSD_STRING
        datatype = f"@{term.language}" if term.language else datatype
        wanted = XSD_STRING if expected == LANG_STRING else expected
        if expected is None or datatype == wanted or (expected == LANG_STRING and term.language):
            return datatype
        found = f"a literal of {datatype}"
    else:
        raise MappingError(rule.path, line, f"mapping '{rule.name}': {term!r} is not an RDF term")
    raise MappingError(
        rule.path,
        line,
        f"mapping '{rule.name}': the value '{term}' of '{predicate}' is {found}, "
        f"but the property's rdfs:range is '{expected}'",
    )


def _datatype_of(
    po: PredicateObject, value: str, declared: _Declared, rule: MappingRule
) -> str | None:
    if not po.object.is_iri:
        # RDF 1.1: a plain literal is an xsd:string; keep one form so equal strings are one term.
        return po.datatype or XSD_STRING
    if (
        po.object.fields
        and po.object.template.startswith(declared.bases)
        and value not in declared.terms
    ):
        raise MappingError(rule.path, po.line, f"'{value}' is not declared in the ontology")
    return None


def _vocab_bases(vocab: Vocabulary) -> set[str]:
    return {t.rsplit("#", 1)[0] + "#" for t in vocab.individuals if "#" in t}


def _expand(term: Term, record: dict[str, Any]) -> list[str]:
    """Return the template filled from the record: one value per list item, none for None."""
    fields = term.fields
    if not fields:
        return [term.template]
    # One field at most (checked when loaded), which the source's records have (checked at
    # the first record: a source's records share their fields).
    (name,) = fields
    value = record[name]
    if value is None:
        return []
    template, placeholder = term.template, f"$({name})"
    if isinstance(value, list):
        return [template.replace(placeholder, _lexical(v)) for v in value if v is not None]
    return [template.replace(placeholder, _lexical(value))]


def _lexical(value: Any) -> str:
    """Return a field's value as a literal's lexical form (xsd:boolean's is lower-case)."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
