"""Request bodies of the agreements, measurements and metric-catalogue API, as pydantic models."""
from __future__ import annotations

from typing import Literal

from app.api.contract import Body, Number, Part, Period

Direction = Literal["higher", "lower"]


class MetricTerm(Part):
    """One metric of a proposal: its key, direction, target, floor and weight."""

    key: str
    direction: Direction
    target: Number()
    floor: Number()
    weight: Number()


class AgreementIn(Body):
    """Propose metrics for a quarter."""

    period: Period
    metrics: list[MetricTerm]
    note: str = None


class VersionIn(Body):
    """The version you read (optional)."""

    version: int = None


class MeasurementsIn(Body):
    """Values for the agreement's metrics, by key."""

    values: dict[str, Number()]
    source: str = None


class MetricIn(Body):
    """A custom metric for the catalogue."""

    key: str
    name: str
    direction: Direction
    unit: str = None
    target: Number()
    floor: Number()
    weight: Number()
    description: str = None
