"""The review calendar and work items: set-based reads whose statement count does not grow with partners."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import and_, false, func, not_, or_, select

from app.auth import roles
from app.auth.context import Actor
from app.auth.models import Membership, User
from app.core.db import utcnow
from app.core.registry import Book, WorkItem, WorkQuery, work_columns
from app.extensions import db
from app.health.models import Agreement
from app.health.periods import Period, period_for
from app.partners.models import Partner
from app.partners.policies import in_book
from app.reviews import rules
from app.reviews.models import ActionItem, Review

_PLACEHOLDER = uuid.UUID(int=0)  # links of many items are built from one url_for


@dataclass
class CalendarRow:
    partner_id: uuid.UUID
    partner: str
    manager: str
    review_id: uuid.UUID | None
    state: str
    waiting_for: str | None  # the side whose signature is missing, when one side signed


def current_period(today: date | None = None) -> Period:
    return period_for(today or utcnow().date())


CALENDAR_PAGE = 50


def _flags():
    """Whether the review is opened, signed by the vendor, signed by the partner: rules.quarter_state's inputs."""
    return Review.id.is_not(None), Review.vendor_signed_at.is_not(None), Review.partner_signed_at.is_not(None)


def _state_condition(state: str, period: Period, today: date):
    """SQL for "this partnership's review is in `state`" (rules.quarter_state, read back into SQL)."""
    opened, v, p = _flags()
    signed = and_(v, p)
    late = rules.review_overdue(period.end_date(), today)
    return {
        rules.SIGNED: signed,
        rules.OVERDUE: not_(signed) if late else false(),
        rules.NOT_OPENED: false() if late else not_(opened),
        rules.WAITING: false() if late else and_(opened, or_(v, p), not_(signed)),
        rules.IN_PROGRESS: false() if late else and_(opened, not_(v), not_(p)),
    }[state]


def calendar(period: Period, manager_id: uuid.UUID | None = None, today: date | None = None, *,
             state: str | None = None, page: int = 1,
             size: int = CALENDAR_PAGE) -> tuple[list[CalendarRow], dict[str, int]]:
    """One page of the partnerships' review states for `period` (in partner-name order, optionally one
    state), and the count per state over every partnership (of the manager, when given).

    Three statements whatever the number of partners: the counts (grouped by whether the review is
    opened and who signed), the page, and the channel managers' names."""
    today = today or utcnow().date()
    joined = and_(Review.tenant_id == Partner.tenant_id, Review.partner_id == Partner.id, Review.period == str(period))
    scoped = [Partner.channel_manager_id == manager_id] if manager_id is not None else []
    counts = {s: 0 for s in rules.STATE_LABELS}
    flags = _flags()
    for opened, v, p, n in db.session.execute(
            select(*flags, func.count()).select_from(Partner).outerjoin(Review, joined).where(*scoped)
            .group_by(*flags)):
        counts[rules.quarter_state(bool(opened), bool(v), bool(p), period.end_date(), today)] += int(n)
    stmt = (select(Partner.id, Partner.name, Partner.channel_manager_id, Review.id, Review.vendor_signed_at,
                   Review.partner_signed_at)
            .outerjoin(Review, joined).where(*scoped)
            .order_by(Partner.name, Partner.id).offset((page - 1) * size).limit(size))
    if state is not None:
        stmt = stmt.where(_state_condition(state, period, today))
    rows = db.session.execute(stmt).all()
    managers = dict(db.session.execute(
        select(Membership.id, User.name).join(User, User.id == Membership.user_id)
        .where(Membership.role == roles.CHANNEL_MANAGER)).all())
    out = []
    for pid, name, manager, review_id, v_at, p_at in rows:
        row_state = rules.quarter_state(review_id is not None, v_at is not None, p_at is not None,
                                        period.end_date(), today)
        waiting = None
        if (v_at is None) != (p_at is None):
            waiting = "partner" if p_at is None else "vendor"
        out.append(CalendarRow(pid, name, managers.get(manager, "") if manager else "", review_id, row_state, waiting))
    return out, counts


def channel_managers() -> list[tuple[uuid.UUID, str]]:
    return [(mid, name or email) for mid, name, email in db.session.execute(
        select(Membership.id, User.name, User.email).join(User, User.id == Membership.user_id)
        .where(Membership.role == roles.CHANNEL_MANAGER, Membership.active.is_(True)).order_by(User.name))]


