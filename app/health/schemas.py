"""Request bodies of the agreements, measurements and metric-catalogue API, as pydantic models."""
from __future__ import annotations

from typing import Literal

from app.api.contract import Body, IsoDateTime, Number, Out, Part, Period, Uuid

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


class MetricTermOut(Out):
    key: str
    direction: Direction
    target: float
    floor: float
    weight: float


class AgreementOut(Out):
    """A proposal or agreement as the API answers it."""

    id: Uuid
    partner_id: Uuid
    period: Period
    status: Literal["proposed", "accepted", "superseded"]
    proposed_by: Literal["vendor", "partner"]
    proposed_at: str
    accepted_at: str | None
    replaces_id: Uuid | None
    note: str
    version: int
    metrics: list[MetricTermOut]


class AgreementList(Out):
    """Every proposal of the partnership, newest first."""

    items: list[AgreementOut]


class HealthLineOut(Out):
    key: str
    value: float | None
    attainment: float
    missing: bool
    target: float
    floor: float
    weight: float
    source: str | None
    side: str | None


class HealthOut(Out):
    """Health score, colour and per-metric attainment of an agreement."""

    agreement_id: Uuid
    period: Period
    status: Literal["proposed", "accepted", "superseded"]
    score: float
    color: Literal["green", "yellow", "red"]
    metrics: list[HealthLineOut]
    biggest_lever: str | None


class MeasurementOut(Out):
    key: str
    value: float
    source: str
    side: Literal["vendor", "partner"]
    recorded_at: IsoDateTime


class MeasurementList(Out):
    """The quarter's measurements of the agreement's metrics (only those recorded), in the agreement's order."""

    period: Period
    items: list[MeasurementOut]


class NewMetricOut(Out):
    """A metric of the catalogue, as its creation answers it (without the description)."""

    key: str
    name: str
    direction: Direction
    unit: str
    target: float
    floor: float
    weight: float
    custom: bool


class MetricOut(NewMetricOut):
    """A metric of the catalogue."""

    description: str


class MetricList(Out):
    """The tenant's metric catalogue."""

    items: list[MetricOut]
