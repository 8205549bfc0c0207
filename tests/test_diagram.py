"""The ontology's class diagram: SVG drawn by our own code, every class and link, same bytes."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.query import ResultRow

from kg_build.web.diagram import class_diagram
from kg_build.web.layout import is_waypoint, layered
from tests.conftest import ROOT

SVG = "{http://www.w3.org/2000/svg}"
ONTOLOGY = ROOT / "ontology" / "tp.ttl"
PREFIXES = """\
@prefix tp: <https://w3id.org/team-pursuit/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
# A cycle of three classes, a chain of four, a loop, two links between one pair, and names
# that XML must escape.
TRICKY = (
    PREFIXES
    + """\
tp:A a owl:Class . tp:B a owl:Class . tp:C a owl:Class . tp:D a owl:Class .
<https://w3id.org/team-pursuit/ontology#R&D> a owl:Class ; rdfs:subClassOf tp:A .
tp:ab a owl:ObjectProperty ; rdfs:domain tp:A ; rdfs:range tp:B .
tp:bc a owl:ObjectProperty ; rdfs:domain tp:B ; rdfs:range tp:C .
tp:ca a owl:ObjectProperty ; rdfs:domain tp:C ; rdfs:range tp:A .
tp:cd a owl:ObjectProperty ; rdfs:domain tp:C ; rdfs:range tp:D .
tp:ad a owl:ObjectProperty ; rdfs:domain tp:A ; rdfs:range tp:D .
tp:aa a owl:ObjectProperty ; rdfs:domain tp:A ; rdfs:range tp:A .
tp:ab2 a owl:ObjectProperty ; rdfs:domain tp:A ; rdfs:range tp:B .
<https://w3id.org/team-pursuit/ontology#x&y> a owl:ObjectProperty ;
    rdfs:domain tp:D ; rdfs:range <https://w3id.org/team-pursuit/ontology#R&D> .
"""
)
CLASSES_QUERY = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?c WHERE { ?c a owl:Class FILTER(STRSTARTS(STR(?c), STR(tp:))) }"""
LINKS_QUERY = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?a ?link ?b WHERE {
  { ?p a owl:ObjectProperty ; rdfs:domain ?a ; rdfs:range ?b . BIND(STR(?p) AS ?link) }
  UNION { ?a rdfs:subClassOf ?b . BIND("subClassOf" AS ?link) }
  ?a a owl:Class . ?b a owl:Class .
  FILTER(STRSTARTS(STR(?a), STR(tp:)) && STRSTARTS(STR(?b), STR(tp:)))
}"""
TP = "https://w3id.org/team-pursuit/ontology#"


def _expected(path: Path) -> tuple[set[str], set[str]]:
    """Read the classes and links from the ontology with SPARQL, apart from the diagram's code."""
    graph = Graph().parse(path)
    graph.bind("tp", TP)
    classes, links = set(), set()
    for row in graph.query(CLASSES_QUERY):
        assert isinstance(row, ResultRow)
        classes.add(str(row[0]).removeprefix(TP))
    for row in graph.query(LINKS_QUERY):
        assert isinstance(row, ResultRow)
        a, link, b = (str(term).removeprefix(TP) for term in row)
        links.add(f"tp:{a} {link} tp:{b}")
    return classes, links


def _drawn(svg: bytes) -> tuple[list[str], list[str], list[str]]:
    """Return the class names, the titles of the lines drawn and the property labels."""
    root = ET.fromstring(svg)
    boxes = [a.findtext(f"{SVG}text") or "" for a in root.iter(f"{SVG}a")]
    lines = [p.findtext(f"{SVG}title") or "" for p in root.iter(f"{SVG}path") if p.get("class")]
    labels = [t.text or "" for g in root.iter(f"{SVG}g") if g.get("class") == "label" for t in g]
    return boxes, lines, [label for label in labels if label]


