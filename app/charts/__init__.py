"""Charts drawn on the server as SVG strings: no chart JavaScript, readable without scripts.

Pure functions from plain values to markup. Colours come from CSS classes whose fills are CSS
variables (static/css/progress.css), so a chart follows the theme and needs no inline style.
"""

from app.charts.bars import Bar, bar_chart
from app.charts.heatmap import calendar_heatmap, heat_level
from app.charts.line import Point, Series, line_chart

__all__ = [
    "Bar",
    "Point",
    "Series",
    "bar_chart",
    "calendar_heatmap",
    "heat_level",
    "line_chart",
]
