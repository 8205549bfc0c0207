"""Records → RDF by mapping rules in a strict subset of YARRRML (``mappings/rules/*.yaml``).

The subset (documented in mappings/README.md): ``prefixes``, ``sources`` named
``[records.json~jsonpath, "$.<name>[*]"]`` so the same file runs in an RML engine over the
records exported as JSON, and ``mappings`` with ``sources``, ``s`` and ``po``. Objects are
``$(field)`` literals, ``$(field)~iri`` or ``prefix:$(field)~iri`` IRIs, constant
``prefix:Term~iri`` IRIs; a third element gives the datatype. No functions, no conditions.
Every term a rule names is checked against the ontology when the rules are loaded.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg_build.defaults import PREFIXES, TP_IRI
from kg_build.errors import MappingError, OntologyError, one_line
from kg_build.languages import LANG_STRING, LANGUAGE_FILE, tag_languages
from kg_build.model import Extraction, Vocabulary
from kg_build.parse import display_path
from kg_build.yaml_source import YamlList, YamlMap, check_keys, load_yaml

RULES_DIR = "rules"
RECORDS_FILE = "records.json"
_REFERENCE = re.compile(r"\$\(([a-z_]+)\)")
# morph-kgc keeps each triple's terms in columns of these names: a record field so named is read
# as the triple's own term there, so the rules would mean something else in that engine.
_RESERVED_FIELDS = frozenset({"subject", "predicate", "object", "graph", "triple"})
_XSD_TYPES = frozenset(
    str(XSD[t])
    for t in (
        "string",
        "integer",
        "nonNegativeInteger",
        "positiveInteger",
        "decimal",
        "date",
        "dateTime",
        "gYear",
        "gYearMonth",
        "boolean",
        "anyURI",
    )
)


@dataclass(frozen=True, slots=True)
class Term:
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


@dataclass(frozen=True, slots=True)
class PredicateObject:
    """One ``po`` entry: predicate, object and, for a literal, its datatype."""

    predicate: Term
    object: Term
    datatype: str | None
    line: int


@dataclass(frozen=True, slots=True)
class MappingRule:
    """One YARRRML mapping: for each record of ``source``, a subject and its triples."""

    name: str
    source: str
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


# ---------------------------------------------------------------- ontology


def load_ontology(path: Path) -> Graph:
    """Parse the ontology's Turtle; a syntax error names its line."""
    return parse_turtle(path, Graph())


def parse_turtle(path: Path, graph: Graph) -> Graph:
    """Add a Turtle file of ours (the ontology, a shapes file) to ``graph``.

    Any error is one line with the file and, for a syntax error, its line and rdflib's reason
    alone (rdflib's message quotes the text around the error over three lines).
    """
    shown = display_path(path)
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as e:
        raise OntologyError(shown, None, "no such file") from e
    except BadSyntax as e:
        raise OntologyError(shown, e.lines + 1, f"not valid Turtle ({_syntax_reason(e)})") from e
    except (ParserError, OSError, UnicodeDecodeError, ValueError) as e:
        raise OntologyError(shown, None, f"not valid Turtle ({one_line(str(e))})") from e
    return graph


def _syntax_reason(error: BadSyntax) -> str:
    # rdflib keeps the reason alone only in a private attribute; its message adds the context.
    why = getattr(error, "_why", None)
    return one_line(why if isinstance(why, str) else error.message.split("\n")[1])


def vocabulary(ontology: Graph) -> Vocabulary:
    """Index the ontology's declared classes, properties (with ranges) and individuals."""
    classes = {s for s in ontology.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}
    objects = {
        s
        for kind in (OWL.ObjectProperty, RDF.Property)
        for s in ontology.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    }
    data = {
        s
        for kind in (OWL.DatatypeProperty, OWL.AnnotationProperty)
        for s in ontology.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    }
    members = {
        str(c): frozenset(str(s) for s in ontology.subjects(RDF.type, c) if isinstance(s, URIRef))
        for c in classes
    }
    individuals = frozenset().union(*members.values())
    code = URIRef(TP_IRI + "code")
    return Vocabulary(
        classes=frozenset(str(c) for c in classes),
        object_properties=frozenset(str(p) for p in objects),
        data_ranges={str(p): str(ontology.value(p, RDFS.range) or XSD.string) for p in data},
        individuals=individuals,
        members={c: m for c, m in members.items() if m},
        codes={str(s): str(o) for s, o in ontology.subject_objects(code) if isinstance(s, URIRef)},
        labels={
            str(s): str(o)
            for s, o in ontology.subject_objects(RDFS.label)
            if isinstance(s, URIRef) and str(s) in individuals
        },
    )


# ---------------------------------------------------------------- loading rules


def load_rules(folder: Path, vocab: Vocabulary) -> tuple[MappingRule, ...]:
    """Load every rule file of ``folder``, checking each term against the vocabulary."""
    rules: list[MappingRule] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name != LANGUAGE_FILE:  # the language table (kg_build/languages.py)
            rules.extend(_load_rule_file(path, vocab))
    if not rules:
        raise MappingError(display_path(folder), None, "no mapping rules (expected *.yaml)")
    return tuple(rules)


