"""Small helpers to write SVG markup safely (every text and attribute is escaped)."""

import math
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup


def attrs(**values: object) -> str:
    """Attributes from keywords: `class_` becomes `class`, `text_anchor` becomes `text-anchor`;
    None leaves the attribute out."""
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(f"{name}={quoteattr(num(value) if isinstance(value, float) else str(value))}")
    return " ".join(parts)


def el(tag: str, content: str = "", **values: object) -> str:
    """One element; `content` is markup already (escape text with `escape`)."""
    opening = f"<{tag} {attrs(**values)}".rstrip()
    return f"{opening}>{content}</{tag}>" if content else f"{opening}/>"


def title(text: str, id_: str | None = None) -> str:
    """A <title>: the accessible name of the SVG, or the hover tooltip of a shape."""
    return el("title", escape(text), id=id_)


def label(x: float, y: float, text: str, cls: str, anchor: str = "middle") -> str:
    return el("text", escape(text), x=x, y=y, class_=cls, text_anchor=anchor)


def num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros, to keep the SVG small."""
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def nice_ceiling(value: float) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least `value` (1 for nothing)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return int(step * power)
    return int(10 * power)


def root(
    chart_id: str, name: str, description: str, width: int, height: int, body: str, cls: str
) -> Markup:
    """The <svg>: an image to assistive technology, named by its title and described by its desc.

    The width and height attributes give its natural size; CSS lets it shrink to narrow screens."""
    head = title(name, f"{chart_id}-title") + el("desc", escape(description), id=f"{chart_id}-desc")
    svg = el(
        "svg",
        head + body,
        xmlns="http://www.w3.org/2000/svg",
        id=chart_id,
        class_=f"chart {cls}",
        viewBox=f"0 0 {width} {height}",
        width=width,
        height=height,
        data_vbw=width,  # CSS keeps the text legible when the chart shrinks (app.css)
        role="img",
        aria_labelledby=f"{chart_id}-title",
        aria_describedby=f"{chart_id}-desc",
    )
    return Markup(svg)
