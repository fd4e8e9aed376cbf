"""The quarterly review's "Registered deals and pipeline" section (registered in __init__)."""
from __future__ import annotations

from datetime import datetime, time, timezone

from sqlalchemy import and_, or_, select

from app.extensions import db
from app.health.periods import parse_period
from app.opportunities import rules
from app.opportunities.models import DealRegistration, Opportunity


def build(partner, period: str, side: str) -> dict | None:
    """The partner's registered deals submitted, decided or closed in the quarter, or expected to
    close in it. Registered deals are what both sides see (registering shares the deal with the
    vendor), so both sign the same text; nothing of other partners goes in."""
    del side
    quarter = parse_period(period)
    start = datetime.combine(quarter.start_date(), time.min, tzinfo=timezone.utc)
    end = datetime.combine(quarter.next().start_date(), time.min, tzinfo=timezone.utc)
    in_q = lambda col: and_(col >= start, col < end)  # noqa: E731
    rows = db.session.execute(
        select(DealRegistration, Opportunity)
        .join(Opportunity, and_(Opportunity.tenant_id == DealRegistration.tenant_id,
                                Opportunity.id == DealRegistration.opportunity_id))
        .where(DealRegistration.partner_id == partner.id, DealRegistration.submitted_at < end,
               or_(in_q(DealRegistration.submitted_at), in_q(DealRegistration.decided_at),
                   in_q(DealRegistration.closed_at), Opportunity.close_quarter == str(quarter),
                   DealRegistration.status.in_(rules.ACTIVE_REG_STATUSES)))
        .order_by(DealRegistration.submitted_at, DealRegistration.id)).all()
    if not rows:
        return None
    totals: dict = {}
    items = []
    for reg, opp in rows:
        status = rules.effective_status(reg.status, reg.protected_until, quarter.next().start_date())
        items.append({"product": opp.product, "kind": rules.KIND_LABELS.get(opp.kind, opp.kind), "status": status,
                      "amount": str(opp.amount), "currency": opp.currency, "expected_close": opp.expected_close.isoformat(),
                      "stage": opp.stage, "check": reg.check_outcome,
                      "protected_until": reg.protected_until.isoformat() if reg.protected_until else None})
        if status in (rules.PENDING, rules.APPROVED, rules.REG_WON):
            key = (status, opp.currency)
            totals[key] = totals.get(key, 0) + opp.amount
    return {"period": str(quarter), "items": items,
            "totals": [{"status": s, "currency": c, "amount": str(a)} for (s, c), a in sorted(totals.items())]}
