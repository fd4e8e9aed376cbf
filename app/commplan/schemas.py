"""Request bodies of the communication-plan API, as pydantic models."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints, WithJsonSchema

from app.api.contract import DATE_PATTERN, Body, Filled, Text
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