def work_items(actor: Actor, book: Book | None = None) -> list[WorkQuery]:
    """Reviews waiting for this person's signature, overdue unsigned reviews they sign, and their own
    open action items that are overdue or due within a week (the "due within a week" reminder)."""
    today = utcnow().date()
    book = book or Book()
    queries: list[WorkQuery] = []
    stmt = in_book(select(*work_columns(ref=Review.id, text=Review.period, at=Review.vendor_signed_at,
                                        at2=Review.partner_signed_at, name=Partner.name, partner_id=Partner.id))
                   .join(Partner, Partner.id == Review.partner_id).where(Review.snapshot_hash.is_(None)), book)
    if actor.is_vendor and actor.role == roles.CHANNEL_MANAGER:
        stmt = stmt.where(Partner.channel_manager_id == actor.membership.id)
    elif actor.is_vendor and actor.role != roles.VENDOR_ADMIN:
        stmt = None
    elif actor.is_partner_side:
        stmt = stmt.where(Review.partner_id == actor.partner_id) if actor.role == roles.PARTNER_ADMIN else None
    if stmt is not None:
        mine = "vendor" if actor.is_vendor else "partner"
        # The latest overdue quarter: a review is overdue when its quarter is this one or earlier
        # ("YYYY-Qn" compares as text chronologically), so the filter below runs in SQL too and
        # ordering by quarter puts the urgent (overdue) items first.
        last_overdue = current_period(today)
        while not rules.review_overdue(last_overdue.end_date(), today):
            last_overdue = last_overdue.previous()
        my_col, other_col = ((Review.vendor_signed_at, Review.partner_signed_at) if mine == "vendor"
                             else (Review.partner_signed_at, Review.vendor_signed_at))
        stmt = stmt.where(my_col.is_(None), or_(other_col.is_not(None), Review.period <= str(last_overdue)))

        def to_sign(rows) -> list[WorkItem]:
            items = []
            for row in sorted(rows, key=lambda r: (r.text, r.name, r.ref)):
                period, name = row.text, row.name
                my_at, other_at = (row.at, row.at2) if mine == "vendor" else (row.at2, row.at)
                overdue = rules.review_overdue(Period(int(period[:4]), int(period[-1])).end_date(), today)
                if my_at is None and (other_at is not None or overdue):
                    items.append(WorkItem("review_to_sign", f"Sign the {period} joint review of {name}",
                                          f"/reviews/{row.ref}", urgent=overdue, partner_id=row.partner_id,
                                          detail="overdue" if overdue else "the other side has signed"))
            return items

        # Every row is one item, none has a due date, urgent ones (the older quarters) first: the home
        # page may cut it to its first rows by quarter, then name.
        queries.append(WorkQuery(stmt, to_sign, kind="review_to_sign", order=("text", "name", "ref")))
    # Reviews due: the quarter that just ended has no review yet, for the people who may open one.
    ended = current_period(today).previous()
    due = ended.end_date() + timedelta(days=rules.OVERDUE_AFTER_DAYS)
    may_open = (actor.is_vendor and actor.role in (roles.VENDOR_ADMIN, roles.CHANNEL_MANAGER)) or \
        (actor.is_partner_side and actor.role == roles.PARTNER_ADMIN)
    if may_open:
        missing = (select(*work_columns(partner_id=Partner.id, name=Partner.name))
                   .outerjoin(Review, and_(Review.tenant_id == Partner.tenant_id, Review.partner_id == Partner.id,
                                           Review.period == str(ended)))
                   .where(Review.id.is_(None), Partner.id.in_(  # partnerships that had agreed metrics to review
                       select(Agreement.partner_id).where(Agreement.period == str(ended),
                                                          Agreement.status == "accepted"))))
        if actor.is_partner_side:
            missing = missing.where(Partner.id == actor.partner_id)
        elif actor.role == roles.CHANNEL_MANAGER:
            missing = missing.where(Partner.channel_manager_id == actor.membership.id)

        def to_open(rows) -> list[WorkItem]:
            # One url_for and one detail for every item (a book of thousands paid a url_for each).
            link = url_for("reviews.partner_reviews", partner_id=_PLACEHOLDER)
            placeholder = str(_PLACEHOLDER)
            overdue = today > due
            detail = "overdue" if overdue else f"due by {due:%Y-%m-%d}"
            return [WorkItem("review_to_open", f"Open the {ended} joint review of {row.name}",
                             link.replace(placeholder, str(row.partner_id)), due=due,
                             urgent=overdue, partner_id=row.partner_id, detail=detail)
                    for row in sorted(rows, key=lambda r: (r.name, r.partner_id))]

        # Every row is one item, all due the same day: the home page may cut it to its first rows by name.
        queries.append(WorkQuery(in_book(missing, book), to_open, kind="review_to_open", order=("name", "partner_id")))
    soon = today + timedelta(days=rules.REMIND_DAYS)

    def action_items(rows) -> list[WorkItem]:
        return [WorkItem("review_action_item", f"{row.text} ({row.name})", f"/reviews/{row.ref2}", due=row.day,
                         urgent=row.day < today, partner_id=row.partner_id) for row in rows]

    queries.append(WorkQuery(in_book(
        select(*work_columns(ref=ActionItem.id, text=ActionItem.title, day=ActionItem.due_date, ref2=Review.id,
                             name=Partner.name, partner_id=Partner.id))
        .join(Review, Review.id == ActionItem.review_id).join(Partner, Partner.id == Review.partner_id)
        .where(ActionItem.owner_id == actor.membership.id, ActionItem.status == "open",
               ActionItem.due_date <= soon), book), action_items))
    return queries
