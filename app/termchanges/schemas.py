"""Request bodies of the term-change API, as pydantic models."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from app.api.contract import Body, Number
from app.termchanges.models import KINDS


class ProposalIn(Body):
    """A term change: its kind, the reason, and the fields of that kind."""

    kind: Literal[KINDS] = None  # type: ignore[valid-type]
    reason: str
    period: str = None
    metrics: list[dict[str, Any]] = Field(None, description="agreement_terms")
    tier: str = Field(None, description="tier_position")
    margin_pct: Number(description="margin_exception") = None
    channel_manager_id: str = Field(None, description="named_contact")


class CounterIn(ProposalIn):
    """A counter-proposal, with the version of the request you read (optional)."""

    version: int = None


class VersionedIn(Body):
    """The version you read (optional)."""

    version: int = None
    reason: str = None