@pytest.mark.parametrize("ontology", ["bundled", "tricky"])
def test_diagram_names_every_class_and_draws_every_link(ontology: str, tmp_path: Path) -> None:
    path = ONTOLOGY
    if ontology == "tricky":
        path = tmp_path / "tricky.ttl"
        path.write_text(TRICKY, encoding="utf-8")
    classes, links = _expected(path)
    boxes, lines, labels = _drawn(class_diagram(path))
    assert sorted(boxes) == sorted(classes)
    assert sorted(lines) == sorted(links)
    properties = sorted(line.split(" ")[1] for line in links if " subClassOf " not in line)
    assert sorted(labels) == properties
    assert len(links) > len(classes) // 2  # the bundled ontology has 38 links


def test_diagram_escapes_names(tmp_path: Path) -> None:
    path = tmp_path / "tricky.ttl"
    path.write_text(TRICKY, encoding="utf-8")
    svg = class_diagram(path)
    assert b">R&amp;D<" in svg and b">x&amp;y<" in svg and b'href="/ontology/#R&amp;D"' in svg
    boxes, _, labels = _drawn(svg)
    assert "R&D" in boxes and "x&y" in labels


def test_diagram_arrows_end_on_their_boxes(tmp_path: Path) -> None:
    path = tmp_path / "tricky.ttl"
    path.write_text(TRICKY, encoding="utf-8")
    root = ET.fromstring(class_diagram(path))
    boxes = {}
    for link in root.iter(f"{SVG}a"):
        rect = link.find(f"{SVG}rect")
        assert rect is not None
        x, y, w, h = (float(rect.get(k) or "nan") for k in ("x", "y", "width", "height"))
        boxes[link.findtext(f"{SVG}text")] = (x, y, w, h)
    for path_element in root.iter(f"{SVG}path"):
        if not path_element.get("class"):
            continue
        title = path_element.findtext(f"{SVG}title") or ""
        target = title.rsplit(" tp:", 1)[1]
        end_x, end_y = (float(v) for v in (path_element.get("d") or "").split()[-1].split(","))
        x, y, w, h = boxes[target]
        # An arrow ends on the target box's left, right or (a loop) top side.
        on_side = end_x in (x, round(x + w, 1)) and y <= end_y <= y + h
        on_top = end_y == y and x <= end_x <= x + w
        assert on_side or on_top, (title, end_x, end_y, boxes[target])


def test_diagram_is_byte_identical_across_runs(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"diagram-{seed}.svg"
        code = (
            "import sys, pathlib; from kg_build.web.diagram import class_diagram; "
            "pathlib.Path(sys.argv[2]).write_bytes(class_diagram(pathlib.Path(sys.argv[1])))"
        )
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", code, ONTOLOGY, target], check=True, env=env)
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<svg ')


def test_layout_points_edges_right_and_routes_long_ones_through_each_column() -> None:
    nodes = ["A", "B", "C", "D"]
    edges = [("A", "B"), ("B", "C"), ("C", "A"), ("A", "D"), ("C", "D"), ("A", "A")]
    layout = layered(nodes, edges)
    column = {item: i for i, items in enumerate(layout.columns) for item in items}
    assert [column[n] for n in nodes] == [0, 1, 2, 3]
    for (source, target), route in zip(edges, layout.routes, strict=True):
        assert (route[0], route[-1]) == (source, target)
        steps = [column[b] - column[a] for a, b in itertools.pairwise(route)]
        assert all(abs(s) == 1 for s in steps) or route == [source, source]
        assert all(is_waypoint(item) for item in route[1:-1])
    # The edge closing the cycle runs right to left, back through B's column.
    assert [column[i] for i in layout.routes[2]] == [2, 1, 0]


def test_layout_of_a_long_chain_needs_no_deep_recursion() -> None:
    nodes = [f"N{i:05d}" for i in range(5000)]
    layout = layered(nodes, list(itertools.pairwise(nodes)))
    assert layout.columns == [[n] for n in nodes]
