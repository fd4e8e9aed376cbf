"""Request bodies of the tier-programme API, as pydantic models."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.jobs.schemas import JobOut
from app.api.contract import Body, Number, Out, Part, Period, Uuid
from app.tiers.rules import STATUSES


class TierIn(Part):
    """One tier: its name, the health score that reaches it, and its margins."""

    name: str = None
    min_score: Number() = None
    base_margin_pct: Number() = None
    bonus_margin_pct: Number() = None


class ProgrammeIn(Body):
    """The whole tier programme, and the version you read (optional)."""

    tiers: list[TierIn]
    version: int = None


class OverrideIn(Body):
    """A tier and/or margin override of a closed quarter, with the reason."""

    tier: str | None = None
    margin_pct: Number() | None = None
    reason: str


class WhatIfIn(Body):
    """Values and/or targets to try, by metric key."""

    values: dict[str, Number()] | None = None
    targets: dict[str, Number()] | None = None


class TierOut(Out):
    name: str
    min_score: float
    base_margin_pct: float
    bonus_margin_pct: float


class ProgrammeOut(Out):
    """The tier programme, lowest tier first (version null while none was saved)."""

    version: int | None
    tiers: list[TierOut]


CloseStatus = Literal[STATUSES]  # type: ignore[valid-type]


class CloseOut(Out):
    """A partner's closed quarter: the computed outcome, any override, and what is in force."""

    partner_id: Uuid
    period: Period
    health_score: float
    qualified_tier: str
    assigned_tier: str
    status: CloseStatus
    margin_pct: float
    applies_to: Period = Field(description="the quarter the tier and margin apply to")
    tier: str = Field(description="the override's tier, else the assigned one")
    effective_margin_pct: float
    override_tier: str | None
    override_margin_pct: float | None
    override_reason: str | None


class CloseQueuedOut(JobOut):
    """202 and `Location: /api/v1/jobs/{id}`: the close is queued as this job, whose result holds period, closed,
    changed and skipped. With `?wait=true` it runs within the request and answers 200 with them (CloseAllOut)."""


class SkippedOut(Out):
    partner_id: Uuid
    reason: str


class CloseAllOut(Out):
    """A quarter closed for every partner that could close (`?wait=true`), the others listed with the reason."""

    period: Period
    closed: int
    changed: int
    skipped: list[SkippedOut]


class MarginOut(Out):
    """One quarter of the margin history: what applies, and what was computed before any override."""

    applies_to: Period
    period: Period
    tier: str
    margin_pct: float
    status: CloseStatus
    health_score: float
    computed_tier: str
    computed_margin_pct: float
    override_reason: str | None


class MarginList(Out):
    """The partner's margin history, newest first."""

    items: list[MarginOut]


class WhatIfLineOut(Out):
    key: str
    value: float | None
    attainment: float
    missing: bool


class WhatIfOut(Out):
    """Health, tier and margin that the changed values or targets would give; nothing is saved."""

    period: Period
    score: float
    color: Literal["green", "yellow", "red"]
    qualified_tier: str
    assigned_tier: str
    status: CloseStatus
    margin_pct: float
    metrics: list[WhatIfLineOut]
    saved: Literal[False]
