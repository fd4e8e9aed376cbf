"""Answers of the enablement API (touch plans, touches, coverage, courses, completions) as pydantic models:
the views build each answer through its model, and the document's response schemas are the models'."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.api.contract import IsoDate, Out, Period, Uuid
from app.enablement import rules

Kind = Literal[rules.KINDS]  # type: ignore[valid-type]


class TouchpointOut(Out):
    id: Uuid
    kind: Kind
    due: IsoDate
    done_on: IsoDate | None
    state: Literal["open", "done", "overdue"]


class PlanOut(Out):
    """A partner's touch plan of a quarter; exists false (and no touchpoints) when none was made."""

    partner_id: Uuid
    period: Period
    exists: bool
    band: str | None = Field(description="the IPP band the plan was made from (null: unassessed)")
    touch_model: Literal[tuple(rules.PLAN_SHAPES)] | None  # type: ignore[valid-type]
    touchpoints: list[TouchpointOut]


class PlanMade(PlanOut):
    """The plan, and whether this request made it (false: it existed and is answered unchanged)."""

    created: bool


class TouchOut(Out):
    id: Uuid
    kind: Kind
    happened_on: IsoDate
    side: Literal["vendor", "partner"]
    notes: str
    touchpoint_id: Uuid | None


class TouchList(Out):
    """The partner's logged touches, newest first, by cursor."""

    items: list[TouchOut]
    next_cursor: str | None = Field(description="the next page's cursor; null: this is the last page")


class ManagerCoverageOut(Out):
    channel_manager_id: Uuid | None = Field(description="null: partners without a channel manager")
    channel_manager: str | None = Field(description="the channel manager's name (their e-mail when they gave none); "
                                                    "null: partners without a channel manager")
    due: int
    done: int
    overdue: int
    open: int


class CoverageOut(Out):
    period: Period
    managers: list[ManagerCoverageOut]


class CourseOut(Out):
    id: Uuid
    name: str
    kind: Literal["course", "certification"]
    description: str
    valid_months: int | None
    active: bool = Field(description="false: retired (takes no new completions; the recorded ones stay)")
    retired: bool
    version: int = Field(description="send it back with a change")


class CourseList(Out):
    items: list[CourseOut]


class CompletionOut(Out):
    id: Uuid
    course_id: Uuid
    course: str = Field(description="the course's name")
    membership_id: Uuid
    person: str = Field(description="the person's e-mail")
    completed_on: IsoDate
    expires_on: IsoDate | None


class CompletionList(Out):
    """The partner's staff's completions, newest first by cursor, and how many hold a valid certification."""

    items: list[CompletionOut]
    next_cursor: str | None = Field(description="the next page's cursor; null: this is the last page")
    certified: int = Field(description="the partner's people holding a valid certification (all pages)")
