"""Request bodies of the tier-programme API, as pydantic models."""
from __future__ import annotations

from app.api.contract import Body, Number, Part


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