def _load_rule_file(path: Path, vocab: Vocabulary) -> list[MappingRule]:
    shown = display_path(path)
    doc = load_yaml(path, shown)
    check_keys(doc, shown, {"prefixes", "sources", "mappings"})
    prefixes = _prefixes(doc, shown)
    sources = _sources(doc, shown)
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


def _sources(doc: YamlMap, shown: str) -> dict[str, str]:
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
        names[name] = name
    return names


@dataclass(frozen=True, slots=True)
class _RuleLoader:
    shown: str
    prefixes: Mapping[str, str]
    vocab: Vocabulary

    def rule(self, name: str, node: Any, sources: dict[str, str], line: int) -> MappingRule:
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
        return MappingRule(
            name=name,
            source=node["sources"],
            subject=self._term(str(node["s"]), node.key_lines["s"], iri=True),
            predicate_objects=tuple(self._po(entry, po.line) for entry in po),
            path=self.shown,
            line=line,
            subject_line=node.key_lines["s"],
        )

    def _po(self, entry: Any, line: int) -> PredicateObject:
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
        return PredicateObject(predicate, obj, datatype, entry.line)

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
        if term.template not in _XSD_TYPES:
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
        for prefix, base in self.prefixes.items():
            if iri.startswith(base):
                return f"{prefix}:{iri.removeprefix(base)}"
        return iri


# ---------------------------------------------------------------- records → JSON sources


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


# ---------------------------------------------------------------- executing rules


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
        elif datatype == _XSD_STRING:
            add((URIRef(s), URIRef(p), Literal(value, normalize=False)))
        else:
            add((URIRef(s), URIRef(p), Literal(value, datatype=URIRef(datatype), normalize=False)))


def rules_to_ntriples(
    rules: tuple[MappingRule, ...], sources: dict[str, list[dict[str, Any]]], vocab: Vocabulary
) -> bytes:
    """Return the rules' triples as sorted N-Triples, written directly (no graph object).

    The same bytes as ``graph_to_bytes`` of the graph ``apply_rules`` fills, several times
    faster: the streamed build maps each article so. Lines are formatted as pyoxigraph writes
    them (``ntriples_literal``); each distinct IRI is still checked by pyoxigraph.
    """
    iris: dict[str, str] = {}

    def iri(value: str) -> str:
        term = iris.get(value)
        if term is None:
            ox.NamedNode(value)  # raises ValueError on a malformed IRI, as building a graph did
            term = iris[value] = f"<{value}>"
        return term

    lines = set()
    for s, p, value, datatype in rule_triples(rules, sources, vocab):
        if datatype is None:
            obj = iri(value)
        elif datatype == _XSD_STRING:
            obj = ntriples_literal(value)
        elif datatype.startswith("@"):
            obj = ntriples_literal(value) + datatype
        else:
            obj = f"{ntriples_literal(value)}^^{iri(datatype)}"
        lines.add(f"{iri(s)} {iri(p)} {obj} .\n")
    # Code point order is UTF-8 byte order: the lines sort as the bytes did.
    return "".join(sorted(lines)).encode("utf-8")


# N-Triples string escapes, as pyoxigraph (oxrdf) writes them: the named ones, \uXXXX for other
# control characters; everything else, non-ASCII included, as is.
_ESCAPES = {c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F)} | {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')


def ntriples_literal(value: str) -> str:
    """Return ``value`` as a quoted N-Triples string, escaped as pyoxigraph escapes it."""
    if _NEEDS_ESCAPE.search(value) is None:
        return f'"{value}"'
    return f'"{value.translate(_ESCAPES)}"'


_XSD_STRING = str(XSD.string)


@dataclass(frozen=True, slots=True)
class _Declared:
    """What the ontology declares, indexed once per run of the rules."""

    predicates: frozenset[str]
    terms: frozenset[str]
    bases: tuple[str, ...]

    @classmethod
    def of(cls, vocab: Vocabulary) -> _Declared:
        predicates = vocab.object_properties | vocab.data_ranges.keys() | {str(RDF.type)}
        return cls(frozenset(predicates), vocab.terms, tuple(_vocab_bases(vocab)))


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
            for value in _expand(po.object, record):
                yield subject, predicate, value, _datatype_of(po, value, declared, rule)


def _datatype_of(
    po: PredicateObject, value: str, declared: _Declared, rule: MappingRule
) -> str | None:
    if not po.object.is_iri:
        # RDF 1.1: a plain literal is an xsd:string; keep one form so equal strings are one term.
        return po.datatype or _XSD_STRING
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


def new_graph() -> Graph:
    """Return an empty graph with the project's prefixes bound, for readable Turtle."""
    graph = Graph(bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    return graph


def union_graph(graphs: Iterable[Graph]) -> Graph:
    """Return one graph holding the triples of all ``graphs``."""
    union = new_graph()
    for graph in graphs:
        union += graph
    return union


def named_dataset(named: Iterable[tuple[str, Graph]]) -> Dataset:
    """Return a dataset with each graph under its name (an article's IRI)."""
    dataset = Dataset(default_union=False)
    for prefix, iri in PREFIXES.items():
        dataset.bind(prefix, iri)
    for name, graph in named:
        target = dataset.graph(URIRef(name))
        for triple in graph:
            target.add(triple)
    return dataset
