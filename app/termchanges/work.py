"""Term changes' part of the cockpits: changes the other side asked for, waiting for my answer (one statement)."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from app.core.registry import Book, Phrase, WorkItem, events_about
from app.extensions import db
from app.partners.models import Partner
from app.partners.policies import in_book
from app.termchanges.models import KIND_LABELS, TermChange
from app.termchanges.policies import can_answer


def changes_to_answer(actor, book: Book) -> list[WorkItem]:
    if not (actor.is_vendor or actor.is_partner_side):
        return []
    mine = Book(partner_id=actor.partner_id) if actor.is_partner_side else book
    stmt = (select(TermChange, Partner).join(Partner, Partner.id == TermChange.partner_id)
            .where(TermChange.status == "pending").order_by(TermChange.created_at))
    items = []
    for change, partner in db.session.execute(in_book(stmt, mine)).all():
        if not can_answer(actor, change, partner):
            continue
        who = partner.name if actor.is_vendor else "The vendor"
        what = KIND_LABELS.get(change.kind, change.kind).lower()
        items.append(WorkItem(kind="term_change_to_answer", partner_id=partner.id,
                              title=f"{who} asks to change the {what}: accept, decline or counter",
                              detail=change.reason[:120], due=change.created_at.date(),
                              link=url_for("termchanges.partnership", partner_id=partner.id)))
    return items


def phrase(events: list) -> dict:
    """Term-change events linked to the partnership's term changes page (one statement when there are any)."""
    wanted = events_about(events, "termchange")
    if not wanted:
        return {}
    partner_of = dict(db.session.execute(select(TermChange.id, TermChange.partner_id)
                                         .where(TermChange.id.in_(set(wanted.values())))).all())
    return {e.id: Phrase(e.summary, url_for("termchanges.partnership", partner_id=partner_of[cid]))
            for e, cid in wanted.items() if cid in partner_of and e.summary}
