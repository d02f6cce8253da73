"""A vertical bar chart with a value on every bar (the 14-day forecast)."""

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from app.charts.svg import el, label, nice_ceiling, root, title

LEFT, RIGHT, TOP, BOTTOM = 30, 6, 22, 40


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # under the bar; a newline splits it over two lines
    value: int
    tooltip: str  # the full sentence shown on hover
    highlight: bool = False  # e.g. today


def bar_chart(
    chart_id: str,
    name: str,
    description: str,
    bars: Sequence[Bar],
    *,
    width: int = 480,
    height: int = 220,
    empty_note: str = "Nothing to show yet",
) -> Markup:
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    base = TOP + plot_h
    top_value = nice_ceiling(max((b.value for b in bars), default=0))
    parts = []
    for tick in sorted({0, top_value // 2, top_value}):
        y = base - plot_h * tick / top_value
        parts.append(el("line", x1=LEFT, x2=width - RIGHT, y1=y, y2=y, class_="grid"))
        parts.append(label(LEFT - 6, y + 4, str(tick), "tick", anchor="end"))
    slot = plot_w / max(len(bars), 1)
    for i, bar in enumerate(bars):
        centre = LEFT + slot * (i + 0.5)
        h = plot_h * bar.value / top_value
        cls = "bar highlight" if bar.highlight else "bar"
        parts.append(
            el(
                "rect",
                title(bar.tooltip),
                x=centre - slot * 0.35,
                y=base - h,
                width=slot * 0.7,
                height=h,
                class_=cls,
            )
        )
        parts.append(label(centre, base - h - 5, str(bar.value), "value"))
        tick = "tick strong" if bar.highlight else "tick"
        if i % 2 and len(bars) > 7:
            tick += " alternate"  # hidden where the chart is narrow, so labels never collide
        for line, text in enumerate(bar.label.split("\n")):
            parts.append(label(centre, base + 16 + 14 * line, text, tick))
    if not any(b.value for b in bars):
        parts.append(label(LEFT + plot_w / 2, TOP + plot_h / 2, empty_note, "note"))
    return root(chart_id, name, description, width, height, "".join(parts), "bars")
