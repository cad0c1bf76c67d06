"""Charts drawn on the server for the oversight reports (issue 16): the coordinates of a small bar chart worked
out here, so the page's SVG and the PDF draw the same thing and the template only places the shapes."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    label: str
    value_text: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: float
    bar_width: float
    bars: list[Bar]
    max_label: str


def value_text(value, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "percent":
        return f"{value:.1f}%"
    if kind == "money":
        return f"£{Decimal(value):,.2f}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def bar_chart(labels: list[str], values: list, kind: str = "count", width: int = 300, height: int = 150) -> BarChart:
    """One bar per period; an unknown value draws no bar (its label stays)."""
    left, top, bottom = 10, 16, 34
    known = [float(v) for v in values if v is not None]
    top_value = 100.0 if kind == "percent" else max(max(known, default=0.0), 1.0)
    slot = (width - left) / max(len(values), 1)
    bar_w = min(48.0, slot * 0.6)
    plot = height - top - bottom
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = 0.0 if value is None else plot * float(value) / top_value
        x = left + i * slot + (slot - bar_w) / 2
        bars.append(Bar(round(x, 1), round(top + plot - h, 1), round(h, 1), label, value_text(value, kind)))
    return BarChart(width, height, top + plot, round(bar_w, 1), bars, value_text(top_value, kind))
