"""The ontology's class diagram as SVG, laid out and drawn by our own code (no Graphviz).

The classes are boxes in columns (``kg_build/web/layout.py``); object properties are solid arrows
from the domain to the range, labelled with the property, and subclass links dashed arrows
with a hollow head from the child to the parent, as in UML. An arrow that spans columns runs
between the boxes of the columns it crosses; a property whose domain is its range is a loop
over the box. The SVG is written with ElementTree, which escapes every text and attribute;
the same ontology gives the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from msgspec import Struct
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS

from kg_build.defaults import TP_IRI
from kg_build.web.layout import Layout, is_waypoint, layered

FONT = "Helvetica, Arial, sans-serif"
CHAR_WIDTH, LABEL_CHAR_WIDTH = 7.2, 6.0  # generous mean advances of 12 px and 10 px text
BOX_HEIGHT, ROW_GAP, COLUMN_GAP, MARGIN = 28, 30, 140, 30
LANE, LOOP = 14, 24  # the height of a line passing a column; the room of each loop
Point = tuple[float, float]


class Edge(Struct, frozen=True):
    """A line of the diagram: an object property (labelled) or a subclass link."""

    source: str
    target: str
    label: str
    subclass: bool


class Place(Struct, frozen=True):
    """Where a column's item is drawn: a box's top-left corner and width, or a lane's middle."""

    x: float
    y: float
    width: float
    right: float  # the column's right edge, where a line passing it leaves

    @property
    def middle(self) -> float:
        """The vertical centre of a box."""
        return self.y + BOX_HEIGHT / 2


def diagram_edges(graph: Graph) -> tuple[list[str], list[Edge]]:
    """Return the ontology's classes and the edges between them, sorted."""
    classes = sorted(
        str(c).removeprefix(TP_IRI)
        for c in set(graph.subjects(RDF.type, OWL.Class))
        if str(c).startswith(TP_IRI)
    )
    known = set(classes)
    edges = set()
    for prop in set(graph.subjects(RDF.type, OWL.ObjectProperty)):
        name = str(prop).removeprefix(TP_IRI)
        for domain in graph.objects(prop, RDFS.domain):
            for target in graph.objects(prop, RDFS.range):
                pair = (str(domain).removeprefix(TP_IRI), str(target).removeprefix(TP_IRI))
                if str(prop).startswith(TP_IRI) and set(pair) <= known:
                    edges.add(Edge(*pair, name, subclass=False))
    for child, parent in graph.subject_objects(RDFS.subClassOf):
        pair = (str(child).removeprefix(TP_IRI), str(parent).removeprefix(TP_IRI))
        if set(pair) <= known:
            edges.add(Edge(*pair, "", subclass=True))
    return classes, sorted(edges, key=lambda e: (e.source, e.target, e.subclass, e.label))


