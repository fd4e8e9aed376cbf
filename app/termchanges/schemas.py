"""Request bodies of the term-change API, as pydantic models."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from app.api.contract import Body, IsoDateTime, Number, Out, Period, Uuid
from app.termchanges.models import KINDS, STATUSES


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


class ChangeOut(Out):
    """A term-change request."""

    id: Uuid
    partner_id: Uuid
    kind: Literal[KINDS]  # type: ignore[valid-type]
    kind_label: str
    period: Period | None
    payload: dict[str, Any] = Field(description="the kind's fields: metrics, tier, margin_pct or channel_manager_id")
    reason: str
    proposed_by: Literal["vendor", "partner"]
    proposed_by_person: str | None
    status: Literal[STATUSES]  # type: ignore[valid-type]
    counter_of: Uuid | None
    decided_by_person: str | None
    decided_at: IsoDateTime | None
    decline_reason: str
    applied_object_id: str | None = Field(description="the agreement, close or partner the acceptance changed")
    created_at: IsoDateTime
    version: int
    summary: str


class ChangeList(Out):
    """The partnership's term-change history, newest first."""

    items: list[ChangeOut]
