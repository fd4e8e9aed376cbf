"""Request bodies of the enhancement-request API, as pydantic models."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from app.api.contract import Body, Filled, IsoDateTime, Out, Uuid
from app.enhancements.models import STATUSES, URGENCIES
from app.enhancements.services import MAX_COUNT, TEXT_MAX, TITLE_MAX

AccountIds = Annotated[list[Uuid], Field(description="ids of your own accounts the request affects")]


class EnhancementIn(Body):
    """A partner's enhancement request."""

    title: Filled(TITLE_MAX)
    problem: Filled(TEXT_MAX)
    outcome: Filled(TEXT_MAX)
    urgency: Literal[URGENCIES]  # type: ignore[valid-type]
    account_ids: AccountIds = None
    affected_count: Annotated[int, Field(ge=0, le=MAX_COUNT)] | None = None


class SupportIn(Body):
    """Your partner's support of a request."""

    account_ids: AccountIds = None
    affected_count: int = None
    note: str = None


class StatusIn(Body):
    """Vendor triage: the new status and what goes with it, and the version you read (optional)."""

    status: Literal[STATUSES]  # type: ignore[valid-type]
    target_quarter: str = None
    release_note: str = None
    reason: str = None
    note: str = None
    version: int = None


class UseCaseIn(Body):
    """A use case: given/when/then, or free text."""

    given: str = None
    when: str = None
    then: str = None
    text: str = None


Side = Literal["vendor", "partner"]
Status = Literal[STATUSES]  # type: ignore[valid-type]


class AccountRef(Out):
    id: Uuid
    name: str
    domain: str | None


class VisibleAccount(AccountRef):
    """An affected account the vendor's sharing level lets it see (arr only where the level shows it)."""

    arr: float | None = None


class YourSupportOut(Out):
    affected_count: int | None
    note: str
    accounts: list[AccountRef]


class UseCaseOut(Out):
    """A use case; author and author_partner_id are for vendor staff only."""

    id: Uuid
    author_side: Side
    given: str
    when: str
    then: str
    text: str
    created_at: IsoDateTime
    yours: bool
    author: str | None = None
    author_partner_id: Uuid | None = None


class TimelineOut(Out):
    at: IsoDateTime
    from_status: Status | None
    to_status: Status
    to_label: str
    note: str
    side: Side


class FiledByOut(Out):
    partner_id: Uuid
    partner: str | None
    person: str | None


class SupporterOut(Out):
    partner_id: Uuid
    partner: str | None
    person: str | None
    is_requester: bool
    affected_count: int | None
    note: str
    accounts_attached: int
    accounts_visible: list[VisibleAccount]


class RequestOut(Out):
    """An enhancement request as the caller's side may see it (app.enhancements.views.request_view).

    Lists give the summary; one request also has use_cases, timeline, may_write_use_case and may_triage.
    Partner staff also get yours and may_support (and your_support once their partner filed or supports
    it); vendor staff also get filed_by, supporters_detail and affected_arr."""

    id: Uuid
    title: str
    problem: str
    outcome: str
    urgency: Literal[URGENCIES]  # type: ignore[valid-type]
    status: Status
    status_label: str
    target_quarter: str | None
    release_note: str
    decline_reason: str
    created_at: IsoDateTime
    status_changed_at: IsoDateTime
    supporters: int
    version: int
    yours: Literal["filed", "supported"] | None = None
    may_support: bool = None
    your_support: YourSupportOut = None
    use_cases: list[UseCaseOut] = None
    timeline: list[TimelineOut] = None
    may_write_use_case: bool = None
    may_triage: bool = None
    filed_by: FiledByOut = None
    supporters_detail: list[SupporterOut] = None
    affected_arr: float = None


class RequestPage(Out):
    """A page of requests and the cursor of the next (null on the last page, and for a search)."""

    items: list[RequestOut]
    next_cursor: str | None


class RankedOut(Out):
    id: Uuid
    title: str
    status: Status
    supporters: int
    affected_arr: float = Field(description="ARR of the affected accounts the caller may see")
    created_at: IsoDateTime


class RankingOut(Out):
    """Requests ranked by supporting partners, affected ARR and age."""

    items: list[RankedOut]
