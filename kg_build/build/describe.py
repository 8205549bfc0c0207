"""The dataset's VoID and DCAT description: counts, files, sources, licence and date.

The date is the sources' own (SOURCE_DATE_EPOCH if set, else the newest source file's
modification day), never the clock, so the same sources describe the same way.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from kg_build.defaults import PREFIXES, RDF_TYPE, TP_IRI
from kg_build.model import DatasetDescription, Distribution, Partition
from kg_build.rdf.curies import compress
from kg_build.rdf.iris import slug

LICENSE = "https://creativecommons.org/licenses/by-sa/4.0/"
TITLE = "Olympic team pursuit knowledge graph"
DESCRIPTION = (
    "Events, rounds, races, results, teams, athletes, records, medals and techniques of "
    "Olympic team pursuit events, extracted from Wikipedia-style articles (CC BY-SA)."
)


def sources_date(paths: Sequence[Path]) -> date:
    """Return the build date the sources give: SOURCE_DATE_EPOCH, else their newest file."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    newest = max((p.stat().st_mtime for p in paths if p.exists()), default=0.0)
    return datetime.fromtimestamp(newest, tz=UTC).date()


def describe(
    ntriples: bytes,
    base: str,
    articles: Sequence[str],
    files: Mapping[str, tuple[str, int]],
    modified: date,
) -> dict[str, Sequence[object]]:
    """Return the description's records by source name; ``files`` maps name → (type, size).

    ``ntriples`` is the graph as the build writes it (build/lines.py), read line by line:
    parsed into terms, it took some 10 ms of a bundled build.
    """
    dataset = f"{base}dataset"
    # An IRI holds no space: subject and predicate end at the line's first two spaces, and
    # the object is the rest before " ." (canonical N-Triples: one form per term).
    triples = [line[:-2].split(b" ", 2) for line in ntriples.splitlines()]
    subjects = {s for s, _, _ in triples}
    entities = {s for s in subjects if s.startswith(b"<" + base.encode())}
    rdf_type = f"<{RDF_TYPE}>".encode()
    classes = Counter(_iri(o) for _, p, o in triples if p == rdf_type and o.startswith(b"<"))
    properties = Counter(_iri(p) for _, p, _ in triples)
    description = DatasetDescription(
        iri=dataset,
        title=TITLE,
        description=DESCRIPTION,
        license=LICENSE,
        modified=modified,
        uri_space=base,
        vocabulary=TP_IRI.rstrip("#"),
        triples=len(triples),
        entities=len(entities),
        classes=len(classes),
        properties=len(properties),
        distinct_subjects=len(subjects),
        distinct_objects=len({o for _, _, o in triples}),
        sources=tuple(articles),
    )
    return {
        "datasets": [description],
        "distributions": [
            Distribution(
                f"{dataset}/file/{slug(name)}", dataset, _file_title(media), name, media, size
            )
            for name, (media, size) in sorted(files.items())
        ],
        "class_partitions": _partitions(dataset, "class", classes),
        "property_partitions": _partitions(dataset, "property", properties),
    }


# A distribution's title is English text (tagged @en), so it names the graph and its format,
# not the file; the file's name is in its dcat:downloadURL.
FORMAT_NAMES = {
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/n-quads": "N-Quads",
    "application/trig": "TriG",
    "application/ld+json": "JSON-LD",
}


def _iri(term: bytes) -> str:
    """Return the IRI of ``<iri>`` as written in an N-Triples line."""
    return term[1:-1].decode("utf-8")


def _file_title(media: str) -> str:
    return f"{TITLE} in {FORMAT_NAMES.get(media, media)}"


def _partitions(dataset: str, kind: str, counts: Counter[str]) -> list[Partition]:
    return [
        Partition(f"{dataset}/{kind}/{_short(term)}", dataset, term, count)
        for term, count in sorted(counts.items())
    ]


def _short(term: str) -> str:
    """Name a term by its prefix and local name (tp-athlete), for readable partition IRIs."""
    curie = compress(term, PREFIXES)
    return slug(curie.replace(":", " ", 1) if curie else term)
