"""The audit API's answer as pydantic models: the API sends each event through its model, and the
document's response schema is the model's."""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from app.api.contract import Out, Uuid

# RFC 3339 with its offset (the API answers created_at in UTC, "+00:00").
DATE_TIME_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
DateTime = Annotated[str, Field(pattern=DATE_TIME_PATTERN, json_schema_extra={"format": "date-time"})]


class EventOut(Out):
    """One link of the tenant's audit chain."""

    id: Uuid
    seq: int = Field(ge=1)
    created_at: DateTime
    actor: str
    actor_id: Uuid | None
    action: str
    object_type: str
    object_id: str
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    prev_hash: str
    hash: str


class EventPage(Out):
    """A page of events, oldest first, and the cursor of the next (null on the last page)."""

    items: list[EventOut]
    next_cursor: str | None
