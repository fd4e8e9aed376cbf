"""Sharing's part of the cockpits: requests for more data waiting for my side's decision (a branch of the
work queue's one statement: registry.WorkQuery)."""
from __future__ import annotations

from types import SimpleNamespace

from flask import url_for
from sqlalchemy import select

from app.core.registry import Book, WorkItem, WorkQuery, work_columns
from app.partners.models import Partner
from app.partners.policies import in_book
from app.sharing.models import DataRequest
from app.sharing.policies import can_change_sharing
from app.sharing.words import LEVEL_LABELS


def data_requests(actor, book: Book) -> list[WorkItem] | WorkQuery:
    """Pending requests the other side made that this person may accept or decline."""
    if not (actor.is_vendor or actor.is_partner_side):
        return []
    other = "partner" if actor.is_vendor else "vendor"
    mine = Book(partner_id=actor.partner_id) if actor.is_partner_side else book
    stmt = (select(*work_columns(text=DataRequest.direction, text2=DataRequest.requested_level,
                                 text3=DataRequest.message, at=DataRequest.created_at, partner_id=Partner.id,
                                 name=Partner.name, manager_id=Partner.channel_manager_id))
            .join(Partner, Partner.id == DataRequest.partner_id)
            .where(DataRequest.status == "pending", DataRequest.requested_by_side == other))

    def items(rows) -> list[WorkItem]:
        out = []
        for row in sorted(rows, key=lambda r: r.at):
            # can_change_sharing reads the partner's id and channel manager only.
            partner = SimpleNamespace(id=row.partner_id, channel_manager_id=row.manager_id)
            if not can_change_sharing(actor, partner, row.text):
                continue
            who = row.name if actor.is_vendor else "The vendor"
            level = LEVEL_LABELS.get(row.text2, row.text2).lower()
            out.append(WorkItem(kind="data_request", partner_id=row.partner_id,
                                title=f"{who} asks you to share more: {level}. Accept or decline",
                                detail=(row.text3 or "")[:120], due=row.at.date(),
                                link=url_for("sharing.partnership", partner_id=row.partner_id)))
        return out

    return WorkQuery(in_book(stmt, mine), items)
