"""The results pages' chart: each round's times as points, laid out in SVG coordinates.

Layout only, no I/O: the same rows give the same numbers. Time runs down the vertical axis
(in seconds, faster at the top), the rounds along the horizontal one, each axis titled. Every
point carries its NOC and time twice: as a label beside it, moved apart from its neighbours'
where times are close (a leader line then joins them), and as its SVG ``<title>``, which a
browser shows on hover and a screen reader reads.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal

from msgspec import Struct

from kg_build.web.page_rows import ResultRow

COLUMN = 190  # px per round
LEFT, TOP, BOTTOM, RIGHT = 76, 24, 66, 16
POINT_X = 36  # a round's points, from its column's left edge
GAP = 14  # px between two labels of a column (an 11 px label is ~13 px high)
MIN_PLOT = 300  # px of the time axis, more where a round has many points
STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600)
MAX_TICKS = 6


class Point(Struct, frozen=True):
    """A team's time in a round: the dot, its label and its tooltip."""

    x: float
    y: float
    label_x: float
    label_y: float
    label: str
    tooltip: str
    medal: str  # a CSS class, medal-1 … medal-3, or ""

    @property
    def has_leader(self) -> bool:
        """Whether the label was moved away from the dot (a line then joins them)."""
        return abs(self.label_y - self.y) > 2


class Tick(Struct, frozen=True):
    """A time on the vertical axis."""

    y: float
    label: str


class Column(Struct, frozen=True):
    """A round along the horizontal axis."""

    x: float
    title: str


class Chart(Struct, frozen=True):
    """The whole chart, in pixels."""

    width: float
    height: float
    left: float
    top: float
    axis_y: float  # where the time axis ends and the round axis runs
    points: tuple[Point, ...]
    columns: tuple[Column, ...]
    ticks: tuple[Tick, ...]

    @property
    def middle_x(self) -> float:
        """The middle of the round axis (its title's place)."""
        return (self.left + self.width - RIGHT) / 2

    @property
    def middle_y(self) -> float:
        """The middle of the time axis (its title's place)."""
        return (self.top + self.axis_y) / 2


def chart(rounds: Sequence[tuple[str, Sequence[ResultRow]]]) -> Chart | None:
    """Lay out the times of each round (title, rows); None where no row has a time."""
    timed = [[r for r in rows if r.seconds] for _, rows in rounds]
    times = [Decimal(r.seconds) for rows in timed for r in rows]
    if not times:
        return None
    low, high, step = _scale(float(min(times)), float(max(times)))
    plot = max(MIN_PLOT, GAP * (max(len(rows) for rows in timed) + 1))

    def y(seconds: float) -> float:
        return round(TOP + (seconds - low) / (high - low) * plot, 1)

    points: list[Point] = []
    columns: list[Column] = []
    for i, ((title, _), rows) in enumerate(zip(rounds, timed, strict=True)):
        left = LEFT + i * COLUMN
        columns.append(Column(left + COLUMN / 2, title))
        points += _column_points(rows, title, left + POINT_X, y, (TOP + 4, TOP + plot))
    ticks = []
    for k in range(round((high - low) / step) + 1):
        value = low + k * step
        ticks.append(Tick(y(value), f"{value:.1f}" if step < 1 else f"{value:.0f}"))
    return Chart(
        width=LEFT + COLUMN * len(rounds) + RIGHT,
        height=TOP + plot + BOTTOM,
        left=LEFT,
        top=TOP,
        axis_y=TOP + plot,
        points=tuple(points),
        columns=tuple(columns),
        ticks=tuple(ticks),
    )


def _column_points(
    rows: Sequence[ResultRow],
    title: str,
    x: float,
    y: Callable[[float], float],
    bounds: tuple[float, float],
) -> list[Point]:
    """Return a round's points, their labels spread so that none overlaps the next."""
    placed = sorted(((y(float(r.seconds)), r.noc_code, r.iri), r) for r in rows)
    labels = spread([key[0] for key, _ in placed], GAP, *bounds)
    points = []
    for ((dot_y, _, _), row), label_y in zip(placed, labels, strict=True):
        race = f", {row.race}" if row.race else ""
        medal = row.medal.medal_rank if row.medal and row.medal.medal_rank else None
        points.append(
            Point(
                x=x,
                y=dot_y,
                label_x=x + 9,
                label_y=label_y,
                label=f"{row.noc_code} {row.time_text or row.seconds}",
                tooltip=f"{row.noc_code}: {row.time_text} ({row.seconds} s), {title}{race}",
                medal=f"medal-{medal}" if medal else "",
            )
        )
    return points


def spread(ys: Sequence[float], gap: float, low: float, high: float) -> list[float]:
    """Move sorted positions apart by at least ``gap``, within [low, high] where they fit."""
    out: list[float] = []
    for value in ys:
        out.append(max(value, out[-1] + gap) if out else max(value, low))
    if out and out[-1] > high:  # pushed past the end: move them back up, keeping the gaps
        out[-1] = high
        for i in range(len(out) - 2, -1, -1):
            out[i] = min(out[i], out[i + 1] - gap)
    return [round(v, 1) for v in out]


def _scale(low: float, high: float) -> tuple[float, float, float]:
    """Return the time axis's ends and step: round numbers around ``low`` … ``high``."""
    span = max(high - low, 0.1)
    step = next((s for s in STEPS if span / s <= MAX_TICKS), STEPS[-1])
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    if last <= first:
        last = first + step
    return round(first, 6), round(last, 6), step
