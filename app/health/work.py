"""Health's part of the cockpits: proposals waiting for my side's answer, and the feed's words.

Registered with `app.core.registry.add_work_items` / `add_activity_phraser` (app/health/__init__.py);
each is one set-based query whatever the number of partners (the work queue's is a branch of
the queue's one UNION ALL statement: registry.WorkQuery).
"""
from __future__ import annotations

import uuid

from flask import url_for
from sqlalchemy import select

from app.auth import roles
from app.core.registry import Book, Phrase, WorkItem, WorkQuery, work_columns
from app.extensions import db
from app.health.models import Agreement, MetricDefinition
from app.partners.models import Partner
from app.partners.policies import in_book


def agreements_to_answer(actor, book: Book) -> list[WorkItem] | WorkQuery:
    """Proposals the other side made that this person may accept or counter (health.policies.can_accept)."""
    if actor.is_vendor:
        if actor.role == roles.VENDOR_ADMIN:
            mine = book
        elif actor.role == roles.CHANNEL_MANAGER:
            mine = Book(manager_id=actor.membership.id, partner_id=book.partner_id)
        else:
            return []
        other = "partner"
    elif actor.is_partner_side and actor.role == roles.PARTNER_ADMIN:
        mine, other = Book(partner_id=actor.partner_id), "vendor"
    else:
        return []
    stmt = (select(*work_columns(ref=Agreement.id, text=Agreement.period, at=Agreement.proposed_at,
                                 partner_id=Partner.id, name=Partner.name))
            .join(Partner, Partner.id == Agreement.partner_id)
            .where(Agreement.status == "proposed", Agreement.proposed_by == other))

    def items(rows) -> list[WorkItem]:
        out = []
        for row in sorted(rows, key=lambda r: r.at):
            who = row.name if actor.is_vendor else "The vendor"
            out.append(WorkItem(
                kind="agreement_to_answer", partner_id=row.partner_id,
                title=f"{who} proposed health metrics for {row.text}: accept or counter",
                detail=f"waiting since {row.at:%Y-%m-%d}",
                link=url_for("health.agreement", agreement_id=row.ref), due=row.at.date()))
        return out

    return WorkQuery(in_book(stmt, mine), items)


def phrase(events: list) -> dict:
    """Measurements and agreements in people's words: metric names, not keys, and the page of each."""
    wanted = [e for e in events if e.action in ("measurement.record", "agreement.propose", "agreement.accept")]
    if not wanted:
        return {}
    names = dict(db.session.execute(select(MetricDefinition.key, MetricDefinition.name)).all())
    agreement_ids = set()
    for e in wanted:
        try:
            agreement_ids.add(uuid.UUID(str(e.object_id)))
        except ValueError:
            continue
    rows = db.session.execute(
        select(Agreement.id, Agreement.period, Partner.name).join(Partner, Partner.id == Agreement.partner_id)
        .where(Agreement.id.in_(agreement_ids))).all() if agreement_ids else []
    partners = {agreement_id: (name, period) for agreement_id, period, name in rows}
    out = {}
    for e in wanted:
        after = e.after or {}
        try:
            agreement_id = uuid.UUID(str(e.object_id))
        except ValueError:
            continue
        if agreement_id not in partners:
            continue
        partner, period = partners[agreement_id]
        link = url_for("health.agreement", agreement_id=agreement_id)
        if e.action == "measurement.record":
            keys = sorted(after)
            metrics = ", ".join(names.get(k, k.replace("_", " ")) for k in keys) or "measurements"
            text = f"recorded {metrics} for {partner}{' in ' + period if period else ''}"
        elif e.action == "agreement.propose":
            text = f"proposed health metrics for {partner}{' for ' + period if period else ''}"
        else:
            text = f"accepted the health agreement of {partner}{' for ' + period if period else ''}"
        out[e.id] = Phrase(text, link)
    return out
