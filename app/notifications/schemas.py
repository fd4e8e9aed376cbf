"""Answers of the notifications API, as pydantic models: they document and check the same shape."""
from __future__ import annotations

from pydantic import Field

from app.api.contract import IsoDateTime, Out, Uuid


class NoticeOut(Out):
    """One of the caller's notices (link: a path inside the portal)."""

    id: Uuid
    kind: str
    subject: str
    body: str
    link: str | None
    created_at: IsoDateTime
    read_at: IsoDateTime | None


class NoticePage(Out):
    """A page of the caller's notices, oldest first, the unread count and the cursor of the next page."""

    items: list[NoticeOut]
    unread: int = Field(description="the caller's unread notices, all pages")
    next_cursor: str | None
