"""Enhancement requests' part of the cockpits (one statement each).

Vendor: new requests from the book's partners wait for triage. Partner: requests it filed or
supports that the vendor asked use cases for.
"""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from app.core.registry import Book, Phrase, WorkItem, WorkQuery, events_about, work_columns
from app.enhancements.models import STATUS_LABELS, EnhancementRequest, EnhancementSupport
from app.enhancements.policies import can_triage
from app.extensions import db
from app.partners.models import Partner
from app.partners.policies import in_book


def requests_to_act_on(actor, book: Book) -> list[WorkItem] | WorkQuery:
    if actor.is_vendor:
        if not can_triage(actor):
            return []
        stmt = (select(*work_columns(ref=EnhancementRequest.id, text=EnhancementRequest.title,
                                     at=EnhancementRequest.created_at, text2=EnhancementRequest.urgency,
                                     partner_id=Partner.id, name=Partner.name))
                .join(Partner, Partner.id == EnhancementRequest.partner_id)
                .where(EnhancementRequest.status == "new"))

        def to_triage(rows) -> list[WorkItem]:
            return [WorkItem(kind="enhancement_to_triage", partner_id=r.partner_id,
                             title=f"Triage {r.name}'s enhancement request “{r.text}”",
                             detail=f"{r.text2} urgency, filed {r.at:%Y-%m-%d}", due=r.at.date(),
                             urgent=r.text2 == "critical",
                             link=url_for("enhancements.detail", request_id=r.ref))
                    for r in sorted(rows, key=lambda r: r.at)]

        return WorkQuery(in_book(stmt, book), to_triage)
    if actor.is_partner_side:
        stmt = (select(*work_columns(ref=EnhancementRequest.id, text=EnhancementRequest.title,
                                     at=EnhancementRequest.status_changed_at))
                .join(EnhancementSupport, EnhancementSupport.request_id == EnhancementRequest.id)
                .where(EnhancementSupport.partner_id == actor.partner_id,
                       EnhancementRequest.status == "needs_use_cases"))

        def use_cases(rows) -> list[WorkItem]:
            return [WorkItem(kind="enhancement_needs_use_case", partner_id=actor.partner_id,
                             title=f"The vendor asks for use cases on “{r.text}”", due=r.at.date(),
                             link=url_for("enhancements.detail", request_id=r.ref))
                    for r in sorted(rows, key=lambda r: r.at)]

        return WorkQuery(stmt, use_cases)
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
