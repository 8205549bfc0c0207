"""What the ontology declares, indexed for the build, and the language table of literals."""

from __future__ import annotations

from collections.abc import Mapping

from msgspec import Struct


class LanguageTable(Struct, frozen=True):
    """Which string literals are English text and which stay plain (``rules/language.yaml``)."""

    language: str  # the tag of text literals: en
    text_properties: frozenset[str]
    plain_properties: frozenset[str]
    text_classes: frozenset[str]  # an rdfs:label of a subject of these classes is text
    name_classes: frozenset[str]  # … of these a name: plain
    claim_object: str  # rdf:object: as the values of its claim's rdf:predicate
    path: str
    line: int


class Vocabulary(Struct, frozen=True):
    """The terms the ontology declares, as IRI strings, with each data property's range."""

    classes: frozenset[str]
    object_properties: frozenset[str]
    data_ranges: Mapping[str, str]
    individuals: frozenset[str]
    members: Mapping[str, frozenset[str]]  # class → its individuals
    codes: Mapping[str, str]  # individual → its tp:code (record types: WR …)
    labels: Mapping[str, str]  # individual → its rdfs:label (record types: world record …)
    # The language table of the rules folder (load_config adds it): None tags nothing.
    languages: LanguageTable | None = None

    @property
    def terms(self) -> frozenset[str]:
        """Every declared class, property and individual."""
        return self.classes | self.object_properties | self.data_ranges.keys() | self.individuals
