"""Geometry of the inline SVG charts (score bars, surveillance timeline), computed here so the
templates only draw: no JavaScript, no network, the same bytes every time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from ...base.i18n import Text
from ...facts.scoring import json_number, truncate2

BAR_WIDTH = 360
BAR_HEIGHT = 16
BAR_GAP = 12
LABEL_WIDTH = 150
TIMELINE_WIDTH = 680
TIMELINE_MARGIN = 40


@dataclass(frozen=True)
class Bar:
    label: Text
    y: int
    width: int  # of the filled part, out of BAR_WIDTH
    text: str  # awarded/available (percent)


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    bar_width: int
    bar_height: int
    label_width: int


def _trim(value: Fraction) -> str:
    """Cut to 2 decimals as the result JSON's scores are, so bar labels agree with the table."""
    return str(json_number(truncate2(value)))


def score_bars(rows: list[tuple[Text, Fraction, Fraction]]) -> BarChart:
    """One bar per (label, awarded, available)."""
    bars = []
    for index, (label, awarded, available) in enumerate(rows):
        ratio = awarded / available if available else Fraction(0)
        percent = int(ratio * 100)  # truncated, like every printed score
        bars.append(
            Bar(
                label,
                index * (BAR_HEIGHT + BAR_GAP),
                int(ratio * BAR_WIDTH),
                f"{_trim(awarded)}/{_trim(available)} ({percent}%)",
            )
        )
    height = len(bars) * (BAR_HEIGHT + BAR_GAP)
    return BarChart(tuple(bars), LABEL_WIDTH + BAR_WIDTH + 130, height, BAR_WIDTH, BAR_HEIGHT, LABEL_WIDTH)


@dataclass(frozen=True)
class Mark:
    x: int
    date: str
    label: Text
    kind: str  # issued | evaluation | due | extension | expiry | today
    tick_y: int  # where the tick from the axis ends
    label_y: int
    date_y: int


@dataclass(frozen=True)
class Timeline:
    marks: tuple[Mark, ...]
    width: int
    height: int
    axis_y: int
    start_x: int
    end_x: int


LABEL_WIDTH_PX = 76  # a date at font-size 10 is ~60 px; labels are short
LEVEL_HEIGHT = 26
LEVELS = 3


def timeline(points: list[tuple[dt.date, Text, str]]) -> Timeline | None:
    """Marks on a date axis.  Each label takes the first slot (above or below the axis, at
    increasing distance) where it does not overlap a label already placed."""
    if not points:
        return None
    points = sorted(points, key=lambda p: (p[0], p[2]))
    first, last = points[0][0], points[-1][0]
    span = max((last - first).days, 1)
    usable = TIMELINE_WIDTH - 2 * TIMELINE_MARGIN
    axis_y = 12 + LEVELS * LEVEL_HEIGHT + 10
    right_edge: dict[tuple[int, int], float] = {}  # (side, level) -> right edge of its last label
    marks = []
    for index, (day, label, kind) in enumerate(points):
        x = TIMELINE_MARGIN + round((day - first).days / span * usable)
        slots = [
            (side, level) for level in range(LEVELS) for side in ((-1, 1) if index % 2 == 0 else (1, -1))
        ]
        side, level = next(
            (slot for slot in slots if x - LABEL_WIDTH_PX / 2 > right_edge.get(slot, -1e9) + 4), slots[-1]
        )
        right_edge[(side, level)] = x + LABEL_WIDTH_PX / 2
        reach = 16 + level * LEVEL_HEIGHT
        if side < 0:
            marks.append(
                Mark(x, day.isoformat(), label, kind, axis_y - reach, axis_y - reach - 16, axis_y - reach - 4)
            )
        else:
            marks.append(
                Mark(
                    x, day.isoformat(), label, kind, axis_y + reach, axis_y + reach + 12, axis_y + reach + 24
                )
            )
    return Timeline(
        tuple(marks), TIMELINE_WIDTH, 2 * axis_y, axis_y, TIMELINE_MARGIN, TIMELINE_WIDTH - TIMELINE_MARGIN
    )
