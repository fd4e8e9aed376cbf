"""Touch plans, touches and their coverage; courses, completions and the expiry sweep (audited).

Services flush, never commit (the request or command commits once)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from app.audit.services import actor_of, record
from app.auth import roles
from app.auth.context import Actor
from app.auth.models import Membership, User
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.core.together import read_together
from app.enablement import rules
from app.enablement.models import Completion, Course, Touch, TouchPlan, Touchpoint
from app.extensions import db
from app.health.periods import Period, parse_period, period_for
from app.ipp.models import IppAssessment
from app.notifications.services import notify
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
    return list(db.session.scalars(touches_query(partner).order_by(*(c.desc() for c in TOUCH_ORDER)).limit(limit)))


# Newest first; the API pages by these columns (descending), the pages show the first `limit`.
TOUCH_ORDER = (Touch.happened_on, Touch.id)
COMPLETION_ORDER = (Completion.completed_on, Completion.id)


def touches_query(partner: Partner):
    return select(Touch).where(Touch.partner_id == partner.id)


def completions_query(partner: Partner):
    """(completion, course, person's e-mail) of the partner's staff, unordered (one statement)."""
    return (select(Completion, Course, User.email).join(Course, Course.id == Completion.course_id)
            .join(Membership, Membership.id == Completion.membership_id).join(User, User.id == Membership.user_id)
            .where(Completion.partner_id == partner.id))


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


def manager_names(manager_ids) -> dict:
    """{membership id: the person's name, or e-mail when they gave no name} (one statement)."""
    ids = [m for m in manager_ids if m is not None]
    if not ids:
        return {}
    return {mid: (name or email) for mid, name, email in db.session.execute(
        select(Membership.id, User.name, User.email).join(User, User.id == Membership.user_id)
        .where(Membership.id.in_(ids)))}


def _plan_select(partner_id: uuid.UUID, quarter: Period):
    return (select(Touchpoint.kind, Touchpoint.due, Touchpoint.done_on)
            .where(Touchpoint.partner_id == partner_id, Touchpoint.due >= quarter.start_date(),
                   Touchpoint.due <= quarter.end_date())
            .order_by(Touchpoint.due, Touchpoint.kind))


def _plan_from(rows, now: date) -> dict:
    states = [(kind, due, rules.touchpoint_state(done_on, due, now)) for kind, due, done_on in rows]
    nxt = next(((k, d) for k, d, s in states if s != "done"), None)
    return {"due": len(states), "done": sum(s == "done" for *_, s in states),
            "overdue": sum(s == "overdue" for *_, s in states), "next": nxt}


def plan_summary(partner_id: uuid.UUID, quarter: Period, on: date | None = None) -> dict:
    """The partner's touchpoints of the quarter as counts (one statement)."""
    now = on or today()
    return _plan_from(db.session.execute(_plan_select(partner_id, quarter)).all(), now)


def panel_summaries(partner_id: uuid.UUID, quarter: Period, on: date | None = None) -> tuple[dict, dict]:
    """`plan_summary` and `certification_summary` in one statement (the home panel)."""
    now = on or today()
    plan, cert = read_together(_plan_select(partner_id, quarter), _certification_select(partner_id, now))
    return _plan_from(plan, now), _certification_from(cert[0])


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


# -- courses, certifications and completions -----------------------------------------------------

COURSE_KINDS = ("course", "certification")
VALID_MONTHS_MAX = 120


def courses(active_only: bool = False) -> list[Course]:
    stmt = select(Course).order_by(Course.kind, Course.name)
    if active_only:
        stmt = stmt.where(Course.active.is_(True))
    return list(db.session.scalars(stmt))


DESCRIPTION_MAX = 2000
COURSE_FIELDS = ("name", "kind", "valid_months", "description", "active")


def _clean_course(data: dict, *, partial: bool, course: Course | None = None) -> tuple[dict, dict]:
    """A course's fields from a form or the API: ({field: value}, {field: message}). `partial`: only the
    fields sent (an edit); the kind is set when the course is added and stays."""
    errors: dict[str, str] = {}
    out: dict = {}
    if not partial or "name" in data:
        name = data.get("name")
        name = name.strip() if isinstance(name, str) else ""
        if not name:
            errors["name"] = "is required"
        elif len(name) > 200:
            errors["name"] = "must be at most 200 characters"
        else:
            same = select(Course.id).where(func.lower(Course.name) == name.lower())
            if course is not None:
                same = same.where(Course.id != course.id)
            if db.session.scalar(same):
                errors["name"] = "a course of that name exists"
            out["name"] = name
    if not partial:
        kind = data.get("kind")
        if kind not in COURSE_KINDS:
            errors["kind"] = "use course or certification"
        out["kind"] = kind
    if not partial or "valid_months" in data:
        raw = data.get("valid_months")
        months = None
        if raw not in (None, ""):
            try:
                months = int(str(raw).strip()) if not isinstance(raw, (bool, float)) else None
            except ValueError:
                months = None
            if months is None or not 1 <= months <= VALID_MONTHS_MAX:
                errors["valid_months"] = f"a whole number of months from 1 to {VALID_MONTHS_MAX}, or empty (never lapses)"
        out["valid_months"] = months
    if "description" in data:
        text = data.get("description")
        if text is not None and not isinstance(text, str):
            errors["description"] = "must be text"
        elif len((text or "").strip()) > DESCRIPTION_MAX:
            errors["description"] = f"must be at most {DESCRIPTION_MAX} characters"
        else:
            out["description"] = (text or "").strip()
    if partial and "retired" in data:
        retired = data.get("retired")
        if not isinstance(retired, bool):
            errors["retired"] = "true or false"
        else:
            out["active"] = not retired
    return out, errors


def create_course(actor: Actor | None, data: dict) -> Course:
    """A course or a certification (certifications may lapse after valid_months)."""
    values, errors = _clean_course(data, partial=False)
    if errors:
        raise InvalidInput(errors)
    course = Course(id=uuid.uuid4(), active=True, **{"description": "", **values})
    db.session.add(course)
    db.session.flush()
    record("course.create", course, after={k: values[k] for k in ("name", "kind", "valid_months")},
           summary=f"Added the {course.kind} {course.name}", actor=actor_of(actor.membership) if actor else None)
    return course


def update_course(actor: Actor, course: Course, data: dict, expected_version: int | None) -> Course:
    """Rename or describe a course, change how long its completions stay valid, retire or reinstate it
    (audited). A new validity applies to completions recorded from then on; recorded ones keep their expiry.
    A retired course takes no new completions and keeps its history."""
    if expected_version is not None and expected_version != course.version:
        raise ConflictError("Someone else changed this course first. Reload it and apply your change again.")
    values, errors = _clean_course(data, partial=True, course=course)
    if errors:
        raise InvalidInput(errors)
    before = {k: getattr(course, k) for k in COURSE_FIELDS}
    changed = {k: v for k, v in values.items() if getattr(course, k) != v}
    if not changed:
        return course
    for key, value in changed.items():
        setattr(course, key, value)
    try:
        db.session.flush()
    except IntegrityError:  # a twin of the new name was added meanwhile (the unique index)
        db.session.rollback()
        raise ConflictError("A course of that name was added meanwhile. Reload and choose another name.") from None
    after = {k: getattr(course, k) for k in COURSE_FIELDS}
    if changed.keys() == {"active"}:
        action, summary = ("course.retire", f"Retired the {course.kind} {course.name}") if not course.active else \
            ("course.reinstate", f"Reinstated the {course.kind} {course.name}")
    else:
        action, summary = "course.update", f"Changed the {course.kind} {course.name}"
        if "active" in changed:
            summary += " (retired)" if not course.active else " (reinstated)"
    record(action, course, before=before, after=after, summary=summary, actor=actor_of(actor.membership))
    return course


def partner_staff(partner: Partner) -> list[Membership]:
    return list(db.session.scalars(select(Membership).where(Membership.partner_id == partner.id,
                                                            Membership.active.is_(True))
                                   .order_by(Membership.id)))


def record_completion(actor: Actor, partner: Partner, data: dict, on: date | None = None) -> Completion:
    """A partner staff member completed a course on a date; a certification's expiry follows from it."""
    errors: dict[str, str] = {}
    now = on or today()
    course = None
    try:
        course = db.session.scalar(select(Course).where(Course.id == uuid.UUID(str(data.get("course_id") or ""))))
    except ValueError:
        pass
    if course is None:
        errors["course_id"] = "choose one of the workspace's courses"
    elif not course.active:
        errors["course_id"] = "is retired: it takes no new completions"
    member = None
    try:
        member = db.session.scalar(select(Membership).where(
            Membership.id == uuid.UUID(str(data.get("membership_id") or "")), Membership.partner_id == partner.id,
            Membership.active.is_(True)))
    except ValueError:
        pass
    if member is None:
        errors["membership_id"] = "choose one of this partner's staff"
    completed = _date(errors, data.get("completed_on"), "completed_on", now)
    if errors:
        raise InvalidInput(errors)
    if db.session.scalar(select(Completion.id).where(Completion.course_id == course.id,
                                                     Completion.membership_id == member.id,
                                                     Completion.completed_on == completed)):
        raise ConflictError("That completion is already recorded.")
    completion = Completion(id=uuid.uuid4(), partner_id=partner.id, course_id=course.id, membership_id=member.id,
                            completed_on=completed, expires_on=rules.expires_on(completed, course.valid_months),
                            recorded_by_id=actor.membership.id)
    db.session.add(completion)
    db.session.flush()
    record("completion.record", completion,
           after={"partner_id": str(partner.id), "course_id": str(course.id), "membership_id": str(member.id),
                  "completed_on": completed.isoformat(),
                  "expires_on": completion.expires_on.isoformat() if completion.expires_on else None},
           summary=f"{course.name} completed for {partner.name} on {completed.isoformat()}",
           actor=actor_of(actor.membership))
    return completion


def completions_of(partner: Partner, limit: int = 200) -> list[tuple[Completion, Course, str]]:
    """(completion, course, person's e-mail), newest first."""
    return db.session.execute(completions_query(partner).order_by(*(c.desc() for c in COMPLETION_ORDER))
                              .limit(limit)).all()


def certified_counts(partner_ids: list | None = None, on: date | None = None) -> dict:
    """{partner id: people holding at least one valid certification} (one statement)."""
    now = on or today()
    stmt = (select(Completion.partner_id, func.count(func.distinct(Completion.membership_id)))
            .join(Course, Course.id == Completion.course_id)
            .where(Course.kind == "certification",
                   (Completion.expires_on.is_(None)) | (Completion.expires_on >= now))
            .group_by(Completion.partner_id))
    if partner_ids is not None:
        stmt = stmt.where(Completion.partner_id.in_(partner_ids))
    return {pid: int(n) for pid, n in db.session.execute(stmt)}


def _certification_select(partner_id, now: date):
    soon = now + timedelta(days=rules.EXPIRY_NOTICE_DAYS)
    valid = (Completion.expires_on.is_(None)) | (Completion.expires_on >= now)
    expiring = (Completion.expires_on >= now) & (Completion.expires_on <= soon)
    return (select(func.coalesce(func.sum(case((valid, 1), else_=0)), 0).label("n_valid"),
                   func.coalesce(func.sum(case((expiring, 1), else_=0)), 0).label("n_expiring"))
            .join(Course, Course.id == Completion.course_id)
            .where(Completion.partner_id == partner_id, Course.kind == "certification"))


def _certification_from(row) -> dict:
    n_valid, n_expiring = row
    return {"valid": int(n_valid), "expiring": int(n_expiring)}


def certification_summary(partner_id, on: date | None = None) -> dict:
    """Valid certifications and those lapsing within the notice window (one statement)."""
    return _certification_from(db.session.execute(_certification_select(partner_id, on or today())).one())


def suggest_certified_consultants(partner) -> dict:
    """The IPP answer suggestion (registered with app.core.registry): never applied by itself."""
    n = certified_counts([partner.id]).get(partner.id, 0)
    return {"certified_consultants": (str(n), "partner staff holding a valid certification in the training records")}


def sweep(on: date | None = None) -> int:
    """Notify each partner's admins once about every certification lapsing within 60 days."""
    now = on or today()
    soon = now + timedelta(days=rules.EXPIRY_NOTICE_DAYS)
    rows = db.session.execute(
        select(Completion, Course.name, Partner, User.email).join(Course, Course.id == Completion.course_id)
        .join(Partner, Partner.id == Completion.partner_id)
        .join(Membership, Membership.id == Completion.membership_id).join(User, User.id == Membership.user_id)
        .where(Completion.expiry_notified_at.is_(None), Completion.expires_on >= now, Completion.expires_on <= soon)
        .order_by(Completion.expires_on, Completion.id)).all()
    if not rows:
        return 0
    admins: dict = {}
    for m in db.session.scalars(select(Membership).where(
            Membership.partner_id.in_({p.id for _, _, p, _ in rows}), Membership.role == roles.PARTNER_ADMIN)):
        admins.setdefault(m.partner_id, []).append(m)
    stamp = utcnow()
    for completion, course_name, partner, email in rows:
        notify(admins.get(partner.id, []), kind="certification_expiry",
               subject=f"{course_name} of {email} expires on {completion.expires_on.isoformat()}",
               body=(f"The {course_name} certification of {email} ({partner.name}) expires on "
                     f"{completion.expires_on.isoformat()}. Plan the renewal so it keeps counting."),
               link=f"/enablement/partners/{partner.id}/training")
        completion.expiry_notified_at = stamp
        record("completion.expiry_notified", completion, after={"expires_on": completion.expires_on.isoformat()},
               summary=f"Expiry notice: {course_name} of {email} ({partner.name})")
    db.session.flush()
    return len(rows)
