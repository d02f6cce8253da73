"""A calendar heatmap: one square per day, weeks as columns (Monday at the top), like GitHub's.

Five levels of one hue (CSS classes heat-0 .. heat-4), each day's count in its tooltip, and a
Less/More legend. Colour alone never carries the number: the tooltip and the table do.
"""

import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from markupsafe import Markup

from app.charts.svg import el, label, root, title

CELL, GAP = 14, 3
LEFT, TOP, LEGEND = 50, 18, 28  # LEFT fits "Wed" at the larger text of a phone
LEVELS = 5  # 0 means no reviews; 1-4 split the busiest day's count in quarters


def heat_level(count: int, busiest: int) -> int:
    if count <= 0 or busiest <= 0:
        return 0
    return min(LEVELS - 1, math.ceil((LEVELS - 1) * count / busiest))


def _describe(day: date, count: int) -> str:
    return f"{day.strftime('%a %-d %b %Y')}: {count} review{'s' if count != 1 else ''}"


def _month_labels(start: date, weeks: int) -> list[tuple[int, date]]:
    """(column, month) for each column holding the 1st of a month, and for the first column unless
    a label follows too closely; the last column gets none (its label would leave the chart)."""
    labels = [(0, start)]
    for column in range(1, weeks - 1):
        monday = start + timedelta(days=7 * column)
        week = (monday + timedelta(days=d) for d in range(7))
        first = next((day for day in week if day.day == 1), None)
        if first is not None:
            labels.append((column, first))
    if len(labels) > 1 and labels[1][0] < 3:
        labels.pop(0)
    return labels


def calendar_heatmap(
    chart_id: str,
    name: str,
    description: str,
    days: Sequence[tuple[date, int]],
    *,
    start: date,
    weeks: int = 26,
    tooltip: Callable[[date, int], str] = _describe,
) -> Markup:
    """`days` are (day, count) from `start` (a Monday) on; later days of the grid stay blank."""
    step = CELL + GAP
    width = LEFT + weeks * step
    height = TOP + 7 * step + LEGEND
    busiest = max((count for _, count in days), default=0)
    parts = []
    for row, name_ in ((0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun")):
        parts.append(label(LEFT - 5, TOP + row * step + CELL - 2, name_, "tick", anchor="end"))
    for column, month in _month_labels(start, weeks):
        parts.append(label(LEFT + column * step, TOP - 6, month.strftime("%b"), "tick", "start"))
    for day, count in days:
        offset = (day - start).days
        column, row = divmod(offset, 7)
        if not 0 <= column < weeks:
            continue
        parts.append(
            el(
                "rect",
                title(tooltip(day, count)),
                x=LEFT + column * step,
                y=TOP + row * step,
                width=CELL,
                height=CELL,
                rx=2,
                class_=f"cell heat-{heat_level(count, busiest)}",
            )
        )
    # Legend: Less [0][1][2][3][4] More, right-aligned under the grid.
    y = TOP + 7 * step + 8
    x = width - 44 - LEVELS * step
    parts.append(label(x - 6, y + CELL - 2, "Less", "tick", anchor="end"))
    for level in range(LEVELS):
        parts.append(
            el(
                "rect",
                x=x + level * step,
                y=y,
                width=CELL,
                height=CELL,
                rx=2,
                class_=f"cell heat-{level}",
            )
        )
    parts.append(label(x + LEVELS * step + 3, y + CELL - 2, "More", "tick", anchor="start"))
    return root(chart_id, name, description, width, height, "".join(parts), "heatmap")
