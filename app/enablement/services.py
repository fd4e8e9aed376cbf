"""Touch plans, touches and their coverage; courses, completions and the expiry sweep (audited).

Services flush, never commit (the request or command commits once)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from app.audit.services import actor_of, record
from app.auth.context import Actor
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.enablement import rules
from app.enablement.models import Touch, TouchPlan, Touchpoint
from app.extensions import db
from app.health.periods import Period, parse_period, period_for
from app.ipp.models import IppAssessment
from app.partners.models import Partner

NOTES_MAX = 2000
EARLIEST = date(2000, 1, 1)


def today() -> date:
    return utcnow().date()


def current_quarter(on: date | None = None) -> Period:
    return period_for(on or today())


def parse_quarter(value: object) -> Period:
    try:
        return parse_period(value)
    except ValueError:
        raise InvalidInput({"period": "use a quarter like 2026-Q3"}) from None


# -- touch plans ---------------------------------------------------------------------------------

def bands(partner_ids: list | None = None) -> dict:
    """{partner id: band} from each partner's current vendor assessment (one statement)."""
    stmt = select(IppAssessment.partner_id, IppAssessment.band).where(
        IppAssessment.is_current.is_(True), IppAssessment.kind == "vendor")
    if partner_ids is not None:
        stmt = stmt.where(IppAssessment.partner_id.in_(partner_ids))
    return dict(db.session.execute(stmt).all())


def plan_of(partner: Partner, quarter: Period) -> TouchPlan | None:
    return db.session.scalar(select(TouchPlan).where(TouchPlan.partner_id == partner.id,
                                                     TouchPlan.period == str(quarter)))


def generate_plan(partner: Partner, quarter: Period, band: str | None = ..., actor=None) -> tuple[TouchPlan, bool]:
    """The partner's plan for `quarter`, made from its band now if it has none yet.

    An existing plan is returned unchanged (created False): a band that changes after a plan was
    made shapes the next quarter's plan only."""
    existing = plan_of(partner, quarter)
    if existing is not None:
        return existing, False
    if band is ...:
        band = bands([partner.id]).get(partner.id)
    model = rules.touch_model_for(band)
    plan = TouchPlan(id=uuid.uuid4(), partner_id=partner.id, period=str(quarter), band=band, touch_model=model)
    db.session.add(plan)
    points = rules.plan_for(band, quarter)
    for p in points:
        db.session.add(Touchpoint(id=uuid.uuid4(), plan_id=plan.id, partner_id=partner.id, kind=p.kind, due=p.due))
    db.session.flush()
    record("touch_plan.generated", plan, after={"partner_id": str(partner.id), "period": str(quarter), "band": band,
                                                "touch_model": model, "touchpoints": len(points)},
           summary=f"Touch plan {quarter} for {partner.name}: {rules.touch_model_label(model)}", actor=actor)
    return plan, True


def generate_plans(quarter: Period) -> int:
    """Every partner's plan for `quarter` that does not exist yet (the command; idempotent)."""
    have = set(db.session.scalars(select(TouchPlan.partner_id).where(TouchPlan.period == str(quarter))))
    partners = [p for p in db.session.scalars(select(Partner).order_by(Partner.name)) if p.id not in have]
    by_partner = bands([p.id for p in partners]) if partners else {}
    for partner in partners:
        generate_plan(partner, quarter, by_partner.get(partner.id))
    return len(partners)


def touchpoints(plan: TouchPlan) -> list[Touchpoint]:
    return list(db.session.scalars(select(Touchpoint).where(Touchpoint.plan_id == plan.id)
                                   .order_by(Touchpoint.due, Touchpoint.kind, Touchpoint.id)))


def _date(errors: dict, value: object, field: str, latest: date) -> date | None:
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value or "").strip())
        except ValueError:
            errors[field] = "use a date like 2026-03-31"
            return None
    if day < EARLIEST or day > latest:
        errors[field] = f"must be between {EARLIEST.isoformat()} and {latest.isoformat()}"
        return None
    return day


