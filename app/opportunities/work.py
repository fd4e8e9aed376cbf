"""Registrations awaiting this person's decision, for the cockpit's work queue (one statement)."""
from __future__ import annotations

from sqlalchemy import select

from app.auth import roles
from app.auth.context import Actor
from app.core.registry import Book, WorkItem
from app.extensions import db
from app.opportunities import rules
from app.opportunities.models import DealRegistration, Opportunity
from app.opportunities.services import today
from app.partners.models import Partner
from app.partners.policies import in_book


def work_items(actor: Actor, book: Book | None = None) -> list[WorkItem]:
    if not actor.is_vendor or actor.role not in roles.MANAGING_ROLES:
        return []
    stmt = (select(DealRegistration.id, DealRegistration.decision_due, DealRegistration.check_outcome,
                   Opportunity.product, Partner.name, Partner.id)
            .join(Opportunity, Opportunity.id == DealRegistration.opportunity_id)
            .join(Partner, Partner.id == DealRegistration.partner_id)
            .where(DealRegistration.status == rules.PENDING))
    if actor.role == roles.CHANNEL_MANAGER:
        stmt = stmt.where(Partner.channel_manager_id == actor.membership.id)
    now = today()
    return [WorkItem("registration_to_decide",
                     f"Decide {name}'s deal registration: {product}" + (" (conflict)" if outcome == "conflict" else ""),
                     f"/opportunities/registrations/{rid}", due=due, urgent=rules.is_overdue(rules.PENDING, due, now),
                     partner_id=pid, detail="in conflict: resolve first" if outcome == "conflict" else "clear")
            for rid, due, outcome, product, name, pid in db.session.execute(in_book(stmt, book or Book()))]
