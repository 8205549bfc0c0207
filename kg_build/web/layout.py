"""A layered layout of a small directed graph (Sugiyama's method, simplified), for diagrams.

Nodes go into columns so that edges point left to right: a node's column is the longest path
of edges reaching it, cycles broken by a depth-first walk in name order, and a node is then
moved right next to its nearest successor. An edge that spans several columns passes a
waypoint in each column between, so that it can be routed around the nodes. Within a column,
nodes and waypoints are ordered by the mean row of their neighbours, sweeping right and left
a few times. Everything is sorted, so the same graph gives the same layout.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import pairwise

from msgspec import Struct

SWEEPS = 6
WAYPOINT = "\x00"  # no IRI or name of a node holds it (Turtle's IRIREF excludes it)


class Layout(Struct, frozen=True):
    """Columns of nodes and waypoints, top to bottom, and the route of each edge."""

    columns: list[list[str]]
    routes: list[list[str]]  # per edge: its source, its waypoints, its target


def is_waypoint(item: str) -> bool:
    """Tell whether an item of a column is a waypoint of an edge, not a node."""
    return item.startswith(WAYPOINT)


def layered(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> Layout:
    """Lay out ``nodes`` (sorted) and ``edges`` (source, target) in columns."""
    column = _columns(nodes, edges)
    routes = [_route(i, s, t, column) for i, (s, t) in enumerate(edges)]
    count = max(column.values(), default=-1) + 1
    columns: list[list[str]] = [[] for _ in range(count)]
    for node in nodes:
        columns[column[node]].append(node)
    for route in routes:
        for item in route[1:-1]:
            columns[column[item]].append(item)
    neighbours: dict[str, list[str]] = defaultdict(list)
    for route in routes:
        for a, b in pairwise(route):
            if a != b:
                neighbours[a].append(b)
                neighbours[b].append(a)
    return Layout(_order(columns, neighbours), routes)


def _walk(nodes: Sequence[str], outgoing: dict[str, list[str]]) -> tuple[list[str], set[str]]:
    """Return a topological order of the edges kept, and the edges kept ("a\\x00b").

    An edge back to a node still being walked would close a cycle and is left out. The walk
    keeps its own stack: a long chain of nodes must not exhaust Python's.
    """
    order: list[str] = []
    state: dict[str, str] = {}
    kept: set[str] = set()
    for start in nodes:
        if start in state:
            continue
        state[start] = "open"
        stack = [(start, iter(outgoing[start]))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = "done"
                order.append(node)
                stack.pop()
            elif state.get(child) != "open":
                kept.add(node + WAYPOINT + child)
                if child not in state:
                    state[child] = "open"
                    stack.append((child, iter(outgoing[child])))
    return order[::-1], kept


def _columns(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Give each node a column: after every predecessor, then as close to its successors."""
    outgoing: dict[str, list[str]] = defaultdict(list)
    for source, target in edges:
        if source != target and target not in outgoing[source]:
            outgoing[source].append(target)
    order, kept = _walk(nodes, outgoing)
    forward = {n: [c for c in outgoing[n] if n + WAYPOINT + c in kept] for n in nodes}
    column = dict.fromkeys(nodes, 0)
    for node in order:
        for child in forward[node]:
            column[child] = max(column[child], column[node] + 1)
    for node in reversed(order):  # successors first: pull each node up to its nearest one
        if forward[node]:
            column[node] = max(column[node], min(column[c] for c in forward[node]) - 1)
    return column


def _route(index: int, source: str, target: str, column: dict[str, int]) -> list[str]:
    """Return the items an edge passes: a waypoint in each column between its ends."""
    a, b = column[source], column[target]
    step = 1 if b > a else -1
    waypoints = [f"{WAYPOINT}{index}:{c}" for c in range(a + step, b, step)]
    for c, waypoint in zip(range(a + step, b, step), waypoints, strict=True):
        column[waypoint] = c
    return [source, *waypoints, target]


def _order(columns: list[list[str]], neighbours: dict[str, list[str]]) -> list[list[str]]:
    """Order each column by the mean row of the neighbours in the column just placed."""
    for sweep in range(SWEEPS):
        right = sweep % 2 == 0
        indices = range(1, len(columns)) if right else range(len(columns) - 2, -1, -1)
        for i in indices:
            placed = columns[i - 1] if right else columns[i + 1]
            row = {item: r for r, item in enumerate(placed)}
            current = {item: r for r, item in enumerate(columns[i])}

            def key(
                item: str, row: dict[str, int] = row, current: dict[str, int] = current
            ) -> float:
                rows = [row[n] for n in neighbours[item] if n in row]
                # Scaled to the placed column's length; an item with no neighbour there stays.
                if not rows:
                    return current[item] * max(len(row), 1) / max(len(current), 1)
                return sum(rows) / len(rows)

            columns[i] = sorted(columns[i], key=lambda item: (key(item), current[item]))
    return columns