def log_touch(actor: Actor, partner: Partner, data: dict, on: date | None = None) -> Touch:
    """Log a touch with notes; a touchpoint of this partner's it names is fulfilled by it."""
    errors: dict[str, str] = {}
    now = on or today()
    kind = data.get("kind")
    if kind not in rules.KINDS:
        errors["kind"] = f"use one of: {', '.join(rules.KINDS)}"
    happened = _date(errors, data.get("happened_on"), "happened_on", now)
    notes = data.get("notes") or ""
    if not isinstance(notes, str):
        errors["notes"] = "must be text"
        notes = ""
    notes = notes.strip()
    if len(notes) > NOTES_MAX:
        errors["notes"] = f"must be at most {NOTES_MAX} characters"
    point = None
    raw_point = data.get("touchpoint_id") or None
    if raw_point is not None:
        try:
            point = db.session.scalar(select(Touchpoint).where(Touchpoint.id == uuid.UUID(str(raw_point)),
                                                               Touchpoint.partner_id == partner.id))
        except ValueError:
            point = None
        if point is None:
            errors["touchpoint_id"] = "is not a touchpoint of this partner's plans"
        elif point.done_on is not None:
            errors["touchpoint_id"] = "is already done"
        elif kind in rules.KINDS and point.kind != kind:
            errors["touchpoint_id"] = f"is a {rules.KIND_LABELS[point.kind].lower()}, not a {rules.KIND_LABELS[kind].lower()}"
    if errors:
        raise InvalidInput(errors)
    touch = Touch(id=uuid.uuid4(), partner_id=partner.id, touchpoint_id=point.id if point else None,
                  side="vendor" if actor.is_vendor else "partner", kind=kind, happened_on=happened, notes=notes,
                  logged_by_id=actor.membership.id)
    db.session.add(touch)
    if point is not None:
        point.done_on = happened
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ConflictError("That touchpoint was fulfilled meanwhile.") from None
    record("touch.logged", touch, after={"partner_id": str(partner.id), "kind": kind, "happened_on": happened.isoformat(),
                                         "touchpoint_id": str(point.id) if point else None, "side": touch.side},
           summary=f"{rules.KIND_LABELS[kind]} with {partner.name} on {happened.isoformat()}",
           actor=actor_of(actor.membership))
    return touch


def touches_of(partner: Partner, limit: int = 100) -> list[Touch]:
    return list(db.session.scalars(select(Touch).where(Touch.partner_id == partner.id)
                                   .order_by(Touch.happened_on.desc(), Touch.id).limit(limit)))


@dataclass(frozen=True)
class CoverageRow:
    manager_id: uuid.UUID | None
    due: int  # touchpoints due by the end of the quarter
    done: int
    overdue: int  # past due and not done
    open: int  # not yet due and not done


def coverage(quarter: Period, on: date | None = None, manager_id: uuid.UUID | None = None) -> list[CoverageRow]:
    """Due, done and overdue touchpoints of the quarter per channel manager, counted in SQL."""
    now = on or today()
    done = Touchpoint.done_on.is_not(None)
    overdue = (Touchpoint.done_on.is_(None)) & (Touchpoint.due < now)
    stmt = (select(Partner.channel_manager_id, func.count(Touchpoint.id),
                   func.coalesce(func.sum(case((done, 1), else_=0)), 0),
                   func.coalesce(func.sum(case((overdue, 1), else_=0)), 0))
            .join(Partner, Partner.id == Touchpoint.partner_id)
            .where(Touchpoint.due >= quarter.start_date(), Touchpoint.due <= quarter.end_date())
            .group_by(Partner.channel_manager_id))
    if manager_id is not None:
        stmt = stmt.where(Partner.channel_manager_id == manager_id)
    rows = [CoverageRow(m, int(n), int(d), int(o), int(n) - int(d) - int(o)) for m, n, d, o in db.session.execute(stmt)]
    return sorted(rows, key=lambda r: (r.manager_id is None, str(r.manager_id)))


def plan_summary(partner_id: uuid.UUID, quarter: Period, on: date | None = None) -> dict:
    """The partner's touchpoints of the quarter as counts (for the home panel: one statement)."""
    now = on or today()
    rows = db.session.execute(select(Touchpoint.kind, Touchpoint.due, Touchpoint.done_on)
                              .where(Touchpoint.partner_id == partner_id, Touchpoint.due >= quarter.start_date(),
                                     Touchpoint.due <= quarter.end_date())
                              .order_by(Touchpoint.due, Touchpoint.kind)).all()
    states = [(kind, due, rules.touchpoint_state(done_on, due, now)) for kind, due, done_on in rows]
    nxt = next(((k, d) for k, d, s in states if s != "done"), None)
    return {"due": len(states), "done": sum(s == "done" for *_, s in states),
            "overdue": sum(s == "overdue" for *_, s in states), "next": nxt}


def overdue_touchpoints(manager_id=None, partner_id=None, on: date | None = None, limit: int = 50):
    """(touchpoint, partner name) past due and not done, oldest first (one statement)."""
    now = on or today()
    stmt = (select(Touchpoint, Partner.name).join(Partner, Partner.id == Touchpoint.partner_id)
            .where(Touchpoint.done_on.is_(None), Touchpoint.due < now, Touchpoint.due >= now - timedelta(days=92)))
    if manager_id is not None:
        stmt = stmt.where(Partner.channel_manager_id == manager_id)
    if partner_id is not None:
        stmt = stmt.where(Partner.id == partner_id)
    return db.session.execute(stmt.order_by(Touchpoint.due, Touchpoint.id).limit(limit)).all()
