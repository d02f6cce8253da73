"""A line chart of scores (0-100%) over time, one line per series (quiz scores, mock interviews).

Series differ by colour, line dash and marker shape, so none depends on colour alone; each point's
tooltip gives its date and value.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from app.charts.svg import el, label, num, root, title

LEFT, RIGHT, TOP, BOTTOM = 46, 12, 30, 30
MARKER = 4.5


@dataclass(frozen=True, slots=True)
class Point:
    at: datetime  # in the zone its labels should use
    value: float  # 0..1
    tooltip: str


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    points: Sequence[Point]
    css: str  # "series-1", "series-2": colour and dash come from the stylesheet
    marker: str = "circle"  # circle | square


def _tick_format(first: datetime, last: datetime) -> str:
    return "%b %Y" if (last - first).days > 300 or first.year != last.year else "%-d %b"


def _marker(x: float, y: float, series: Series, tooltip: str) -> str:
    cls = f"marker {series.css}"
    if series.marker == "square":
        side = MARKER * 1.8
        return el(
            "rect",
            title(tooltip),
            x=x - side / 2,
            y=y - side / 2,
            width=side,
            height=side,
            class_=cls,
        )
    return el("circle", title(tooltip), cx=x, cy=y, r=MARKER, class_=cls)


def line_chart(
    chart_id: str,
    name: str,
    description: str,
    series: Sequence[Series],
    *,
    width: int = 480,
    height: int = 220,
    empty_note: str = "Nothing to show yet",
) -> Markup:
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    parts = []
    for pct in (0, 25, 50, 75, 100):
        y = TOP + plot_h * (1 - pct / 100)
        parts.append(el("line", x1=LEFT, x2=width - RIGHT, y1=y, y2=y, class_="grid"))
        parts.append(label(LEFT - 6, y + 4, f"{pct}%", "tick", anchor="end"))
    # Legend, top left: a marker and the name of every series.
    x = LEFT
    for s in series:
        parts.append(_marker(x + MARKER, TOP - 16, s, s.name))
        parts.append(label(x + 2 * MARKER + 5, TOP - 12, s.name, "tick", anchor="start"))
        x += 2 * MARKER + 14 + 7.5 * len(s.name)
    moments = [p.at for s in series for p in s.points]
    if not moments:
        parts.append(label(LEFT + plot_w / 2, TOP + plot_h / 2, empty_note, "note"))
        return root(chart_id, name, description, width, height, "".join(parts), "line")
    first, last = min(moments), max(moments)
    span = (last - first).total_seconds()

    def x_of(at: datetime) -> float:
        # One moment only: put it in the middle rather than dividing by zero.
        if span == 0:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (at - first).total_seconds() / span

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - min(max(value, 0.0), 1.0))

    fmt = _tick_format(first, last)
    ticks = [first] if span == 0 else [first + (last - first) * i / 3 for i in range(4)]
    for i, at in enumerate(ticks):
        anchor = "middle" if span == 0 else ("start", "middle", "middle", "end")[i]
        parts.append(label(x_of(at), height - 8, at.strftime(fmt), "tick", anchor=anchor))
    for s in series:
        points = sorted(s.points, key=lambda p: p.at)
        if len(points) > 1:
            path = " ".join(
                f"{'M' if i == 0 else 'L'}{num(x_of(p.at))},{num(y_of(p.value))}"
                for i, p in enumerate(points)
            )
            parts.append(el("path", d=path, class_=f"line {s.css}"))
        parts.extend(_marker(x_of(p.at), y_of(p.value), s, p.tooltip) for p in points)
    return root(chart_id, name, description, width, height, "".join(parts), "line")
