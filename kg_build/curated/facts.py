"""Curated facts: a YAML file per article of ``mappings/facts/``, its sentences and triples."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from msgspec import Struct

from kg_build.curated.fields import list_field, string_field
from kg_build.errors import MappingError
from kg_build.messages import display_path
from kg_build.yaml_source import YamlList, YamlMap, check_keys, load_yaml


class FactTriple(Struct, frozen=True):
    """One triple of a curated fact, as written: references and scalars."""

    subject: str
    predicate: str
    object: str | int | float
    line: int


class FactEntry(Struct, frozen=True):
    """A sentence of an article and the triples it states."""

    sentence: str
    triples: tuple[FactTriple, ...]
    path: str
    line: int


def load_facts(folders: Sequence[Path]) -> dict[str, tuple[FactEntry, ...]]:
    """Read the facts of each folder (packaged, then a project's): one file per article.

    An article's facts given in two folders are read once if the files are the same, and
    are an error naming both files otherwise.
    """
    facts: dict[str, tuple[FactEntry, ...]] = {}
    first: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            shown = display_path(path)
            doc = load_yaml(path, shown)
            check_keys(doc, shown, {"article", "facts"})
            article = string_field(doc, "article", shown)
            if article != path.stem:
                raise MappingError(
                    shown,
                    doc.key_lines["article"],
                    f"article '{article}' is not the file's stem '{path.stem}'",
                )
            if article in first:
                if first[article].read_bytes() == path.read_bytes():
                    continue
                raise MappingError(
                    shown,
                    doc.key_lines["article"],
                    f"the facts of '{article}' are also in {display_path(first[article])}, "
                    "with other content; an article's facts are one file: remove one, or make "
                    "them the same",
                )
            first[article] = path
            facts[article] = tuple(_fact_entry(n, shown) for n in list_field(doc, "facts", shown))
    return facts


def _fact_entry(node: Any, shown: str) -> FactEntry:
    if not isinstance(node, YamlMap):
        raise MappingError(shown, None, "each fact must be a mapping with 'sentence' and 'triples'")
    check_keys(node, shown, {"sentence", "triples"})
    triples = tuple(_fact_triple(t, shown) for t in list_field(node, "triples", shown))
    return FactEntry(string_field(node, "sentence", shown), triples, shown, node.line)


def _fact_triple(node: Any, shown: str) -> FactTriple:
    if not isinstance(node, YamlList) or len(node) != 3:
        line = node.line if isinstance(node, YamlList) else None
        raise MappingError(shown, line, "a triple must be a list [subject, predicate, object]")
    subject, predicate, obj = node
    if not isinstance(subject, str) or not isinstance(predicate, str):
        raise MappingError(shown, node.line, "a triple's subject and predicate must be strings")
    if not isinstance(obj, str | int | float) or isinstance(obj, bool):
        raise MappingError(
            shown, node.line, f"a triple's object must be a string or a number, not {obj!r}"
        )
    return FactTriple(subject, predicate, obj, node.line)
