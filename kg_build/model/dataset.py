"""The VoID/DCAT description of a build: the dataset, its files and its partitions."""

from __future__ import annotations

from datetime import date

from msgspec import Struct


class DatasetDescription(Struct, frozen=True):
    """The VoID/DCAT description of a build: counts, sources, licence, date."""

    iri: str
    title: str
    description: str
    license: str
    modified: date
    uri_space: str
    vocabulary: str
    triples: int
    entities: int
    classes: int
    properties: int
    distinct_subjects: int
    distinct_objects: int
    sources: tuple[str, ...]


class Distribution(Struct, frozen=True):
    """One file of the dataset."""

    iri: str
    dataset: str
    title: str
    download_url: str
    media_type: str
    byte_size: int


class Partition(Struct, frozen=True):
    """A VoID class or property partition: a term and how much of the data uses it."""

    iri: str
    dataset: str
    term: str
    count: int
