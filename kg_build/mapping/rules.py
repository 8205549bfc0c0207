"""Mapping rules in a strict subset of YARRRML: loaded into frozen ``MappingRule``s and checked.

The subset (documented in mappings/README.md): ``prefixes``, ``sources`` named
``[records.json~jsonpath, "$.<name>[*]"]`` as an RML engine reads the records exported as
JSON, ``records`` giving each source's record type, and ``mappings`` with ``sources``, ``s``
and ``po``. Objects are ``$(field)`` literals, ``$(field)~iri`` or ``prefix:$(field)~iri``
IRIs, constant ``prefix:Term~iri`` IRIs; a third element gives the datatype. A ``$(field)``
of a field holding an RDF term is that term, typed already. No functions, no conditions.
Every term a rule names is checked against the ontology, and every field it reads against
its source's record type, when the rules are loaded.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct
from rdflib.namespace import RDF

from kg_build.errors import MappingError
from kg_build.mapping.languages import LANGUAGE_FILE
from kg_build.mapping.sources import RECORD_TYPES, record_fields
from kg_build.messages import display_path
from kg_build.model.vocabulary import Vocabulary
from kg_build.rdf.curies import compress
from kg_build.rdf.ontology import LANG_STRING, LITERAL_TYPES
from kg_build.yaml_source import YamlList, YamlMap, check_keys, load_yaml

RULES_DIR = "rules"
RECORDS_FILE = "records.json"
_REFERENCE = re.compile(r"\$\(([a-z_]+)\)")
# morph-kgc keeps each triple's terms in columns of these names: a record field so named is read
# as the triple's own term there, so the rules would mean something else in that engine.
_RESERVED_FIELDS = frozenset({"subject", "predicate", "object", "graph", "triple"})
# The datatypes a rule may give a literal: those the build can type (rdf:langString is the
# language table's to give).
_RULE_TYPES = LITERAL_TYPES - {LANG_STRING}


class Term(Struct, frozen=True):
    """A rule's subject, predicate, object or datatype: a constant or a ``$(field)`` template."""

    template: str
    is_iri: bool

    @property
    def fields(self) -> tuple[str, ...]:
        """The record fields the template reads."""
        return _fields(self.template)


@functools.cache
def _fields(template: str) -> tuple[str, ...]:
    return tuple(_REFERENCE.findall(template))


class PredicateObject(Struct, frozen=True):
    """One ``po`` entry: predicate, object and, for a literal, its datatype.

    ``is_term``: the object is a field holding an RDF term (an IRI or a typed literal),
    written as the term it is.
    """

    predicate: Term
    object: Term
    datatype: str | None
    line: int
    is_term: bool = False


class MappingRule(Struct, frozen=True):
    """One YARRRML mapping: for each record of ``source``, a subject and its triples."""

    name: str
    source: str
    record_type: str | None  # the class of the source's records (RECORD_TYPES); None: standard
    subject: Term
    predicate_objects: tuple[PredicateObject, ...]
    path: str
    line: int
    subject_line: int

    def field_lines(self) -> Iterator[tuple[str, int]]:
        """Yield each record field the rule reads, with the line of the rule that reads it."""
        for field in self.subject.fields:
            yield field, self.subject_line
        for po in self.predicate_objects:
            for field in (*po.predicate.fields, *po.object.fields):
                yield field, po.line


def load_rules(
    folder: Path, vocab: Vocabulary, *, standard: bool = False
) -> tuple[MappingRule, ...]:
    """Load every rule file of ``folder``, checking each term against the vocabulary.

    ``standard``: the files are standard YARRRML, as ``kg records --rml`` writes them for an
    RML engine: no ``records`` (the fields are checked at the first record), and no field
    holds an RDF term (the rows are JSON; each rule gives its datatype).
    """
    rules: list[MappingRule] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name != LANGUAGE_FILE:  # the language table (kg_build/mapping/languages.py)
            rules.extend(_load_rule_file(path, vocab, standard))
    if not rules:
        raise MappingError(display_path(folder), None, "no mapping rules (expected *.yaml)")
    return tuple(rules)


