"""Request bodies of the sharing API, as pydantic models."""
from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from app.accounts.domains import SEGMENTS
from app.accounts.levels import LEVELS
from app.api.contract import Body, IsoDate, Out, Uuid
from app.sharing.models import DIRECTIONS
from app.sharing.policies import FIELD_CHOICES


class SharingIn(Body):
    """One direction's sharing level (and, with level `fields`, which fields), with the version you read."""

    # The cross-field rule is the view's to enforce (with its own message); the document states it.
    model_config = ConfigDict(json_schema_extra={
        "if": {"required": ["level"], "properties": {"level": {"const": "fields"}}},
        "then": {"required": ["fields"], "properties": {"fields": {"type": "array", "minItems": 1}}}})

    direction: Literal[DIRECTIONS]  # type: ignore[valid-type]
    level: Literal[LEVELS]  # type: ignore[valid-type]
    fields: list[Literal[FIELD_CHOICES]] | None = Field(  # type: ignore[valid-type]
        None, description="with level `fields`: at least one")
    version: int = None


class DataRequestIn(Body):
    """Ask the other side for more than counts."""

    requested_level: Literal["overlaps", "fields", "full"] = "overlaps"
    message: str | None = None


class DirectionOut(Out):
    """One direction of a partnership's sharing."""

    level: Literal[LEVELS]  # type: ignore[valid-type]
    fields: list[Literal[FIELD_CHOICES]]  # type: ignore[valid-type]
    default: bool = Field(description="no level was set: the workspace's default applies")
    version: int = Field(description="0 while no level was set")
    you_may_change: bool


class SharingOut(Out):
    """Both directions of a partnership's sharing, with plain-word descriptions."""

    partner_id: Uuid
    vendor_to_partner: DirectionOut
    partner_to_vendor: DirectionOut
    shared_with_you: str
    you_share: str


class OverlapItem(Out):
    """A shared customer: the other side's account (the fields its level shows) and yours."""

    id: Uuid
    your_account_id: Uuid
    name: str = None
    domain: str | None = None
    employees: int | None = None
    segment: Literal[SEGMENTS] | None = None  # type: ignore[valid-type]
    industry: str | None = None
    region: str | None = None
    arr: float | None = None
    renewal_date: IsoDate | None = None
    stage: str | None = None


class OverlapPage(Out):
    """The overlap as the other side's level allows: count (null at `none`), and at a level that lists them a
    page of shared customers (items and next_cursor are absent at `none` and `counts`)."""

    level: Literal[LEVELS]  # type: ignore[valid-type]
    count: int | None
    items: list[OverlapItem] = None
    next_cursor: str | None = None


class DataRequestOut(Out):
    """A request for more than counts."""

    id: Uuid
    partner_id: Uuid
    direction: Literal[DIRECTIONS]  # type: ignore[valid-type]
    requested_level: Literal["overlaps", "fields", "full"]
    requested_by_side: Literal["vendor", "partner"]
    status: Literal["pending", "accepted", "declined"]
    message: str
