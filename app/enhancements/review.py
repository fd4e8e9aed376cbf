"""The quarterly review's "What we asked for, what happened" section (registered in __init__)."""
from __future__ import annotations

from datetime import datetime, time, timezone

from sqlalchemy import and_, or_, select

from app.enhancements.models import (
    CLOSED_STATUSES, STATUS_LABELS, EnhancementRequest, EnhancementSupport, StatusEvent, UseCase,
)
from app.extensions import db
from app.health.periods import parse_period


def build(partner, period: str, side: str) -> dict | None:
    """The partner's requests (filed or supported) open during the quarter or changed in it.

    Only what both sides may see goes in (it is frozen into the signed snapshot): titles, statuses,
    target quarters, release notes, reasons, use cases by author side, and supporter counts;
    no other partner's name or accounts. `side` does not widen it: both sides sign the same text.
    """
    del side
    quarter = parse_period(period)
    start = datetime.combine(quarter.start_date(), time.min, tzinfo=timezone.utc)
    end = datetime.combine(quarter.next().start_date(), time.min, tzinfo=timezone.utc)
    changed_in = select(StatusEvent.request_id).where(StatusEvent.created_at >= start, StatusEvent.created_at < end)
    rows = db.session.execute(
        select(EnhancementRequest, EnhancementSupport.is_requester)
        .join(EnhancementSupport, and_(EnhancementSupport.tenant_id == EnhancementRequest.tenant_id,
                                       EnhancementSupport.request_id == EnhancementRequest.id))
        .where(EnhancementSupport.partner_id == partner.id, EnhancementRequest.created_at < end,
               or_(EnhancementRequest.status.not_in(CLOSED_STATUSES), EnhancementRequest.id.in_(changed_in)))
        .order_by(EnhancementRequest.created_at, EnhancementRequest.id)).all()
    if not rows:
        return None
    ids = [r.id for r, _ in rows]
    counts: dict = {}
    for rid in db.session.scalars(select(EnhancementSupport.request_id).where(EnhancementSupport.request_id.in_(ids))):
        counts[rid] = counts.get(rid, 0) + 1
    cases: dict = {}
    for uc in db.session.scalars(select(UseCase).where(UseCase.request_id.in_(ids)).order_by(UseCase.created_at)):
        cases.setdefault(uc.request_id, []).append(
            {"side": uc.author_side, "given": uc.given, "when": uc.when, "then": uc.then, "text": uc.text})
    events: dict = {}
    for e in db.session.scalars(select(StatusEvent).where(StatusEvent.request_id.in_(ids), StatusEvent.created_at >= start,
                                                          StatusEvent.created_at < end)
                                .order_by(StatusEvent.created_at, StatusEvent.id)):
        events.setdefault(e.request_id, []).append(
            {"date": e.created_at.date().isoformat(), "status": e.to_status, "label": STATUS_LABELS[e.to_status]})
    items = [{"title": r.title, "asked_as": "filed" if is_requester else "supported", "status": r.status,
              "status_label": STATUS_LABELS[r.status], "target_quarter": r.target_quarter,
              "release_note": r.release_note, "decline_reason": r.decline_reason,
              "supporting_partners": counts.get(r.id, 0), "use_cases": cases.get(r.id, []),
              "changes": events.get(r.id, [])}
             for r, is_requester in rows]
    return {"period": str(quarter), "items": items}
