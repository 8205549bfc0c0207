"""The language of string literals: which are English text (@en) and which stay plain.

The table is data (``mappings/rules/language.yaml``, documented there and in
``ontology/README.md``); the map stage applies it to every string literal the rules write,
whatever gave it (an extracted record, a facts file, a curated row).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from rdflib.namespace import RDF, RDFS

from kg_build.errors import MappingError
from kg_build.messages import display_path
from kg_build.model.vocabulary import LanguageTable, Vocabulary
from kg_build.yaml_source import YamlList, YamlMap, check_keys, load_yaml

LANGUAGE_FILE = "language.yaml"
LANG_STRING = str(RDF.langString)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LABEL = str(RDFS.label)
_TYPE = str(RDF.type)
_SUBJECT = str(RDF.subject)
_PREDICATE = str(RDF.predicate)

Triple = tuple[str, str, str, str | None]


def load_languages(folder: Path, vocab: Vocabulary) -> LanguageTable | None:
    """Read ``folder/language.yaml`` (None when there is none), checked against the ontology.

    A property the ontology ranges over rdf:langString must be text, one ranged over
    xsd:string plain, and every term must be declared.
    """
    path = folder / LANGUAGE_FILE
    if not path.exists():
        return None
    shown = display_path(path)
    doc = load_yaml(path, shown)
    check_keys(doc, shown, {"prefixes", "language", "text", "plain", "claim_object"})
    prefixes = doc["prefixes"]
    if not isinstance(prefixes, YamlMap):
        raise MappingError(shown, doc.line, "'prefixes' must map names to IRIs")
    reader = _Reader(shown, dict(prefixes), vocab)
    text, text_lines = reader.section(doc, "text")
    plain, plain_lines = reader.section(doc, "plain")
    table = LanguageTable(
        language=str(doc["language"]),
        text_properties=frozenset(text["properties"]),
        plain_properties=frozenset(plain["properties"]),
        text_classes=frozenset(text["labels_of"]),
        name_classes=frozenset(plain["labels_of"]),
        claim_object=reader.iri(str(doc["claim_object"]), doc.key_lines["claim_object"]),
        path=shown,
        line=doc.line,
    )
    _check_ranges(table, vocab, {**text_lines, **plain_lines})
    both = (table.text_properties & table.plain_properties) | (
        table.text_classes & table.name_classes
    )
    if both:
        raise MappingError(shown, doc.line, f"'{sorted(both)[0]}' is both text and plain")
    return table


class _Reader:
    def __init__(self, shown: str, prefixes: dict[str, str], vocab: Vocabulary) -> None:
        self.shown, self.prefixes, self.vocab = shown, prefixes, vocab

    def iri(self, curie: str, line: int) -> str:
        prefix, sep, local = curie.partition(":")
        if not sep or prefix not in self.prefixes:
            raise MappingError(self.shown, line, f"'{curie}' uses an undeclared prefix")
        iri = self.prefixes[prefix] + local
        if iri not in self.vocab.terms:
            raise MappingError(self.shown, line, f"'{curie}' is not declared in the ontology")
        return iri

    def section(
        self, doc: YamlMap, name: str
    ) -> tuple[dict[str, list[str]], dict[str, tuple[str, int]]]:
        node = doc[name]
        if not isinstance(node, YamlMap):
            raise MappingError(self.shown, doc.key_lines[name], f"'{name}' must be a mapping")
        check_keys(node, self.shown, {"properties", "labels_of"})
        terms: dict[str, list[str]] = {}
        lines: dict[str, tuple[str, int]] = {}
        for key in ("properties", "labels_of"):
            items = node[key]
            if not isinstance(items, YamlList):
                raise MappingError(self.shown, node.key_lines[key], f"'{key}' must be a list")
            terms[key] = [self.iri(str(c), items.line) for c in items]
            if key == "properties":
                lines |= dict.fromkeys(terms[key], (name, items.line))
        return terms, lines


def _check_ranges(
    table: LanguageTable, vocab: Vocabulary, lines: dict[str, tuple[str, int]]
) -> None:
    for prop, (section, line) in sorted(lines.items()):
        declared = vocab.data_ranges.get(prop)
        wanted = LANG_STRING if section == "text" else _XSD_STRING
        if declared is not None and declared != wanted:
            raise MappingError(
                table.path,
                line,
                f"'{prop}' is {section} here, but its rdfs:range in the ontology is "
                f"'{declared}' (expected '{wanted}')",
            )
    for prop, declared in sorted(vocab.data_ranges.items()):
        if declared == LANG_STRING and prop not in table.text_properties:
            raise MappingError(
                table.path, table.line, f"'{prop}' ranges over rdf:langString but is not text"
            )


def tag_languages(triples: Iterable[Triple], table: LanguageTable | None) -> Iterator[Triple]:
    """Yield the triples with each English text literal's datatype as ``@<language>``.

    Labels go by the subject's classes and a claim's object by its predicate, both read from
    the same triples; a string literal the table does not place is a ``file:line`` error.
    """
    if table is None:
        yield from triples
        return
    batch = list(triples)
    classes: dict[str, set[str]] = {}
    claims: dict[str, dict[str, str]] = {}
    for s, p, o, datatype in batch:
        if datatype is None and p == _TYPE:
            classes.setdefault(s, set()).add(o)
        elif datatype is None and p in (_SUBJECT, _PREDICATE):
            claims.setdefault(s, {})[p] = o
    tag = "@" + table.language
    for s, p, o, datatype in batch:
        if datatype != _XSD_STRING:
            yield s, p, o, datatype
            continue
        about, prop = s, p
        if p == table.claim_object:  # as the statement the claim reifies
            claim = claims.get(s, {})
            about, prop = claim.get(_SUBJECT, s), claim.get(_PREDICATE, p)
        yield s, p, o, tag if _is_text(table, classes, about, prop, o) else datatype


def _is_text(
    table: LanguageTable, classes: dict[str, set[str]], s: str, p: str, value: str
) -> bool:
    if p in table.text_properties:
        return True
    if p in table.plain_properties:
        return False
    if p != _LABEL:
        raise MappingError(
            table.path,
            table.line,
            f"property '{p}' has the string '{value}' but is neither text nor plain",
        )
    kinds = classes.get(s, set())
    if kinds & table.text_classes and kinds & table.name_classes:
        raise MappingError(
            table.path,
            table.line,
            f"rdfs:label '{value}' of <{s}>, whose classes are both text and plain "
            f"({', '.join(sorted(kinds))})",
        )
    # A name (a person's) only where the subject is of a plain class: any other label,
    # an untyped subject's too (an organisation a facts file names), is English text.
    return not kinds & table.name_classes
