"""Server-drawn SVG charts: well-formed, titled, accessible, no inline style, with 0/1/365 days."""

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from app import charts

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2026, 6, 17)  # a Wednesday


def parse(markup) -> ET.Element:
    root = ET.fromstring(str(markup))  # raises on malformed XML
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title_id = root.get("aria-labelledby")
    title = root.find(f"{SVG}title")
    assert title is not None and title.get("id") == title_id and title.text
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.get("id") == root.get("aria-describedby") and desc.text
    for element in root.iter():
        assert "style" not in element.attrib, "inline styles are refused by the CSP"
        assert not any(name.startswith("on") for name in element.attrib)
    return root


def shapes(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if cls in e.get("class", "").split()]


def tooltips(elements: list[ET.Element]) -> list[str]:
    return [e.find(f"{SVG}title").text for e in elements]


# Bars -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [[], [0] * 14, [3], [5, 0, 2, 40, 1, 0, 0, 0, 0, 7, 0, 0, 0, 1]])
def test_bar_chart(values):
    bars = [
        charts.Bar(f"D{i}", v, f"Day {i}: {v} cards", highlight=i == 0)
        for i, v in enumerate(values)
    ]
    root = parse(charts.bar_chart("f", "Forecast", "Cards due", bars, empty_note="Nothing due"))
    drawn = shapes(root, "rect", "bar")
    assert len(drawn) == len(values)
    assert tooltips(drawn) == [b.tooltip for b in bars]
    heights = [float(r.get("height")) for r in drawn]
    assert all(h >= 0 for h in heights)
    if values and max(values):
        # Heights are proportional to values and the tallest bar fits in the plot.
        top = max(values)
        tallest = heights[values.index(top)]
        for v, h in zip(values, heights, strict=True):
            assert h == pytest.approx(tallest * v / top, abs=0.02)
        assert all(float(r.get("y")) >= 0 for r in drawn)
    notes = [t.text for t in shapes(root, "text", "note")]
    assert notes == ([] if any(values) else ["Nothing due"])
    if values:
        assert "highlight" in drawn[0].get("class")


# Heatmap ----------------------------------------------------------------------------------------


def days_back(n: int, count=lambda i: i % 5) -> tuple[date, list[tuple[date, int]]]:
    start = TODAY - timedelta(days=TODAY.weekday() + 7 * 25)
    span = (TODAY - start).days + 1
    days = [(start + timedelta(days=i), 0) for i in range(span)]
    for i in range(min(n, span)):
        day = TODAY - timedelta(days=i)
        days[(day - start).days] = (day, count(i))
    return start, days


@pytest.mark.parametrize("active", [0, 1, 365])
def test_calendar_heatmap(active):
    start, days = days_back(active, count=lambda i: i % 5 + 1)
    root = parse(charts.calendar_heatmap("h", "Reviews per day", "26 weeks", days, start=start))
    cells = [c for c in shapes(root, "rect", "cell") if c.find(f"{SVG}title") is not None]
    assert len(cells) == len(days) == 25 * 7 + TODAY.weekday() + 1
    texts = tooltips(cells)
    assert texts[-1].startswith("Wed 17 Jun 2026: ")
    assert texts[0] == f"{start:%a %-d %b %Y}: {days[0][1]} review{'s' if days[0][1] != 1 else ''}"
    levels = [c.get("class").split()[1] for c in cells]
    if active == 0:
        assert set(levels) == {"heat-0"}
    else:
        assert levels[-1] == f"heat-{charts.heat_level(1, 5 if active > 1 else 1)}"
        assert "heat-4" in levels
    legend = [c for c in shapes(root, "rect", "cell") if c.find(f"{SVG}title") is None]
    assert [c.get("class") for c in legend] == [f"cell heat-{i}" for i in range(5)]
    # Every cell sits inside the drawing.
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    for c in cells:
        x, y = float(c.get("x")), float(c.get("y"))
        assert x >= 0 and x + float(c.get("width")) <= width
        assert y >= 0 and y + float(c.get("height")) <= height


def test_heat_levels_split_the_busiest_day_in_quarters():
    assert [charts.heat_level(c, 8) for c in (0, 1, 2, 3, 4, 6, 8)] == [0, 1, 1, 2, 2, 3, 4]
    assert charts.heat_level(1, 1) == 4 and charts.heat_level(0, 0) == 0


def test_month_labels_do_not_collide():
    start, days = days_back(0)
    root = parse(charts.calendar_heatmap("h", "t", "d", days, start=start))
    xs = sorted(
        float(t.get("x"))
        for t in root.iter(f"{SVG}text")
        if t.text
        in {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
    )
    assert len(xs) >= 5
    assert all(b - a >= 30 for a, b in pairwise(xs))


# Line -------------------------------------------------------------------------------------------


def points(n: int, step=timedelta(days=1)) -> list[charts.Point]:
    first = datetime(2025, 6, 17, 18, 0, tzinfo=UTC)
    return [
        charts.Point(first + step * i, (i % 11) / 10, f"Quiz {i}: {(i % 11) * 10}%")
        for i in range(n)
    ]


@pytest.mark.parametrize("n", [0, 1, 365])
def test_line_chart(n):
    quiz = charts.Series("Quiz", points(n), "series-1", "circle")
    mock = charts.Series("Mock interview", points(n // 7, timedelta(days=7)), "series-2", "square")
    root = parse(charts.line_chart("q", "Scores", "Over time", [quiz, mock], empty_note="None yet"))
    circles = shapes(root, "circle", "marker")
    squares = [r for r in shapes(root, "rect", "marker") if r.find(f"{SVG}title") is not None]
    # One marker per point, plus one of each in the legend.
    assert len(circles) == n + 1 and len(squares) == n // 7 + 1
    if n:
        assert "Quiz 0: 0%" in tooltips(circles)
    lines = shapes(root, "path", "line")
    assert len(lines) == (n > 1) + (n // 7 > 1)
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    for c in circles:
        assert 0 <= float(c.get("cx")) <= width and 0 <= float(c.get("cy")) <= height
    notes = [t.text for t in shapes(root, "text", "note")]
    assert notes == ([] if n else ["None yet"])
    if n == 1:  # a single moment sits in the middle instead of dividing by zero
        xs = {c.get("cx") for c in circles[1:]}
        assert len(xs) == 1
    if n == 365:
        labels = [t.text for t in shapes(root, "text", "tick") if t.text and t.text[-4:].isdigit()]
        assert labels[0] == "Jun 2025" and labels[-1] == "Jun 2026"


def test_scores_are_clamped_to_the_plot():
    series = charts.Series(
        "Quiz",
        [
            charts.Point(datetime(2026, 1, 1, tzinfo=UTC), 1.0, "top"),
            charts.Point(datetime(2026, 1, 2, tzinfo=UTC), 0.0, "bottom"),
        ],
        "series-1",
    )
    root = parse(charts.line_chart("q", "Scores", "d", [series]))
    ys = [float(c.get("cy")) for c in shapes(root, "circle", "marker")[1:]]
    grid = sorted(float(g.get("y1")) for g in shapes(root, "line", "grid"))
    assert ys == [grid[0], grid[-1]]  # 100% on the top line, 0% on the bottom one
