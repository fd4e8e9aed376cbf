"""Enhancement requests' part of the cockpits (one statement each).

Vendor: new requests from the book's partners wait for triage. Partner: requests it filed or
supports that the vendor asked use cases for.
"""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from app.core.registry import Book, Phrase, WorkItem, events_about
from app.enhancements.models import STATUS_LABELS, EnhancementRequest, EnhancementSupport
from app.enhancements.policies import can_triage
from app.extensions import db
from app.partners.models import Partner
from app.partners.policies import in_book


def requests_to_act_on(actor, book: Book) -> list[WorkItem]:
    if actor.is_vendor:
        if not can_triage(actor):
            return []
        stmt = (select(EnhancementRequest.id, EnhancementRequest.title, EnhancementRequest.created_at,
                       EnhancementRequest.urgency, Partner.id, Partner.name)
                .join(Partner, Partner.id == EnhancementRequest.partner_id)
                .where(EnhancementRequest.status == "new").order_by(EnhancementRequest.created_at))
        return [WorkItem(kind="enhancement_to_triage", partner_id=pid,
                         title=f"Triage {name}'s enhancement request “{title}”",
                         detail=f"{urgency} urgency, filed {created:%Y-%m-%d}", due=created.date(),
                         urgent=urgency == "critical",
                         link=url_for("enhancements.detail", request_id=rid))
                for rid, title, created, urgency, pid, name in db.session.execute(in_book(stmt, book))]
    if actor.is_partner_side:
        stmt = (select(EnhancementRequest.id, EnhancementRequest.title, EnhancementRequest.status_changed_at)
                .join(EnhancementSupport, EnhancementSupport.request_id == EnhancementRequest.id)
                .where(EnhancementSupport.partner_id == actor.partner_id,
                       EnhancementRequest.status == "needs_use_cases")
                .order_by(EnhancementRequest.status_changed_at))
        return [WorkItem(kind="enhancement_needs_use_case", partner_id=actor.partner_id,
                         title=f"The vendor asks for use cases on “{title}”", due=changed.date(),
                         link=url_for("enhancements.detail", request_id=rid))
                for rid, title, changed in db.session.execute(stmt)]
    return []


def phrase(events: list) -> dict:
    """Enhancement-request events in words, linked to the request (one statement when there are any)."""
    wanted = events_about(events, "enhancementrequest")
    if not wanted:
        return {}
    titles = dict(db.session.execute(select(EnhancementRequest.id, EnhancementRequest.title)
                                     .where(EnhancementRequest.id.in_(set(wanted.values())))).all())
    out = {}
    for e, rid in wanted.items():
        if rid not in titles:
            continue
        title = titles[rid]
        if e.action == "enhancement.file":
            text = f"filed the enhancement request “{title}”"
        elif e.action == "enhancement.status" and e.after and e.after.get("status"):
            text = f"moved “{title}” to {STATUS_LABELS.get(e.after['status'], e.after['status']).lower()}"
        else:
            text = e.summary or f"changed “{title}”"
        out[e.id] = Phrase(text, url_for("enhancements.detail", request_id=rid))
    return out