def _load_rule_file(path: Path, vocab: Vocabulary, standard: bool) -> list[MappingRule]:
    shown = display_path(path)
    doc = load_yaml(path, shown)
    keys = {"prefixes", "sources", "mappings"}
    check_keys(doc, shown, keys if standard else keys | {"records"})
    prefixes = _prefixes(doc, shown)
    names = _sources(doc, shown)
    sources = dict.fromkeys(names) if standard else _record_types(doc, shown, names)
    mappings = doc["mappings"]
    if not isinstance(mappings, YamlMap):
        raise MappingError(shown, doc.key_lines["mappings"], "'mappings' must be a mapping")
    loader = _RuleLoader(shown, prefixes, vocab)
    return [
        loader.rule(name, node, sources, mappings.key_lines[name])
        for name, node in mappings.items()
    ]


def _prefixes(doc: YamlMap, shown: str) -> dict[str, str]:
    prefixes = doc["prefixes"]
    if not isinstance(prefixes, YamlMap) or not all(isinstance(v, str) for v in prefixes.values()):
        raise MappingError(shown, doc.key_lines["prefixes"], "'prefixes' must map names to IRIs")
    return dict(prefixes)


def _sources(doc: YamlMap, shown: str) -> dict[str, int]:
    sources = doc["sources"]
    if not isinstance(sources, YamlMap):
        raise MappingError(shown, doc.key_lines["sources"], "'sources' must be a mapping")
    names = {}
    for name, value in sources.items():
        expected = [f"{RECORDS_FILE}~jsonpath", f"$.{name}[*]"]
        if value != expected:
            raise MappingError(
                shown, sources.key_lines[name], f"source '{name}' must be {expected}, found {value}"
            )
        names[name] = sources.key_lines[name]
    return names


