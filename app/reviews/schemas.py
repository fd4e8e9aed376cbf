"""Request bodies and answers of the quarterly-review API, as pydantic models."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from app.api.contract import Body, IsoDate, Number, Out, Period, Uuid
from app.jobs.schemas import JobOut
from app.reviews.models import ITEM_STATUSES

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


# -- answers ---------------------------------------------------------------------------------------

class ReviewSummaryOut(Out):
    """A review's state (DESIGN section 9): who signed, whether it is locked, its snapshot's hash."""

    id: Uuid
    partner_id: Uuid
    period: Period
    signed_by_vendor: bool
    signed_by_partner: bool
    locked: bool = Field(description="signed by both sides: the frozen snapshot")
    snapshot_hash: str | None
    version: int


class ReviewOut(ReviewSummaryOut):
    """The review as this side sees it."""

    content: dict[str, Any] = Field(description=(
        "what the review shows this side: health (metrics with disputes), trend, tier, overlap, ipp, agenda, "
        "notes, action_items, sections, signatures, hash; from the frozen snapshot once both sides signed"))


class ReviewList(Out):
    """The partnership's reviews, newest quarter first."""

    items: list[ReviewSummaryOut]


class ActionItemOut(Out):
    id: Uuid
    title: str
    owner_side: Side
    owner_id: Uuid
    owner: str = Field(description="the owner's name (empty if unknown)")
    due_date: IsoDate
    status: Literal[ITEM_STATUSES]  # type: ignore[valid-type]
    metric_key: str | None
    carried: bool = Field(description="carried over from the previous review")
    overdue: bool
    version: int


class ActionItemList(Out):
    items: list[ActionItemOut]


class PackJobOut(JobOut):
    """The queued job (202, `Location: /api/v1/jobs/{id}`): the worker renders the pack of the caller's side;
    download it from `/api/v1/jobs/{id}/download` once the job has succeeded."""
