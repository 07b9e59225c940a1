"""The geometry of the report's SVG charts, worked out here so the templates only draw it."""

from __future__ import annotations

import dataclasses
import datetime as dt

LINE_WIDTH = 460
LINE_HEIGHT = 160
LEFT = 40  # room for the axis's figures
TOP = 10


@dataclasses.dataclass(frozen=True)
class Line:
    """A running total drawn as a line: its points, and the highest figure on the axis."""

    points: str
    top: int
    width: int = LINE_WIDTH + LEFT + 10
    height: int = LINE_HEIGHT + TOP + 30


def line(days: list[tuple[dt.date, int]]) -> Line:
    """Points for (day, value), placed by date from first day to last, scaled to the largest."""
    top = max((value for _, value in days), default=0)
    if not days:
        return Line(points="", top=0)
    first, span = days[0][0], (days[-1][0] - days[0][0]).days
    points = []
    for day, value in days:
        x = LEFT + ((day - first).days * LINE_WIDTH / span if span else 0)
        y = TOP + LINE_HEIGHT - (value * LINE_HEIGHT / top if top else 0)
        points.append(f"{x:.1f},{y:.1f}")
    if len(points) == 1:  # one day: a flat line across, so it can be seen
        points.append(f"{LEFT + LINE_WIDTH:.1f},{points[0].split(',')[1]}")
    return Line(points=" ".join(points), top=top)


def short(label: str, most: int = 28) -> str:
    """A label cut to fit beside a bar (the table beside the chart has it whole)."""
    return label if len(label) <= most else label[: most - 1].rstrip() + "…"
