"""Request bodies of the quarterly-review API, as pydantic models."""
from __future__ import annotations

from typing import Literal

from app.api.contract import Body, IsoDate, Number, Period

Side = Literal["vendor", "partner"]


class ReviewOpen(Body):
    """Open a quarter's review."""

    period: Period


class ReviewChange(Body):
    """The agenda and this side's notes, with the version you read."""

    version: int
    agenda: str = None
    vendor_notes: str = None
    partner_notes: str = None


class SettlementIn(Body):
    """The agreed value of a disputed metric."""

    metric_key: str
    value: Number()


class ActionItemIn(Body):
    """An action item: what, whose, by when."""

    title: str
    owner_side: Side
    owner_id: str
    due_date: IsoDate
    metric_key: str | None = None


class ActionItemChange(Body):
    """Change an action item (its owner sets the status), with the version you read."""

    version: int
    title: str = None
    owner_side: Side = None
    owner_id: str = None
    due_date: IsoDate = None
    metric_key: str | None = None
    status: Literal["open", "done", "dropped"] = None
