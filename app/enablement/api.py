"""Touch plans, touches, coverage, courses and completions in the JSON API (the same services and policies as the pages)."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from flask import jsonify, request
from sqlalchemy import select

from app.api import bp
from pydantic import Field, StringConstraints

from app.api.contract import Body, Filled, Period, Text
from app.api.helpers import actor, json_body, keyset_page
from app.api.openapi import documented
from app.api.openapi_shapes import PERIOD
from app.auth.models import Membership, User
from app.auth.policies import require
from app.enablement import rules
from app.enablement.models import Course
from app.enablement.policies import (
    can_log_touch, can_manage_courses, can_manage_plan, can_record_training, can_view_coverage, can_view_enablement,
    get_course_or_404,
)
from app.enablement.schemas import (
    CompletionList, CompletionOut, CourseList, CourseOut, CoverageOut, ManagerCoverageOut, PlanMade, PlanOut, TouchList,
    TouchOut, TouchpointOut,
)
from app.enablement.services import (
    COMPLETION_ORDER, TOUCH_ORDER, certified_counts, completions_query, courses, coverage, create_course,
    current_quarter, generate_plan, log_touch, manager_names, parse_quarter, plan_of, record_completion, today,
    touches_query, touchpoints, update_course,
)
from app.extensions import db
from app.partners.policies import get_partner_or_404

PERIOD_QUERY = [{"name": "period", "in": "query", "required": False, "schema": PERIOD,
                 "description": "A quarter; default: this one."}]

IsoDate = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]


def _quarter():
    raw = request.args.get("period")  # absent: this quarter; anything else must be a quarter (422)
    return current_quarter() if raw is None else parse_quarter(raw)


def plan_view(partner, quarter) -> dict:
    plan = plan_of(partner, quarter)
    now = today()
    points = touchpoints(plan) if plan else []
    return PlanOut(partner_id=str(partner.id), period=str(quarter), exists=plan is not None,
                   band=plan.band if plan else None, touch_model=plan.touch_model if plan else None,
                   touchpoints=[TouchpointOut(id=str(p.id), kind=p.kind, due=p.due.isoformat(),
                                              done_on=p.done_on.isoformat() if p.done_on else None,
                                              state=rules.touchpoint_state(p.done_on, p.due, now))
                                for p in points]).model_dump(mode="json")


def touch_view(t) -> dict:
    return TouchOut(id=str(t.id), kind=t.kind, happened_on=t.happened_on.isoformat(), side=t.side, notes=t.notes,
                    touchpoint_id=str(t.touchpoint_id) if t.touchpoint_id else None).model_dump(mode="json")


def _partner(partner_id):
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(can_view_enablement(current, partner))
    return current, partner


@bp.get("/partners/<uuid:partner_id>/touch-plan")
@documented(response=PlanOut, query=PERIOD_QUERY)
def get_touch_plan(partner_id: uuid.UUID):
    """The partner's touch plan of a quarter (?period=, default this one) with each touchpoint's state."""
    _, partner = _partner(partner_id)
    return jsonify(plan_view(partner, _quarter()))


class PlanIn(Body):
    """The quarter to make the plan for, from the partner's band now."""

    period: Period


@bp.post("/partners/<uuid:partner_id>/touch-plan")
@documented(request=PlanIn, response=PlanMade, status=201)
def create_touch_plan(partner_id: uuid.UUID):
    """Make the partner's plan for a quarter; an existing plan is answered unchanged (created: false)."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(can_manage_plan(current, partner))
    quarter = parse_quarter(json_body().get("period"))
    _, created = generate_plan(partner, quarter)
    return jsonify(PlanMade(**plan_view(partner, quarter), created=created).model_dump(mode="json")), 201


def _day_and_id(values):
    return date.fromisoformat(values[0]), uuid.UUID(values[1])


@bp.get("/partners/<uuid:partner_id>/touches")
@documented(response=TouchList)
def list_touches(partner_id: uuid.UUID):
    """The partner's logged touches, newest first, by cursor."""
    _, partner = _partner(partner_id)
    rows, cursor = keyset_page(touches_query(partner), TOUCH_ORDER,
                               lambda t: (t.happened_on.isoformat(), str(t.id)), _day_and_id, descending=True)
    return jsonify(TouchList(items=[touch_view(t) for t in rows], next_cursor=cursor).model_dump(mode="json"))


class TouchIn(Body):
    """A touch that happened (not in the future), optionally fulfilling one of the partner's touchpoints."""

    kind: Literal[rules.KINDS]
    happened_on: IsoDate
    notes: Text(2000) | None = None
    touchpoint_id: Text(36) | None = None


