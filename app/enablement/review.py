"""The quarterly review's "Touch plan and certifications" section (registered in __init__)."""
from __future__ import annotations

from sqlalchemy import func, select

from app.core.together import read_together
from app.enablement import rules
from app.enablement.models import Touch, Touchpoint
from app.enablement.services import certified_counts, today
from app.health.periods import parse_period


def build(partner, period: str, side: str) -> dict | None:
    """The quarter's touchpoints with their state at the quarter's end (or today, inside it), the
    touches logged in it and the people certified at its end. Both sides see all of it (it is their
    shared plan), so both sign the same text."""
    del side
    quarter = parse_period(period)
    as_of = min(today(), quarter.end_date())
    points, counted = read_together(  # one statement: the review page's budget (tests/admin/test_bench_data.py)
        select(Touchpoint.kind, Touchpoint.due, Touchpoint.done_on)
        .where(Touchpoint.partner_id == partner.id, Touchpoint.due >= quarter.start_date(),
               Touchpoint.due <= quarter.end_date())
        .order_by(Touchpoint.due, Touchpoint.kind),
        select(func.count().label("touches")).select_from(Touch).where(
            Touch.partner_id == partner.id, Touch.happened_on >= quarter.start_date(),
            Touch.happened_on <= quarter.end_date()))
    touches = counted[0].touches if counted else 0
    if not points and not touches:
        return None
    items = [{"kind": rules.KIND_LABELS.get(k, k), "due": d.isoformat(), "done_on": done.isoformat() if done else None,
              "state": rules.touchpoint_state(done if done and done <= as_of else None, d, as_of)}
             for k, d, done in points]
    return {"period": str(quarter), "items": items, "touches": int(touches or 0),
            "done": sum(i["state"] == "done" for i in items), "overdue": sum(i["state"] == "overdue" for i in items),
            "certified": certified_counts([partner.id], as_of).get(partner.id, 0)}
