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
    yield from tag_languages(_all_triples(rules, sources, vocab), vocab.languages)


def _all_triples(
    rules: tuple[MappingRule, ...], sources: dict[str, list[dict[str, Any]]], vocab: Vocabulary
) -> Iterator[tuple[str, str, str, str | None]]:
    declared, plans = _plans(rules, vocab)
    for rule, plan in zip(rules, plans, strict=True):
        records = sources.get(rule.source, [])
        if records:  # the records of a source share their fields: the first one tells them
            _check_fields(rule, records[0])
            for record in records:
                yield from plan.triples(record, declared)


# The plans of the last rules and vocabulary run: a build runs the same ones for every article
# (readying them each time was 7% of the map stage). Kept with the objects they were made
# from, which identity compares, so an id is never reused while it is kept; read once per
# run, so a thread that runs other rules meanwhile replaces the entry but never mixes it.
_Made = tuple[tuple[MappingRule, ...], Vocabulary, _Declared, tuple["_Plan", ...]]
_last_plans: list[_Made] = []


def _plans(
    rules: tuple[MappingRule, ...], vocab: Vocabulary
) -> tuple[_Declared, tuple[_Plan, ...]]:
    for made_rules, made_vocab, declared, plans in _last_plans[-1:]:
        if made_rules is rules and made_vocab is vocab:
            return declared, plans
    declared = _Declared.of(vocab)
    plans = tuple(_Plan.of(rule, declared) for rule in rules)
    _last_plans[:] = [(rules, vocab, declared, plans)]
    return declared, plans


class _Filler(Struct, frozen=True):
    """A rule's term, ready to fill: its template, and the one field it reads (or None)."""

    template: str
    field: str | None
    placeholder: str

    @classmethod
    def of(cls, term: Term) -> _Filler:
        fields = term.fields  # one at most (checked when the rules load)
        field = fields[0] if fields else None
        return cls(term.template, field, f"$({field})" if field else "")

    def fill(self, record: dict[str, Any]) -> list[str]:
        """Return the template filled from the record: one value per list item, none for None."""
        if self.field is None:
            return [self.template]
        value = record[self.field]
        if value is None:
            return []
        if isinstance(value, list):
            return [
                self.template.replace(self.placeholder, _lexical(v)) for v in value if v is not None
            ]
        return [self.template.replace(self.placeholder, _lexical(value))]


class _Step(Struct, frozen=True):
    """One ``po`` entry of a rule, with what its objects need decided once per rule."""

    po: PredicateObject
    predicate: _Filler
    object: _Filler
    checked_predicate: bool  # a field gives the predicate: it must be declared
    datatype: str | None  # a literal's (None: an IRI object)
    checked_object: bool  # an IRI object in the ontology's namespace: it must be declared


class _Plan(Struct, frozen=True):
    """A rule made ready for its records: the templates and checks each triple needs."""

    rule: MappingRule
    subject: _Filler
    steps: tuple[_Step, ...]

    @classmethod
    def of(cls, rule: MappingRule, declared: _Declared) -> _Plan:
        steps = tuple(
            _Step(
                po,
                _Filler.of(po.predicate),
                _Filler.of(po.object),
                bool(po.predicate.fields),
                None if po.object.is_iri else po.datatype or XSD_STRING,
                po.object.is_iri
                and bool(po.object.fields)
                and po.object.template.startswith(declared.bases),
            )
            for po in rule.predicate_objects
        )
        return cls(rule, _Filler.of(rule.subject), steps)

    def triples(
        self, record: dict[str, Any], declared: _Declared
    ) -> Iterator[tuple[str, str, str, str | None]]:
        """Yield the rule's triples over one record."""
        subjects = self.subject.fill(record)
        if len(subjects) != 1:
            return
        (subject,) = subjects
        rule = self.rule
        for step in self.steps:
            po = step.po
            for predicate in step.predicate.fill(record):
                if step.checked_predicate and predicate not in declared.predicates:
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
                for value in step.object.fill(record):
                    if step.checked_object and value not in declared.terms:
                        raise MappingError(
                            rule.path, po.line, f"'{value}' is not declared in the ontology"
                        )
                    yield subject, predicate, value, step.datatype


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


def _vocab_bases(vocab: Vocabulary) -> set[str]:
    return {t.rsplit("#", 1)[0] + "#" for t in vocab.individuals if "#" in t}


def _lexical(value: Any) -> str:
    """Return a field's value as a literal's lexical form (xsd:boolean's is lower-case)."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