def _record_types(doc: YamlMap, shown: str, sources: dict[str, int]) -> dict[str, str]:
    """Return each source's record type, as ``records:`` declares it."""
    kinds = doc["records"]
    if not isinstance(kinds, YamlMap):
        raise MappingError(shown, doc.key_lines["records"], "'records' must be a mapping")
    for name in kinds:
        if name not in sources:
            raise MappingError(shown, kinds.key_lines[name], f"'{name}' is no source of this file")
        if kinds[name] not in RECORD_TYPES:
            close = difflib.get_close_matches(str(kinds[name]), sorted(RECORD_TYPES), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise MappingError(
                shown,
                kinds.key_lines[name],
                f"record type '{kinds[name]}' of source '{name}' is unknown ({hint}"
                f"expected one of: {', '.join(sorted(RECORD_TYPES))})",
            )
    for name, line in sources.items():
        if name not in kinds:
            raise MappingError(shown, line, f"source '{name}' has no record type in 'records'")
    return {name: str(kinds[name]) for name in sources}


class _RuleLoader(Struct, frozen=True):
    shown: str
    prefixes: Mapping[str, str]
    vocab: Vocabulary

    def rule(
        self, name: str, node: Any, sources: Mapping[str, str | None], line: int
    ) -> MappingRule:
        if not isinstance(node, YamlMap):
            raise MappingError(self.shown, line, f"mapping '{name}' must be a mapping")
        check_keys(node, self.shown, {"sources", "s", "po"})
        if node["sources"] not in sources:
            raise MappingError(
                self.shown, node.key_lines["sources"], f"unknown source '{node['sources']}'"
            )
        po = node["po"]
        if not isinstance(po, YamlList):
            raise MappingError(self.shown, node.key_lines["po"], "'po' must be a list")
        kind = sources[node["sources"]]
        fields = record_fields(RECORD_TYPES[kind]) if kind else None
        rule = MappingRule(
            name=name,
            source=node["sources"],
            record_type=kind,
            subject=self._term(str(node["s"]), node.key_lines["s"], iri=True),
            predicate_objects=tuple(
                self._po(entry, po.line, fields.terms if fields else frozenset()) for entry in po
            ),
            path=self.shown,
            line=line,
            subject_line=node.key_lines["s"],
        )
        if fields:
            self._check_fields(rule, fields.names)
        return rule

    def _check_fields(self, rule: MappingRule, names: frozenset[str]) -> None:
        """Raise, with the line that reads it, for a field the source's records lack."""
        for field, line in rule.field_lines():
            if field not in names:
                close = difflib.get_close_matches(field, sorted(names), n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                raise MappingError(
                    self.shown,
                    line,
                    f"mapping '{rule.name}' reads the field '{field}', which records of type "
                    f"'{rule.record_type}' (source '{rule.source}') do not have ({hint}they "
                    f"have: {', '.join(sorted(names))})",
                )

    def _po(self, entry: Any, line: int, term_fields: frozenset[str]) -> PredicateObject:
        if not isinstance(entry, YamlList) or len(entry) not in (2, 3):
            raise MappingError(
                self.shown, line, f"po entry {entry!r} is not [p, o] or [p, o, datatype]"
            )
        predicate_text, object_text = str(entry[0]), str(entry[1])
        if predicate_text == "a":
            cls = self._term(object_text, entry.line, iri=True)
            self._check(cls, self.vocab.classes, "class", entry.line)
            return PredicateObject(Term(str(RDF.type), True), cls, None, entry.line)
        predicate = self._term(predicate_text, entry.line, iri=True)
        self._check(
            predicate,
            self.vocab.object_properties | self.vocab.data_ranges.keys(),
            "property",
            entry.line,
        )
        is_iri = object_text.endswith("~iri")
        obj = self._term(object_text.removesuffix("~iri"), entry.line, iri=is_iri)
        if is_iri and not obj.fields:
            self._check(obj, self.vocab.terms, "term", entry.line)
        datatype = self._datatype(entry[2], entry.line) if len(entry) == 3 else None
        is_term = bool(obj.fields) and obj.fields[0] in term_fields
        if is_term and (is_iri or datatype or obj.template != f"$({obj.fields[0]})"):
            raise MappingError(
                self.shown,
                entry.line,
                f"field '{obj.fields[0]}' holds an RDF term, typed already: write it as "
                f"$({obj.fields[0]}) alone, without ~iri or a datatype",
            )
        return PredicateObject(predicate, obj, datatype, entry.line, is_term)

    def _term(self, text: str, line: int, iri: bool) -> Term:
        if len(_fields(text)) > 1:
            raise MappingError(
                self.shown, line, f"template '{text}' reads more than one field (one at most)"
            )
        for field in _fields(text):
            if field in _RESERVED_FIELDS:
                raise MappingError(
                    self.shown,
                    line,
                    f"field '{field}' is reserved (an RML engine reads it as "
                    "the triple's own term); rename the record's field",
                )
        if not iri or text.startswith("$("):
            return Term(text, iri)
        prefix, sep, local = text.partition(":")
        if not sep or prefix not in self.prefixes:
            raise MappingError(self.shown, line, f"'{text}' uses an undeclared prefix '{prefix}'")
        return Term(self.prefixes[prefix] + local, True)

    def _datatype(self, text: Any, line: int) -> str:
        term = self._term(str(text), line, iri=True)
        if term.template not in _RULE_TYPES:
            raise MappingError(
                self.shown, line, f"datatype '{text}' is not one of the XSD types rules may use"
            )
        return term.template

    def _check(self, term: Term, known: frozenset[str] | Any, what: str, line: int) -> None:
        if term.fields or term.template in known:
            return
        close = difflib.get_close_matches(term.template, sorted(known), n=1)
        hint = f" (did you mean '{self._short(close[0])}'?)" if close else ""
        raise MappingError(
            self.shown,
            line,
            f"{what} '{self._short(term.template)}' is not declared in the ontology{hint}",
        )

    def _short(self, iri: str) -> str:
        """Return the IRI by the rule file's own prefixes, as its author wrote them; else whole."""
        return compress(iri, self.prefixes) or iri
