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
             f'<title id="trend-title">Health score per closed quarter: '
             f'{escape(", ".join(f"{p} {s}" for p, s in points))}</title>']
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


def colour_of(score: Decimal | None) -> str | None:
    """The health colour of a score (DESIGN section 5 bands): green, yellow, red; None without one."""
    if score is None:
        return None
    return "green" if score >= 75 else "yellow" if score >= 50 else "red"


def bar_chart(bars: list[tuple[str, int, str]], title: str, chart_id: str) -> Markup:
    """Horizontal bars (label, count, colour name or hex) with the counts written beside them."""
    if not bars:
        return Markup("")
    w, row, left = 420, 26, 110
    top = max((n for _, n, _ in bars), default=0) or 1
    h = row * len(bars) + 6
    label = title + ": " + ", ".join(f"{name} {n}" for name, n, _ in bars)
    parts = [f'<svg class="chart" role="img" aria-labelledby="{escape(chart_id)}" viewBox="0 0 {w} {h}">',
             f'<title id="{escape(chart_id)}">{escape(label)}</title>']
    for i, (name, n, colour) in enumerate(bars):
        y = 3 + i * row
        width = round((w - left - 40) * n / top, 1)
        fill = COLOURS.get(colour, colour if colour.startswith("#") else "#90a4ae")
        parts.append(f'<text x="{left - 6}" y="{y + 16}" font-size="12" text-anchor="end">{escape(name)}</text>'
                     f'<rect x="{left}" y="{y + 3}" width="{width}" height="{row - 8}" fill="{escape(fill)}"/>'
                     f'<text x="{left + width + 4}" y="{y + 16}" font-size="12">{n}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704 - numbers and escape()d labels only


def scatter_chart(points: list[tuple[str, Decimal, Decimal]], title: str, chart_id: str,
                  x_label: str = "Fit", y_label: str = "Health") -> Markup:
    """Points (name, x 0-100, y 0-100) coloured by y's health band; the lower-right quadrant
    (high x, low y) is shaded: there acting pays most."""
    w, h, left, bottom = 420, 300, 40, 34
    inner_w, inner_h = w - left - 12, h - bottom - 12
    label = title + ": " + (", ".join(f"{name} {x_label.lower()} {x} {y_label.lower()} {y}" for name, x, y in points)
                            or "no partner has both yet")
    parts = [f'<svg class="chart" role="img" aria-labelledby="{escape(chart_id)}" viewBox="0 0 {w} {h}">',
             f'<title id="{escape(chart_id)}">{escape(label)}</title>',
             f'<rect x="{left + inner_w / 2}" y="{12 + inner_h / 2}" width="{inner_w / 2}" height="{inner_h / 2}" '
             f'fill="#fdecea"/>',
             f'<rect x="{left}" y="12" width="{inner_w}" height="{inner_h}" fill="none" stroke="#bbb"/>']

    def px(v: Decimal) -> float:
        return round(left + float(v) / 100 * inner_w, 1)

    def py(v: Decimal) -> float:
        return round(12 + inner_h - float(v) / 100 * inner_h, 1)

    for v in (0, 50, 100):
        parts.append(f'<text x="{left - 4}" y="{py(Decimal(v)) + 4}" font-size="10" text-anchor="end">{v}</text>'
                     f'<text x="{px(Decimal(v))}" y="{12 + inner_h + 14}" font-size="10" '
                     f'text-anchor="middle">{v}</text>')
    parts.append(f'<text x="{left + inner_w / 2}" y="{h - 4}" font-size="11" text-anchor="middle">'
                 f'{escape(x_label)}</text><text x="10" y="{12 + inner_h / 2}" font-size="11" text-anchor="middle" '
                 f'transform="rotate(-90 10 {12 + inner_h / 2})">{escape(y_label)}</text>')
    for name, x, y in points:
        parts.append(f'<circle cx="{px(x)}" cy="{py(y)}" r="5" fill="{_colour(y)}"><title>{escape(name)}: '
                     f'{escape(x_label.lower())} {x}, {escape(y_label.lower())} {y}</title></circle>'
                     f'<text x="{px(x) + 7}" y="{py(y) + 4}" font-size="10">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704 - numbers and escape()d labels only
