"""Term changes' part of the cockpits: changes the other side asked for, waiting for my answer (a
branch of the work queue's one statement: registry.WorkQuery)."""
from __future__ import annotations

from types import SimpleNamespace

from flask import url_for
from sqlalchemy import select

from app.core.registry import Book, Phrase, WorkItem, WorkQuery, events_about, work_columns
from app.extensions import db
from app.partners.models import Partner
from app.partners.policies import in_book
from app.termchanges.models import KIND_LABELS, TermChange
from app.termchanges.policies import can_answer


def changes_to_answer(actor, book: Book) -> list[WorkItem] | WorkQuery:
    if not (actor.is_vendor or actor.is_partner_side):
        return []
    mine = Book(partner_id=actor.partner_id) if actor.is_partner_side else book
    stmt = (select(*work_columns(text=TermChange.kind, text2=TermChange.proposed_by, text3=TermChange.reason,
                                 at=TermChange.created_at, partner_id=Partner.id, name=Partner.name,
                                 manager_id=Partner.channel_manager_id))
            .join(Partner, Partner.id == TermChange.partner_id)
            .where(TermChange.status == "pending"))

    def items(rows) -> list[WorkItem]:
        out = []
        for row in sorted(rows, key=lambda r: r.at):
            # The policies read the change's kind and side and the partner's id and channel manager.
            change = SimpleNamespace(kind=row.text, proposed_by=row.text2)
            partner = SimpleNamespace(id=row.partner_id, channel_manager_id=row.manager_id)
            if not can_answer(actor, change, partner):
                continue
            who = row.name if actor.is_vendor else "The vendor"
            what = KIND_LABELS.get(row.text, row.text).lower()
            out.append(WorkItem(kind="term_change_to_answer", partner_id=row.partner_id,
                                title=f"{who} asks to change the {what}: accept, decline or counter",
                                detail=(row.text3 or "")[:120], due=row.at.date(),
                                link=url_for("termchanges.partnership", partner_id=row.partner_id)))
        return out

    return WorkQuery(in_book(stmt, mine), items)


def phrase(events: list) -> dict:
    """Term-change events linked to the partnership's term changes page (one statement when there are any)."""
    wanted = events_about(events, "termchange")
    if not wanted:
        return {}
    partner_of = dict(db.session.execute(select(TermChange.id, TermChange.partner_id)
                                         .where(TermChange.id.in_(set(wanted.values())))).all())
    return {e.id: Phrase(e.summary, url_for("termchanges.partnership", partner_id=partner_of[cid]))
            for e, cid in wanted.items() if cid in partner_of and e.summary}
