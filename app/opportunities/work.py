"""Registrations awaiting this person's decision, for the cockpit's work queue (a branch of the queue's one statement)."""
from __future__ import annotations

from sqlalchemy import select

from app.auth import roles
from app.auth.context import Actor
from app.core.registry import Book, WorkItem, WorkQuery, work_columns
from app.extensions import db
from app.opportunities import rules
from app.opportunities.models import DealRegistration, Opportunity
from app.opportunities.services import today
from app.partners.models import Partner
from app.partners.policies import in_book


def work_items(actor: Actor, book: Book | None = None) -> list[WorkItem] | WorkQuery:
    if not actor.is_vendor or actor.role not in roles.MANAGING_ROLES:
        return []
    stmt = (select(*work_columns(ref=DealRegistration.id, day=DealRegistration.decision_due,
                                 text=DealRegistration.check_outcome, text2=Opportunity.product,
                                 name=Partner.name, partner_id=Partner.id))
            .join(Opportunity, Opportunity.id == DealRegistration.opportunity_id)
            .join(Partner, Partner.id == DealRegistration.partner_id)
            .where(DealRegistration.status == rules.PENDING))
    if actor.role == roles.CHANNEL_MANAGER:
        stmt = stmt.where(Partner.channel_manager_id == actor.membership.id)
    now = today()

    def items(rows) -> list[WorkItem]:
        return [WorkItem("registration_to_decide",
                         f"Decide {r.name}'s deal registration: {r.text2}" + (" (conflict)" if r.text == "conflict" else ""),
                         f"/opportunities/registrations/{r.ref}", due=r.day,
                         urgent=rules.is_overdue(rules.PENDING, r.day, now), partner_id=r.partner_id,
                         detail="in conflict: resolve first" if r.text == "conflict" else "clear")
                for r in rows]

    return WorkQuery(in_book(stmt, book or Book()), items)
