"""Geometry of the server-rendered SVG charts (no Flask, no database): templates only draw."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

BAND_COLOURS = {"ideal": "#2e7d32", "strong": "#1565c0", "developing": "#b26a00",
                "not_a_fit": "#c62828", "unassessed": "#9e9e9e"}
SERIES_COLOURS = {"vendor": "#1565c0", "self": "#b26a00"}


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    points: tuple[Point, ...]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    series: tuple[Series, ...]
    gridlines: tuple[tuple[float, str], ...]  # (y, label)
    x_labels: tuple[Point, ...]


def history_chart(entries: list[dict], width: int = 640, height: int = 240) -> LineChart:
    """Fit score over time; entries are {kind, fit_score, label} in time order (oldest first)."""
    left, right, top, bottom = 40, 16, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(entries) - 1, 1)

    def y_of(score: Decimal | float) -> float:
        return top + plot_h * (1 - float(score) / 100)

    by_kind: dict[str, list[Point]] = {}
    x_labels = []
    for index, entry in enumerate(entries):
        x = left + (step * index if len(entries) > 1 else plot_w / 2)
        point = Point(x, y_of(entry["fit_score"]),
                      f"{entry['label']}: {entry['kind']} {entry['fit_score']}")
        by_kind.setdefault(entry["kind"], []).append(point)
        x_labels.append(Point(x, height - 14, entry["label"]))
    series = tuple(Series(kind, SERIES_COLOURS.get(kind, "#555"), tuple(points))
                   for kind, points in sorted(by_kind.items()))
    grid = tuple((y_of(v), str(v)) for v in (0, 40, 60, 80, 100))
    return LineChart(width, height, series, grid, tuple(x_labels))


@dataclass(frozen=True)
class Bar:
    label: str
    note: str
    count: int
    y: float
    width: float
    colour: str


def bar_chart(rows: list[tuple[str, str, int, str]], width: int = 640,
              row_height: int = 34) -> tuple[int, int, tuple[Bar, ...]]:
    """Horizontal bars for (label, note, count, colour key); returns (width, height, bars)."""
    left, right = 150, 60
    most = max((count for _, _, count, _ in rows), default=0) or 1
    bars = tuple(Bar(label, note, count, 8 + i * row_height,
                     (width - left - right) * count / most, BAND_COLOURS.get(key, "#555"))
                 for i, (label, note, count, key) in enumerate(rows))
    return width, 16 + len(rows) * row_height, bars
