"""Deterministic output: parsed articles as JSON, and graphs in every RDF format."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph

from kg_build.defaults import CONTEXT, GRAPH_FORMATS, PREFIXES
from kg_build.errors import OutputError
from kg_build.model import Article, Block, BulletList, Paragraph, Section, Table

JsonValue = str | int | None | list["JsonValue"] | dict[str, "JsonValue"]


def articles_to_json(articles: Sequence[Article]) -> bytes:
    """Render parsed articles as UTF-8 JSON with a fixed key order and a final newline."""
    document: JsonValue = {"articles": [article_to_json(a) for a in articles]}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def article_to_json(article: Article) -> JsonValue:
    """Render one article as JSON values; every element carries its 1-based line."""
    return {
        "path": article.path,
        "line": article.src.line,
        "title": article.title,
        "infobox": [{"line": f.src.line, "key": f.key, "value": f.value} for f in article.infobox],
        "lead": [_block_to_json(b) for b in article.lead],
        "sections": [_section_to_json(s) for s in article.sections],
    }


def _section_to_json(section: Section) -> JsonValue:
    return {
        "line": section.src.line,
        "level": section.level,
        "title": section.title,
        "blocks": [_block_to_json(b) for b in section.blocks],
        "sections": [_section_to_json(s) for s in section.subsections],
    }


def _block_to_json(block: Block) -> JsonValue:
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "line": block.src.line, "text": block.text}
    if isinstance(block, BulletList):
        items: list[JsonValue] = [{"line": i.src.line, "text": i.text} for i in block.items]
        return {"type": "list", "line": block.src.line, "items": items}
    return _table_to_json(block)


def _table_to_json(table: Table) -> JsonValue:
    return {
        "type": "table",
        "line": table.src.line,
        "header": list(table.header),
        "groups": [{"line": g.src.line, "label": g.label} for g in table.groups],
        "rows": [
            {
                "line": r.src.line,
                "group": r.group.label if r.group else None,
                "cells": list(r.cells),
            }
            for r in table.rows
        ],
    }


# ---------------------------------------------------------------- RDF

DATASET_FORMATS = ("nquads", "trig")


def graph_to_bytes(graph: Graph, fmt: str) -> bytes:
    """Serialize one graph deterministically, whatever the hash seed."""
    if fmt == "nt":
        return _sorted_lines(graph.serialize(format="nt", encoding="utf-8"))
    if fmt == "turtle":
        prefixes = {str(p): str(ns) for p, ns in sorted(graph.namespaces()) if p}
        return _turtle(_sorted_lines(graph.serialize(format="nt", encoding="utf-8")), prefixes)
    if fmt == "jsonld":
        return _jsonld(graph)
    raise OutputError(fmt, None, f"unknown format (expected one of {', '.join(GRAPH_FORMATS)})")


def dataset_to_bytes(dataset: Dataset, fmt: str) -> bytes:
    """Serialize named graphs deterministically: sorted N-Quads, or TriG."""
    if fmt == "nquads":
        return _sorted_lines(dataset.serialize(format="nquads", encoding="utf-8"))
    if fmt == "trig":
        return trig_from_nquads(dataset_to_bytes(dataset, "nquads"))
    raise OutputError(
        fmt, None, f"unknown dataset format (expected one of {', '.join(DATASET_FORMATS)})"
    )


def trig_from_nquads(nquads: bytes) -> bytes:
    """Write sorted N-Quads as TriG, in their order (rdflib writes graphs in set order)."""
    quads = ox.parse(nquads, ox.RdfFormat.N_QUADS)
    return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES) or b""


def turtle_from_ntriples(ntriples: bytes, prefixes: dict[str, str]) -> bytes:
    """Write sorted N-Triples as Turtle with ``prefixes``, without an rdflib graph."""
    return _turtle(ntriples, prefixes)


def _turtle(ntriples: bytes, prefixes: dict[str, str]) -> bytes:
    """Write sorted N-Triples as Turtle, one block per subject, a blank line between blocks.

    pyoxigraph keeps the sorted order (so the bytes do not vary) and is some 30 times faster
    than rdflib's Turtle writer, which took most of a bundled build's time.
    """
    # lenient: the VoID description names its files by relative IRIs, as rdflib writes them.
    triples = ox.parse(ntriples, ox.RdfFormat.N_TRIPLES, lenient=True)
    text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""
    # pyoxigraph orders the @prefix lines its own way: write them sorted. Literals are escaped
    # onto one line, so every other line that is not tab-indented starts a subject's block.
    header = [f"@prefix {p}: <{ns}> .\n".encode() for p, ns in sorted(prefixes.items())]
    body = [line for line in text.splitlines(keepends=True) if not line.startswith(b"@prefix")]
    blocks = [b"\n" + line if not line.startswith(b"\t") else line for line in body]
    return b"".join(header + blocks)


def _sorted_lines(data: bytes) -> bytes:
    return b"".join(sorted({line for line in data.splitlines(keepends=True) if line.strip()}))


def load_context() -> dict[str, Any]:
    """Return the published JSON-LD context (ontology/context.jsonld)."""
    context: dict[str, Any] = json.loads(CONTEXT.read_text(encoding="utf-8"))["@context"]
    return context


def _jsonld(graph: Graph) -> bytes:
    context = load_context()
    document = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    nodes = document.get("@graph", [])
    # JSON-LD arrays of values are unordered; sort them so the output does not vary.
    document["@graph"] = sorted((_sorted_values(n) for n in nodes), key=lambda n: str(n.get("@id")))
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _sorted_values(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _sorted_values(v) for k, v in node.items()}
    if isinstance(node, list):
        return sorted(
            (_sorted_values(v) for v in node), key=lambda v: json.dumps(v, sort_keys=True)
        )
    return node
