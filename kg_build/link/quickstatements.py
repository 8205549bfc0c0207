"""QuickStatements for Wikidata editors: what the graph says, with its source as reference.

Statements need the Wikidata items of both ends (the curated link set) and the URL of the
source article (``mappings/curated/articles.tsv``); any statement missing one is left out
and counted, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from msgspec import Struct
from rdflib import Graph
from rdflib.query import ResultRow

from kg_build.curated.reference import curated_folders, read_merged
from kg_build.link.wikidata import WD, LinkSet
from kg_build.store.sparql import query_text

SECOND = "Q11574"  # the unit "second" (mappings/curated/wikidata-items.tsv)


class Statements(Struct, frozen=True):
    """QuickStatements lines, and how many statements were left out for want of a QID or URL."""

    lines: tuple[str, ...]
    skipped: int


def article_urls(mappings: Path, base: str, project: Path | None = None) -> dict[str, str]:
    """Return the source URL of each article by its IRI (curated; a project's rows too)."""
    rows = read_merged(curated_folders(mappings, project), "articles.tsv")
    return {f"{base}article/{row['event']}": row["url"] for _, _, row in rows}


def quickstatements(graph: Graph, links: LinkSet, urls: Mapping[str, str]) -> Statements:
    """Participation (P1344, qualifiers ranking P1352 and race time P2781) and medals (P166)."""
    lines: list[str] = []
    skipped = 0
    for athlete, event, article, rank, time in _rows(graph, query_text("export-participations")):
        qualifiers = ([f"P1352\t{rank}"] if rank else []) + (
            [f"P2781\t{time}U{SECOND[1:]}"] if time else []
        )
        line = _line(links, urls, athlete, "P1344", event, qualifiers, article)
        skipped += line is None
        lines += [line] if line else []
    for athlete, medal, _event, article, day in _rows(graph, query_text("export-medals")):
        line = _line(links, urls, athlete, "P166", medal, [f"P585\t+{day}T00:00:00Z/11"], article)
        skipped += line is None
        lines += [line] if line else []
    return Statements(tuple(sorted(set(lines))), skipped)


def _rows(graph: Graph, query: str) -> list[list[str]]:
    return [
        [str(v) if v is not None else "" for v in row]
        for row in graph.query(query)
        if isinstance(row, ResultRow)
    ]


def _line(
    links: LinkSet,
    urls: Mapping[str, str],
    subject: str,
    prop: str,
    value: str,
    qualifiers: list[str],
    article: str,
) -> str | None:
    item, target, url = links.qid_of(subject), links.qid_of(value), urls.get(article)
    if item is None or target is None or url is None:
        return None
    cells = [item.removeprefix(WD), prop, target.removeprefix(WD), *qualifiers, f'S854\t"{url}"']
    return "\t".join(cells)
