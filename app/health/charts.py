"""Server-rendered inline SVG charts (no JavaScript), each with a text alternative."""
from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape

COLOURS = {"green": "#2e7d32", "yellow": "#b26a00", "red": "#c62828"}


def _colour(score: Decimal) -> str:
    return COLOURS["green"] if score >= 75 else COLOURS["yellow"] if score >= 50 else COLOURS["red"]


def sparkline(points: list[tuple[str, Decimal]], width: int = 120, height: int = 28) -> Markup:
    """A tiny trend line of health scores; the label reads the numbers out."""
    if not points:
        return Markup('<span class="muted">no closes yet</span>')
    label = "Health trend: " + ", ".join(f"{p} {s}" for p, s in points)
    step = width / max(1, len(points) - 1)
    coords = [(round(i * step if len(points) > 1 else width / 2, 1),
               round(height - 2 - float(s) / 100 * (height - 4), 1)) for i, (_, s) in enumerate(points)]
    line = " ".join(f"{x},{y}" for x, y in coords)
    dots = "".join(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{_colour(s)}"/>'
                   for (x, y), (_, s) in zip(coords, points))
    # Every interpolated value is a number or passes through escape().
    return Markup(f'<svg role="img" aria-label="{escape(label)}" width="{width}" height="{height}" '  # nosec B704
                  f'viewBox="-3 0 {width + 6} {height}"><title>{escape(label)}</title>'
                  f'<polyline points="{line}" fill="none" stroke="#607d8b" stroke-width="1.5"/>{dots}</svg>')


def trend_chart(points: list[tuple[str, Decimal]], bands: list[tuple[str, Decimal]] | None = None) -> Markup:
    """Health per closed quarter with the tier minimums as dashed lines."""
    if not points:
        return Markup("")
    w, h, left, bottom = 520, 200, 36, 24
    inner_w, inner_h = w - left - 10, h - bottom - 10
    step = inner_w / max(1, len(points) - 1)

    def y(v: Decimal) -> float:
        return round(10 + inner_h - float(v) / 100 * inner_h, 1)

    parts = [f'<svg class="chart" role="img" aria-labelledby="trend-title" viewBox="0 0 {w} {h}">',
             '<title id="trend-title">Health score per closed quarter: '
             + escape(", ".join(f"{p} {s}" for p, s in points)) + "</title>"]
    for v in (0, 50, 75, 100):
        parts.append(f'<line x1="{left}" x2="{w - 10}" y1="{y(Decimal(v))}" y2="{y(Decimal(v))}" stroke="#ddd"/>'
                     f'<text x="{left - 4}" y="{y(Decimal(v)) + 4}" font-size="10" text-anchor="end">{v}</text>')
    for name, minimum in bands or []:
        if minimum > 0:
            parts.append(f'<line x1="{left}" x2="{w - 10}" y1="{y(minimum)}" y2="{y(minimum)}" stroke="#90a4ae" '
                         f'stroke-dasharray="4 3"/><text x="{w - 12}" y="{y(minimum) - 3}" font-size="10" '
                         f'text-anchor="end">{escape(name)}</text>')
    coords = []
    for i, (period, score) in enumerate(points):
        x = round(left + (i * step if len(points) > 1 else inner_w / 2), 1)
        coords.append((x, y(score), score))
        parts.append(f'<text x="{x}" y="{h - 6}" font-size="10" text-anchor="middle">{escape(period)}</text>')
    parts.append('<polyline fill="none" stroke="#546e7a" stroke-width="2" points="'
                 + " ".join(f"{x},{yy}" for x, yy, _ in coords) + '"/>')
    for x, yy, score in coords:
        parts.append(f'<circle cx="{x}" cy="{yy}" r="4" fill="{_colour(score)}"/>'
                     f'<text x="{x}" y="{yy - 8}" font-size="10" text-anchor="middle">{score}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704 - numbers and escape()d labels only
