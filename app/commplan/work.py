"""Communication plans' part of the cockpits: meetings due within a week and plans due for review.

Two statements whatever the number of partners; `rules.review_overdue` (pure) decides when a
plan is due. Only people who may edit the plan (policies.can_edit) see its items.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

from flask import url_for
from sqlalchemy import select

from app.commplan.models import MEETING_LABELS, CommMeeting, CommPlan
from app.commplan.policies import can_edit
from app.commplan.rules import review_overdue
from app.core.db import utcnow
from app.core.registry import Book, WorkItem
from app.extensions import db
from app.partners.models import Partner
from app.partners.policies import in_book

SOON = timedelta(days=7)
_PLACEHOLDER = uuid.UUID(int=0)


def touches_due(actor, book: Book) -> list[WorkItem]:
    if not (actor.is_vendor or actor.is_partner_side):
        return []
    mine = Book(partner_id=actor.partner_id) if actor.is_partner_side else book
    today = utcnow().date()
    items = []
    meetings = (select(CommMeeting, Partner).join(Partner, Partner.id == CommMeeting.partner_id)
                .where(CommMeeting.next_date.is_not(None), CommMeeting.next_date <= today + SOON)
                .order_by(CommMeeting.next_date))
    for meeting, partner in db.session.execute(in_book(meetings, mine)).all():
        if not can_edit(actor, partner):
            continue
        what = MEETING_LABELS.get(meeting.kind, meeting.kind)
        late = meeting.next_date < today
        items.append(WorkItem(kind="touch_due", partner_id=partner.id, due=meeting.next_date, urgent=late,
                              title=f"{what} with {partner.name if actor.is_vendor else 'the vendor'} "
                                    f"{'was due' if late else 'is due'} on {meeting.next_date:%Y-%m-%d}",
                              detail="held it? set its next date on the plan",
                              link=url_for("commplan.plan", partner_id=partner.id)))
    plan_link = url_for("commplan.plan", partner_id=_PLACEHOLDER)  # one url_for for every item
    # Every active partner of the book is read here: plain rows (id, name, manager), which is all
    # can_edit reads, rather than ORM objects.
    plans = (select(Partner.id, Partner.name, Partner.channel_manager_id, CommPlan.reviewed_at)
             .outerjoin(CommPlan, CommPlan.partner_id == Partner.id)
             .where(Partner.status == "active").order_by(Partner.name))
    for row in db.session.execute(in_book(plans, mine)):
        partner, reviewed_at = row, row.reviewed_at
        if not can_edit(actor, partner) or not review_overdue(reviewed_at.date() if reviewed_at else None, today):
            continue
        who = partner.name if actor.is_vendor else "the vendor"
        items.append(WorkItem(kind="plan_review_due", partner_id=partner.id,
                              title=f"Review the communication plan with {who}",
                              detail=f"last reviewed {reviewed_at:%Y-%m-%d}" if reviewed_at else "never reviewed",
                              link=plan_link.replace(str(_PLACEHOLDER), str(partner.id))))
    return items
