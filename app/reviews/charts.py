"""Review charts as inline SVG (they render in the page and in the PDF). Pure: no Flask, no database."""
from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape

from app.health.charts import trend_chart


def health_trend(points: list[list]) -> Markup:
    """Health score per quarter ([period, score text or None]); quarters without a score are left out."""
    return trend_chart([(p, Decimal(s)) for p, s in points if s is not None])


def metric_trend(points: list[list], width: int = 140, height: int = 32) -> Markup:
    """A metric's values per quarter on its own scale (min..max of the points), labelled for readers."""
    known = [(p, Decimal(v)) for p, v in points if v is not None]
    if not known:
        return Markup('<span class="muted">no values</span>')
    label = ", ".join(f"{p} {v.normalize():f}" for p, v in known)
    low, high = min(v for _, v in known), max(v for _, v in known)
    span = high - low or Decimal(1)
    step = width / max(1, len(points) - 1)
    coords = []
    for i, (p, v) in enumerate(points):
        if v is None:
            continue
        x = round(i * step if len(points) > 1 else width / 2, 1)
        y = round(height - 4 - float((Decimal(v) - low) / span) * (height - 8), 1)
        coords.append((x, y))
    line = " ".join(f"{x},{y}" for x, y in coords)
    dots = "".join(f'<circle cx="{x}" cy="{y}" r="2.5" fill="#546e7a"/>' for x, y in coords)
    return Markup(f'<svg role="img" aria-label="{escape(label)}" width="{width}" height="{height}" '  # nosec B704
                  f'viewBox="-4 0 {width + 8} {height}"><title>{escape(label)}</title>'
                  f'<polyline points="{line}" fill="none" stroke="#90a4ae" stroke-width="1.5"/>{dots}</svg>')
