"""Sharing's part of the cockpits: requests for more data waiting for my side's decision (one statement)."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from app.core.registry import Book, WorkItem
from app.extensions import db
from app.partners.models import Partner
from app.partners.policies import in_book
from app.sharing.models import DataRequest
from app.sharing.policies import can_change_sharing
from app.sharing.words import LEVEL_LABELS


def data_requests(actor, book: Book) -> list[WorkItem]:
    """Pending requests the other side made that this person may accept or decline."""
    if not (actor.is_vendor or actor.is_partner_side):
        return []
    other = "partner" if actor.is_vendor else "vendor"
    mine = Book(partner_id=actor.partner_id) if actor.is_partner_side else book
    stmt = (select(DataRequest, Partner).join(Partner, Partner.id == DataRequest.partner_id)
            .where(DataRequest.status == "pending", DataRequest.requested_by_side == other)
            .order_by(DataRequest.created_at))
    items = []
    for req, partner in db.session.execute(in_book(stmt, mine)).all():
        if not can_change_sharing(actor, partner, req.direction):
            continue
        who = partner.name if actor.is_vendor else "The vendor"
        level = LEVEL_LABELS.get(req.requested_level, req.requested_level).lower()
        items.append(WorkItem(kind="data_request", partner_id=partner.id,
                              title=f"{who} asks you to share more: {level}. Accept or decline",
                              detail=req.message[:120], due=req.created_at.date(),
                              link=url_for("sharing.partnership", partner_id=partner.id)))
    return items