def class_diagram(path: Path) -> bytes:
    """Draw the ontology's classes, subclass links and object properties as SVG."""
    classes, edges = diagram_edges(Graph().parse(path))
    layout = layered(classes, [(e.source, e.target) for e in edges])
    loops = {name: sum(e.source == e.target == name for e in edges) for name in classes}
    places = _places(layout, loops)
    width = max((p.right for p in places.values()), default=0.0) + MARGIN
    height = max((p.y + BOX_HEIGHT for p in places.values()), default=0.0) + MARGIN
    svg = ET.Element(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        width=_number(width),
        height=_number(height),
        viewBox=f"0 0 {_number(width)} {_number(height)}",
        attrib={"font-family": FONT, "font-size": "12"},
    )
    ET.SubElement(svg, "title").text = "Class diagram of the team pursuit ontology"
    _markers(ET.SubElement(svg, "defs"))
    lines, labels, boxes = ET.SubElement(svg, "g"), ET.SubElement(svg, "g"), ET.SubElement(svg, "g")
    taken = [_rect(p.x, p.y, p.width, BOX_HEIGHT) for n, p in places.items() if n in loops]
    for edge, (points, spots) in zip(edges, _shapes(edges, layout, places), strict=True):
        _draw_edge(lines, edge, points)
        if not edge.subclass:
            _draw_label(labels, edge.label, _free_spot(_label_width(edge.label), spots, taken))
    for name in classes:
        _draw_box(boxes, name, places[name])
    ET.indent(svg, space=" ")
    text = ET.tostring(svg, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")


def _places(layout: Layout, loops: dict[str, int]) -> dict[str, Place]:
    """Place the columns side by side, each centred on the tallest."""
    heights = [sum(_height(item, loops) for item in column) for column in layout.columns]
    tallest = max(heights, default=0.0)
    places, x = {}, float(MARGIN)
    for column, height in zip(layout.columns, heights, strict=True):
        widest = max((_width(i) for i in column if not is_waypoint(i)), default=0.0)
        y = MARGIN + (tallest - height) / 2
        for item in column:
            if is_waypoint(item):
                places[item] = Place(x, y + LANE / 2, 0.0, x + widest)
            else:
                top = y + ROW_GAP / 2 + LOOP * loops[item]
                places[item] = Place(x + (widest - _width(item)) / 2, top, _width(item), x + widest)
            y += _height(item, loops)
        x += widest + COLUMN_GAP
    return places


def _height(item: str, loops: dict[str, int]) -> float:
    return LANE if is_waypoint(item) else BOX_HEIGHT + ROW_GAP + LOOP * loops[item]


def _width(name: str) -> float:
    return round(len(name) * CHAR_WIDTH + 20, 1)


def _markers(defs: ET.Element) -> None:
    """Define an arrow head for properties and a hollow triangle for subclass links (UML)."""
    for name, fill in (("arrow", "#333"), ("hollow", "#fff")):
        marker = ET.SubElement(
            defs,
            "marker",
            id=name,
            viewBox="0 0 10 10",
            refX="10",
            refY="5",
            markerWidth="9",
            markerHeight="9",
            orient="auto",
        )
        ET.SubElement(marker, "path", d="M0,0 L10,5 L0,10 z", fill=fill, stroke="#333")


def _shapes(
    edges: list[Edge], layout: Layout, places: dict[str, Place]
) -> list[tuple[list[Point], list[Point]]]:
    """Return each edge's points (start, then three per curve) and where its label may go."""
    ports = _ports(layout, places)
    siblings: dict[frozenset[str], list[int]] = defaultdict(list)
    for index, edge in enumerate(edges):
        siblings[frozenset((edge.source, edge.target))].append(index)
    shapes = []
    for index, route in enumerate(layout.routes):
        if route[0] == route[-1]:
            group = siblings[frozenset(route[:1])]
            points, spot = _loop(places[route[0]], group.index(index), len(group))
            shapes.append((points, [spot]))
            continue
        group = siblings[frozenset((route[0], route[-1]))]
        points = _curve(route, places, ports[index, 0], ports[index, -1])
        # Labels of edges between the same two classes sit at different points of their curves;
        # then any curve between two columns, at its middle or nearer an end.
        first = (group.index(index) + 1) / (len(group) + 1)
        curves = [points[i : i + 4] for i in range(0, len(points) - 1, 6)]
        spots = [_bezier(c, t) for c in curves for t in dict.fromkeys((first, 0.5, 0.3, 0.7))]
        shapes.append((points, spots))
    return shapes


def _ports(layout: Layout, places: dict[str, Place]) -> dict[tuple[int, int], Point]:
    """Spread the ends of the edges along each side of a box, ordered by where they go."""
    sides: dict[tuple[str, bool], list[tuple[float, int, int]]] = defaultdict(list)
    for index, route in enumerate(layout.routes):
        if route[0] == route[-1]:
            continue
        for end, near in ((0, 1), (-1, -2)):
            box, other = places[route[end]], places[route[near]]
            right = other.x > box.x
            toward = other.y if other.width == 0 else other.middle
            sides[route[end], right].append((toward, index, end))
    ports = {}
    for (name, right), ends in sides.items():
        box = places[name]
        for k, (_, index, end) in enumerate(sorted(ends)):
            x = box.x + box.width if right else box.x
            ports[index, end] = (x, box.y + BOX_HEIGHT * (k + 1) / (len(ends) + 1))
    return ports


def _curve(route: list[str], places: dict[str, Place], start: Point, end: Point) -> list[Point]:
    """Return the points of an edge: a curve between columns, a straight line across one."""
    ahead = places[route[-1]].x > places[route[0]].x
    stops = [start]
    for waypoint in route[1:-1]:
        lane = places[waypoint]
        enter, leave = (lane.x, lane.right) if ahead else (lane.right, lane.x)
        stops += [(enter, lane.y), (leave, lane.y)]
    stops.append(end)
    points = [start]
    for i in range(0, len(stops) - 1, 2):
        (x0, y0), (x1, y1) = stops[i], stops[i + 1]
        points += [((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1), (x1, y1)]
        if i + 2 < len(stops):  # straight across the column, as a curve whose handles lie on it
            points += [stops[i + 1], stops[i + 2], stops[i + 2]]
    return points


def _loop(box: Place, index: int, count: int) -> tuple[list[Point], Point]:
    """Return a loop over the box, a larger one for each further property, and its label's place.

    The labels of a box's loops stand in a stack above the largest loop.
    """
    middle, size = box.x + box.width / 2, 20 + 12 * index
    points = [
        (middle - 8, box.y),
        (middle - 12 - size, box.y - size),
        (middle + 12 + size, box.y - size),
        (middle + 8, box.y),
    ]
    top = box.y - 0.75 * (20 + 12 * (count - 1))
    return points, (middle, top - 8 - 13 * index)


def _bezier(points: list[Point], t: float) -> Point:
    """Return the point of a cubic Bézier curve at ``t``."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    weights = ((1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t**2 * (1 - t), t**3)
    return (
        sum(w * x for w, x in zip(weights, (x0, x1, x2, x3), strict=True)),
        sum(w * y for w, y in zip(weights, (y0, y1, y2, y3), strict=True)),
    )


def _path(points: list[Point]) -> str:
    (x0, y0), *rest = points
    curves = [rest[i : i + 3] for i in range(0, len(rest), 3)]
    text = " ".join("C" + " ".join(f"{_number(x)},{_number(y)}" for x, y in c) for c in curves)
    return f"M{_number(x0)},{_number(y0)} {text}"


def _draw_edge(lines: ET.Element, edge: Edge, points: list[Point]) -> None:
    kind = "subclass" if edge.subclass else "property"
    path = ET.SubElement(
        lines, "path", attrib={"class": kind, "d": _path(points), "fill": "none", "stroke": "#333"}
    )
    path.set("marker-end", "url(#hollow)" if edge.subclass else "url(#arrow)")
    if edge.subclass:
        path.set("stroke-dasharray", "5,3")
    link = "subClassOf" if edge.subclass else edge.label
    ET.SubElement(path, "title").text = f"tp:{edge.source} {link} tp:{edge.target}"


Rect = tuple[float, float, float, float]


def _rect(x: float, y: float, width: float, height: float) -> Rect:
    return (x, y, x + width, y + height)


def _label_width(label: str) -> float:
    return len(label) * LABEL_CHAR_WIDTH + 4


def _free_spot(width: float, spots: list[Point], taken: list[Rect]) -> Point:
    """Return the first spot where a label covers no box and no label placed before it."""
    for x, y in spots:
        left, top, right, bottom = _rect(x - width / 2, y - 7, width, 13)
        if all(right <= a or left >= c or bottom <= b or top >= d for a, b, c, d in taken):
            taken.append((left, top, right, bottom))
            return x, y
    return spots[0]


def _draw_label(labels: ET.Element, label: str, at: Point) -> None:
    """Write a property's name on a white ground, so that lines behind it do not cross it."""
    width = _label_width(label)
    group = ET.SubElement(labels, "g", attrib={"class": "label"})
    ground = {"x": at[0] - width / 2, "y": at[1] - 7, "width": width, "height": 13.0}
    ET.SubElement(group, "rect", {k: _number(v) for k, v in ground.items()}, fill="#fff")
    text = ET.SubElement(
        group,
        "text",
        x=_number(at[0]),
        y=_number(at[1] + 3.5),
        attrib={"text-anchor": "middle", "font-size": "10", "fill": "#444"},
    )
    text.text = label


def _draw_box(boxes: ET.Element, name: str, box: Place) -> None:
    link = ET.SubElement(boxes, "a", href=f"/ontology/#{name}")
    ET.SubElement(
        link,
        "rect",
        x=_number(box.x),
        y=_number(box.y),
        width=_number(box.width),
        height=str(BOX_HEIGHT),
        rx="4",
        fill="#eef3fb",
        stroke="#335",
    )
    label = ET.SubElement(
        link,
        "text",
        x=_number(box.x + box.width / 2),
        y=_number(box.middle + 4),
        attrib={"text-anchor": "middle"},
    )
    label.text = name


def _number(value: float) -> str:
    """Write a coordinate with at most one decimal, the same way every time."""
    return f"{round(value, 1):g}"