@bp.post("/partners/<uuid:partner_id>/touches")
@documented(request=TouchIn, response=TouchOut, status=201)
def log_touch_api(partner_id: uuid.UUID):
    """Log a touch with notes (vendor staff who work the partner, or the partner's own staff)."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(can_log_touch(current, partner))
    return jsonify(touch_view(log_touch(current, partner, json_body()))), 201


@bp.get("/touch-coverage")
@documented(response=CoverageOut, query=PERIOD_QUERY)
def get_touch_coverage():
    """Due, done, overdue and open touchpoints of a quarter per channel manager (vendor staff)."""
    current = actor()
    require(can_view_coverage(current))
    quarter = _quarter()
    rows = coverage(quarter)
    names = manager_names(r.manager_id for r in rows)
    return jsonify(CoverageOut(period=str(quarter), managers=[
        ManagerCoverageOut(channel_manager_id=str(r.manager_id) if r.manager_id else None,
                           channel_manager=names.get(r.manager_id) if r.manager_id else None, due=r.due, done=r.done,
                           overdue=r.overdue, open=r.open) for r in rows]).model_dump(mode="json"))


def course_view(c) -> dict:
    return CourseOut(id=str(c.id), name=c.name, kind=c.kind, description=c.description or "",
                     valid_months=c.valid_months, active=c.active, retired=not c.active,
                     version=c.version).model_dump(mode="json")


def completion_view(c, course, email) -> dict:
    return CompletionOut(id=str(c.id), course_id=str(course.id), course=course.name,
                         membership_id=str(c.membership_id), person=email, completed_on=c.completed_on.isoformat(),
                         expires_on=c.expires_on.isoformat() if c.expires_on else None).model_dump(mode="json")


@bp.get("/courses")
@documented(response=CourseList)
def list_courses():
    """The workspace's courses and certifications."""
    current = actor()
    require(current.is_vendor or current.is_partner_side)
    return jsonify({"items": [course_view(c) for c in courses()]})


class CourseIn(Body):
    """A course or a certification; valid_months (1..120) makes completions lapse."""

    name: Filled(200)
    kind: Literal["course", "certification"]
    valid_months: Annotated[int, Field(ge=1, le=120)] | None = None
    description: Text(2000) | None = None


@bp.post("/courses")
@documented(request=CourseIn, response=CourseOut, status=201)
def create_course_api():
    """Add a course or certification (vendor admins)."""
    current = actor()
    require(can_manage_courses(current))
    return jsonify(course_view(create_course(current, json_body()))), 201


class CourseChange(Body):
    """What changes on a course (fields left out stay), with the version you read. valid_months null:
    completions never lapse; a new validity applies to completions recorded from then on. retired true:
    no new completions, the recorded ones stay; false reinstates it."""

    version: Annotated[int, Field(description="the version you read")]
    name: Filled(200) = None
    description: Text(2000) | None = None
    valid_months: Annotated[int, Field(ge=1, le=120)] | None = None
    retired: bool = None


@bp.get("/courses/<uuid:course_id>")
@documented(response=CourseOut)
def get_course(course_id: uuid.UUID):
    """One course or certification."""
    return jsonify(course_view(get_course_or_404(actor(), course_id)))


@bp.patch("/courses/<uuid:course_id>")
@documented(request=CourseChange, response=CourseOut)
def update_course_api(course_id: uuid.UUID):
    """Rename or describe a course, change its validity, retire or reinstate it (vendor admins)."""
    current = actor()
    course = get_course_or_404(current, course_id)
    require(can_manage_courses(current))
    body = json_body()
    update_course(current, course, {k: v for k, v in body.items() if k != "version"}, body["version"])
    return jsonify(course_view(course))


@bp.get("/partners/<uuid:partner_id>/completions")
@documented(response=CompletionList)
def list_completions(partner_id: uuid.UUID):
    """The partner's staff's completions (newest first, by cursor) and how many hold a valid certification."""
    _, partner = _partner(partner_id)
    rows, cursor = keyset_page(completions_query(partner), COMPLETION_ORDER,
                               lambda r: (r[0].completed_on.isoformat(), str(r[0].id)), _day_and_id,
                               descending=True, rows=True)
    return jsonify(CompletionList(items=[completion_view(*row) for row in rows], next_cursor=cursor,
                                  certified=certified_counts([partner.id]).get(partner.id, 0)).model_dump(mode="json"))


class CompletionIn(Body):
    """Who completed which course, and when (not in the future)."""

    course_id: Text(36)
    membership_id: Text(36)
    completed_on: IsoDate


@bp.post("/partners/<uuid:partner_id>/completions")
@documented(request=CompletionIn, response=CompletionOut, status=201)
def record_completion_api(partner_id: uuid.UUID):
    """Record a completion (the partner's admin, or vendor staff who work the partner)."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(can_record_training(current, partner))
    done = record_completion(current, partner, json_body())
    course = db.session.get(Course, (done.tenant_id, done.course_id))
    email = db.session.scalar(select(User.email).join(Membership, Membership.user_id == User.id)
                              .where(Membership.id == done.membership_id)) or ""
    return jsonify(completion_view(done, course, email)), 201
