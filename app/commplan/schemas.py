"""Request bodies of the communication-plan API, as pydantic models."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, WithJsonSchema

from app.accounts.levels import LEVELS
from app.api.contract import DATE_PATTERN, Body, Filled, IsoDate, IsoDateTime, Out, Text, Uuid
from app.commplan.models import CADENCES, CHANNELS, CONTACT_ROLES, MEETING_KINDS
from app.commplan.services import NOTE_MAX


class ChannelsIn(Body):
    """The preferred channels, with the plan's version as read (optional)."""

    channels: list[Literal[CHANNELS]]  # type: ignore[valid-type]
    version: int | None = None


class ContactIn(Body):
    """A contact on your side of the partnership."""

    role: Literal[CONTACT_ROLES]  # type: ignore[valid-type]
    name: Filled(200)
    email: Annotated[str, StringConstraints(max_length=254, pattern="^(|[^ ]*@[^ ]*)$")] | None = None
    phone: Text(40) | None = None


# One type (not a union), so an error names the field itself: a date, or empty text for "not set".
NextDate = Annotated[str, StringConstraints(pattern=f"^({DATE_PATTERN.strip('^$')})?$"), WithJsonSchema(
    {"anyOf": [{"type": "string", "format": "date", "pattern": DATE_PATTERN}, {"type": "string", "maxLength": 0}]})]


class MeetingIn(Body):
    """A recurring meeting of the plan (next_date may be empty or null: not yet set)."""

    kind: Literal[MEETING_KINDS]  # type: ignore[valid-type]
    cadence: Literal[CADENCES]  # type: ignore[valid-type]
    next_date: NextDate | None = None
    note: Text(NOTE_MAX) | None = None


class ContactOut(Out):
    id: Uuid
    side: Literal["vendor", "partner"]
    role: Literal[CONTACT_ROLES]  # type: ignore[valid-type]
    name: str
    email: str
    phone: str


class MeetingOut(Out):
    id: Uuid
    kind: Literal[MEETING_KINDS]  # type: ignore[valid-type]
    cadence: Literal[CADENCES]  # type: ignore[valid-type]
    next_date: IsoDate | None = Field(description="the day; null: not yet set")
    note: str


class LevelsOut(Out):
    vendor_to_partner: Literal[LEVELS]  # type: ignore[valid-type]
    partner_to_vendor: Literal[LEVELS]  # type: ignore[valid-type]


class PlanSharingOut(Out):
    """What each side shares, in the words of the sharing pages, from the levels in force."""

    you_share: str
    you_see: str
    levels: LevelsOut


class PlanOut(Out):
    """The partnership's communication plan (version 0 while none was saved)."""

    partner_id: Uuid
    version: int
    channels: list[Literal[CHANNELS]]  # type: ignore[valid-type]
    reviewed_at: IsoDateTime | None
    review_overdue: bool
    contacts: list[ContactOut]
    meetings: list[MeetingOut]
    sharing: PlanSharingOut
