"""Communication plans' part of the cockpits: meetings due within a week and plans due for review.

Two branches of the work queue's one statement (registry.WorkQuery), whatever the number of partners; `rules.review_overdue` (pure) decides when a
plan is due. Only people who may edit the plan (policies.can_edit) see its items.
"""
from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta, timezone
from types import SimpleNamespace

from flask import url_for
from sqlalchemy import false, or_, select, true

from app.auth import roles
from app.commplan.models import MEETING_LABELS, CommMeeting, CommPlan
from app.commplan.policies import can_edit
from app.commplan.rules import REVIEW_QUARTERS, review_overdue
from app.core.db import utcnow
from app.core.registry import Book, WorkItem, WorkQuery, work_columns
from app.extensions import db
from app.health.periods import period_for
from app.partners.models import Partner
from app.partners.policies import in_book

SOON = timedelta(days=7)
_PLACEHOLDER = uuid.UUID(int=0)


def _partner(row) -> SimpleNamespace:
    """What can_edit reads of a partner (its id and channel manager), from a work-queue row."""
    return SimpleNamespace(id=row.partner_id, channel_manager_id=row.manager_id)


def _editable(actor):
    """policies.can_edit as a condition on Partner."""
    if actor.is_vendor and actor.role == roles.VENDOR_ADMIN:
        return true()
    if actor.is_vendor and actor.role == roles.CHANNEL_MANAGER:
        return Partner.channel_manager_id == actor.membership.id
    if actor.is_partner_side and actor.role == roles.PARTNER_ADMIN:
        return Partner.id == actor.partner_id
    return false()


def _overdue(today):
    """rules.review_overdue as a condition on CommPlan.reviewed_at: never reviewed, or reviewed on
    or before the last day of the quarter REVIEW_QUARTERS before today's."""
    due = period_for(today)
    for _ in range(REVIEW_QUARTERS):
        due = due.previous()
    after = datetime.combine(due.end_date() + timedelta(days=1), time.min, tzinfo=timezone.utc)
    return or_(CommPlan.reviewed_at.is_(None), CommPlan.reviewed_at < after)


def touches_due(actor, book: Book) -> list[WorkItem] | list[WorkQuery]:
    if not (actor.is_vendor or actor.is_partner_side):
        return []
    mine = Book(partner_id=actor.partner_id) if actor.is_partner_side else book
    today = utcnow().date()
    meetings = (select(*work_columns(text=CommMeeting.kind, day=CommMeeting.next_date, partner_id=Partner.id,
                                     name=Partner.name, manager_id=Partner.channel_manager_id))
                .join(Partner, Partner.id == CommMeeting.partner_id)
                .where(CommMeeting.next_date.is_not(None), CommMeeting.next_date <= today + SOON))

    def touches(rows) -> list[WorkItem]:
        items = []
        for row in sorted(rows, key=lambda r: r.day):
            if not can_edit(actor, _partner(row)):
                continue
            what = MEETING_LABELS.get(row.text, row.text)
            late = row.day < today
            items.append(WorkItem(kind="touch_due", partner_id=row.partner_id, due=row.day, urgent=late,
                                  title=f"{what} with {row.name if actor.is_vendor else 'the vendor'} "
                                        f"{'was due' if late else 'is due'} on {row.day:%Y-%m-%d}",
                                  detail="held it? set its next date on the plan",
                                  link=url_for("commplan.plan", partner_id=row.partner_id)))
        return items

    # Every active partner of the book is read here: plain rows (id, name, manager), which is all
    # can_edit reads, rather than ORM objects.
    # can_edit and review_overdue are also applied in SQL (_editable, _overdue), so every row is one
    # item and the home page may cut the branch to its first rows by name; the Python checks stay.
    plans = (select(*work_columns(partner_id=Partner.id, name=Partner.name, manager_id=Partner.channel_manager_id,
                                  at=CommPlan.reviewed_at))
             .outerjoin(CommPlan, CommPlan.partner_id == Partner.id)
             .where(Partner.status == "active", _editable(actor), _overdue(today)))

    def reviews_due(rows) -> list[WorkItem]:
        plan_link = url_for("commplan.plan", partner_id=_PLACEHOLDER)  # one url_for for every item
        items = []
        for row in sorted(rows, key=lambda r: (r.name, r.partner_id)):
            reviewed_at = row.at
            if not can_edit(actor, _partner(row)) or not review_overdue(reviewed_at.date() if reviewed_at else None, today):
                continue
            who = row.name if actor.is_vendor else "the vendor"
            items.append(WorkItem(kind="plan_review_due", partner_id=row.partner_id,
                                  title=f"Review the communication plan with {who}",
                                  detail=f"last reviewed {reviewed_at:%Y-%m-%d}" if reviewed_at else "never reviewed",
                                  link=plan_link.replace(str(_PLACEHOLDER), str(row.partner_id))))
        return items

    return [WorkQuery(in_book(meetings, mine), touches), WorkQuery(in_book(plans, mine), reviews_due, kind="plan_review_due",
                                                                     order=("name", "partner_id"))]
