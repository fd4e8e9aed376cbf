"""Opening a review, notes, settling disputes, action items, signing, freezing and verifying; all audited."""
from __future__ import annotations

import json
import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.auth import roles
from app.auth.context import Actor
from app.auth.models import Membership, User
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.core.serialize import jsonable
from app.extensions import db
from app.health.periods import parse_period
from app.health.services import in_force, record_measurements
from app.health.scoring import parse_number
from app.notifications.services import notify
from app.partners.models import Partner
from app.reviews import rules
from app.reviews.content import build_view, item_json, previous_review
from app.reviews.models import ITEM_STATUSES, SIDES, ActionItem, Review
from app.reviews.policies import side_of
from app.tenancy import current_tenant_id
from app.tenants.models import Tenant

TITLE_MAX = 200
TEXT_MAX = 20_000
REVIEW_FIELDS = ("agenda", "vendor_notes", "partner_notes")


def _name(actor: Actor) -> str:
    return actor.user.name or actor.user.email


def _period(value: object) -> str:
    try:
        return str(parse_period(value))
    except ValueError as exc:
        raise InvalidInput({"period": str(exc)}) from None


def review_of(partner: Partner, period: str) -> Review | None:
    return db.session.scalar(select(Review).where(Review.partner_id == partner.id, Review.period == period))


def reviews_of(partner: Partner) -> list[Review]:
    return list(db.session.scalars(select(Review).where(Review.partner_id == partner.id)
                                   .order_by(Review.period.desc())))


def summary(review: Review) -> dict:
    """The shape of DESIGN section 9 (and a little more)."""
    return {"id": str(review.id), "partner_id": str(review.partner_id), "period": review.period,
            "signed_by_vendor": review.signed_by_vendor, "signed_by_partner": review.signed_by_partner,
            "locked": review.signed, "snapshot_hash": review.snapshot_hash, "version": review.version}


def open_review(actor: Actor, partner: Partner, period: object) -> Review:
    """Open the partnership's review of a quarter, carrying over the previous review's open items."""
    period_text = _period(period)
    if review_of(partner, period_text) is not None:
        raise ConflictError(f"The {period_text} review of {partner.name} is already open.")
    review = Review(id=uuid.uuid4(), partner_id=partner.id, period=period_text, opened_by_id=actor.membership.id,
                    settlements={})
    db.session.add(review)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent twin opened it first; the request rolls back
        raise ConflictError(f"The {period_text} review of {partner.name} is already open.") from None
    carried = carry_over(review)
    record("review.open", review, after={"period": period_text, "carried_items": len(carried)},
           summary=f"{_name(actor)} opened the {period_text} review of {partner.name}")
    return review


def carry_over(review: Review) -> list[ActionItem]:
    """Open items of the previous review continue in this one, marked carried (done/dropped stay behind)."""
    prev = previous_review(review)
    if prev is None:
        return []
    made = []
    for old in db.session.scalars(select(ActionItem).where(ActionItem.review_id == prev.id,
                                                            ActionItem.status == "open")
                                  .order_by(ActionItem.due_date, ActionItem.id)):
        item = ActionItem(id=uuid.uuid4(), review_id=review.id, title=old.title, owner_side=old.owner_side,
                          owner_id=old.owner_id, due_date=old.due_date, status="open", metric_key=old.metric_key,
                          carried_from_id=old.id, created_by_id=old.created_by_id)
        db.session.add(item)
        made.append(item)
    db.session.flush()
    return made


def _refuse_if_signed(review: Review) -> None:
    if review.signed:
        raise ConflictError("This review is signed by both sides; it no longer changes.")


def _version(data: dict, current: int) -> None:
    raw = data.get("version")
    if raw is None or str(raw).strip() == "":
        raise InvalidInput({"version": "send the version you read"})
    try:
        sent = int(str(raw))
    except ValueError:
        raise InvalidInput({"version": "must be a whole number"}) from None
    if sent != current:
        raise ConflictError("Someone changed this in the meantime; reload and apply your change again.")


def update_review(actor: Actor, review: Review, partner: Partner, data: dict) -> Review:
    """Agenda (either side) and this side's notes; the other side's notes are not this side's to write."""
    _refuse_if_signed(review)
    _version(data, review.version)
    mine = "vendor_notes" if side_of(actor) == "vendor" else "partner_notes"
    errors, changes = {}, {}
    for field in ("agenda", mine):
        if field not in data:
            continue
        value = data[field]
        if not isinstance(value, str):
            errors[field] = "must be text"
        elif len(value) > TEXT_MAX:
            errors[field] = f"must be at most {TEXT_MAX} characters"
        elif "\x00" in value:
            errors[field] = "contains a NUL character"
        elif value.strip() != getattr(review, field):
            changes[field] = value.strip()
    other = "partner_notes" if mine == "vendor_notes" else "vendor_notes"
    if other in data and data[other] != getattr(review, other):
        errors[other] = "is written by the other side"
    if errors:
        raise InvalidInput(errors)
    if changes:
        before = {f: getattr(review, f) for f in changes}
        for f, v in changes.items():
            setattr(review, f, v)
        db.session.flush()
        record("review.update", review, before=before, after=changes,
               summary=f"{_name(actor)} changed {', '.join(sorted(changes))} of the {review.period} review of {partner.name}")
    return review


def settle(actor: Actor, review: Review, partner: Partner, metric_key: object, value: object) -> Review:
    """Agree a disputed metric's value in the review: it becomes the quarter's measurement (audited)."""
    _refuse_if_signed(review)
    agreement = in_force(partner.id, review.period)
    if agreement is None:
        raise ConflictError(f"There is no accepted agreement for {review.period}; there is nothing to settle.")
    keys = [t["key"] for t in agreement.terms]
    if not isinstance(metric_key, str) or metric_key not in keys:
        raise InvalidInput({"metric_key": f"use one of the agreement's metrics: {', '.join(keys)}"})
    try:
        number = parse_number(value)
    except ValueError as exc:
        raise InvalidInput({"value": str(exc)}) from None
    record_measurements(agreement, partner, {metric_key: str(number)}, "settled in the joint review", actor.membership)
    settled = dict(review.settlements or {})
    before = settled.get(metric_key)
    settled[metric_key] = {"value": format(number.normalize(), "f"), "side": side_of(actor), "by": _name(actor),
                           "at": utcnow().isoformat(timespec="seconds")}
    review.settlements = settled
    db.session.flush()
    record("review.settle", review, before={metric_key: before} if before else None, after={metric_key: settled[metric_key]},
           summary=f"{_name(actor)} settled {metric_key} at {settled[metric_key]['value']} in the {review.period} "
                   f"review of {partner.name}")
    return review


# --- action items ----------------------------------------------------------------------------


def _owner(partner: Partner, side: object, owner_id: object, errors: dict) -> Membership | None:
    if side not in SIDES:
        errors["owner_side"] = "use vendor or partner"
        return None
    try:
        oid = uuid.UUID(str(owner_id))
    except ValueError:
        errors["owner_id"] = "choose a person of the owner's side"
        return None
    m = db.session.scalar(select(Membership).where(Membership.id == oid, Membership.active.is_(True)))
    ok = m is not None and ((side == "vendor" and m.partner_id is None and m.role in roles.VENDOR_ROLES)
                            or (side == "partner" and m.partner_id == partner.id))
    if not ok:
        errors["owner_id"] = "choose a person of the owner's side"
        return None
    return m


def _due(value: object, errors: dict) -> date | None:
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        errors["due_date"] = "use a date like 2027-01-31"
        return None


def _title(value: object, errors: dict) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        errors["title"] = "is required"
    elif len(text) > TITLE_MAX:
        errors["title"] = f"must be at most {TITLE_MAX} characters"
    return text


def _metric(partner: Partner, review: Review, value: object, errors: dict) -> str | None:
    if value in (None, ""):
        return None
    agreement = in_force(partner.id, review.period)
    keys = [t["key"] for t in agreement.terms] if agreement else []
    if value not in keys:
        errors["metric_key"] = "use one of the quarter's metrics, or leave it empty"
        return None
    return value


def people_of(partner: Partner) -> dict[str, list[tuple[uuid.UUID, str]]]:
    """Who may own an action item, per side (active vendor staff; the partner's active staff)."""
    rows = db.session.execute(select(Membership.id, Membership.partner_id, User.name, User.email)
                              .join(User, User.id == Membership.user_id)
                              .where(Membership.active.is_(True), User.active.is_(True),
                                     (Membership.partner_id.is_(None)) | (Membership.partner_id == partner.id))
                              .order_by(User.name, User.email)).all()
    out: dict = {"vendor": [], "partner": []}
    for mid, pid, name, email in rows:
        out["vendor" if pid is None else "partner"].append((mid, name or email))
    return out


def _notify_owner(item: ActionItem, review: Review, partner: Partner, why: str) -> None:
    owner = db.session.scalar(select(Membership).where(Membership.id == item.owner_id))
    notify([owner], subject=f"Action item {why}: {item.title}",
           body=(f"From the {review.period} joint review of {partner.name}: \"{item.title}\", "
                 f"due {item.due_date.isoformat()}."),
           link=f"/reviews/{review.id}", kind="review_action_item")


def add_item(actor: Actor, review: Review, partner: Partner, data: dict) -> ActionItem:
    _refuse_if_signed(review)
    errors: dict[str, str] = {}
    title = _title(data.get("title"), errors)
    owner = _owner(partner, data.get("owner_side"), data.get("owner_id"), errors)
    due = _due(data.get("due_date"), errors)
    metric = _metric(partner, review, data.get("metric_key"), errors)
    if errors:
        raise InvalidInput(errors)
    item = ActionItem(id=uuid.uuid4(), review_id=review.id, title=title, owner_side=data["owner_side"],
                      owner_id=owner.id, due_date=due, status="open", metric_key=metric,
                      created_by_id=actor.membership.id)
    db.session.add(item)
    db.session.flush()
    record("review.action_item.add", item, after=jsonable({"title": title, "owner_side": item.owner_side,
                                                           "owner_id": owner.id, "due_date": due,
                                                           "metric_key": metric, "review_id": review.id}),
           summary=f"{_name(actor)} added action item \"{title}\" to the {review.period} review of {partner.name}")
    _notify_owner(item, review, partner, "assigned to you")
    return item


def update_item(actor: Actor, item: ActionItem, review: Review, partner: Partner, data: dict,
                full: bool) -> ActionItem:
    """Status by the owner or an editor; title, owner, due date and metric by editors (`full`).

    Items stay editable after the review is signed (follow-up happens then); the signed review
    keeps the items as they were at the second signature.
    """
    _version(data, item.version)
    errors: dict[str, str] = {}
    changes: dict = {}
    if "status" in data:
        if data["status"] not in ITEM_STATUSES:
            errors["status"] = f"use one of: {', '.join(ITEM_STATUSES)}"
        elif data["status"] != item.status:
            changes["status"] = data["status"]
    editable = {"title", "owner_side", "owner_id", "due_date", "metric_key"} & set(data)
    if editable and not full:
        for f in editable:
            errors[f] = "only the review's editors change this"
    elif editable:
        if "title" in data:
            changes["title"] = _title(data["title"], errors)
        if "owner_side" in data or "owner_id" in data:
            side = data.get("owner_side", item.owner_side)
            owner = _owner(partner, side, data.get("owner_id", item.owner_id), errors)
            if owner is not None:
                changes["owner_side"], changes["owner_id"] = side, owner.id
        if "due_date" in data:
            changes["due_date"] = _due(data["due_date"], errors)
        if "metric_key" in data:
            changes["metric_key"] = _metric(partner, review, data["metric_key"], errors)
    if errors:
        raise InvalidInput(errors)
    changes = {k: v for k, v in changes.items() if getattr(item, k) != v}
    if not changes:
        return item
    before = jsonable({k: getattr(item, k) for k in changes})
    reassigned = "owner_id" in changes
    for k, v in changes.items():
        setattr(item, k, v)
    db.session.flush()
    record("review.action_item.update", item, before=before, after=jsonable(changes),
           summary=f"{_name(actor)} changed {', '.join(sorted(changes))} of action item \"{item.title}\" "
                   f"({partner.name} {review.period})")
    if reassigned:
        _notify_owner(item, review, partner, "assigned to you")
    return item


def remind_due(today: date | None = None) -> int:
    """Notify owners of open items due within a week, once per item; returns how many were sent."""
    today = today or utcnow().date()
    rows = db.session.execute(
        select(ActionItem, Review, Partner).join(Review, Review.id == ActionItem.review_id)
        .join(Partner, Partner.id == Review.partner_id)
        .where(ActionItem.status == "open", ActionItem.reminded_at.is_(None),
               ActionItem.due_date >= today, ActionItem.due_date <= today.fromordinal(today.toordinal() + rules.REMIND_DAYS))
    ).all()
    for item, review, partner in rows:
        _notify_owner(item, review, partner, "due within a week")
        item.reminded_at = utcnow()
    db.session.flush()
    return len(rows)


# --- sign-off, freeze, verify -----------------------------------------------------------------


def sign(actor: Actor, review: Review, partner: Partner) -> Review:
    """Sign for the actor's side; the second signature freezes the review."""
    side = side_of(actor)
    if getattr(review, f"{side}_signed_at") is not None:
        raise ConflictError(f"The {side} side has already signed this review.")
    now = utcnow()
    setattr(review, f"{side}_signed_by_id", actor.membership.id)
    setattr(review, f"{side}_signed_by", _name(actor))
    setattr(review, f"{side}_signed_at", now)
    db.session.flush()
    record("review.sign", review, after={"side": side, "by": _name(actor)},
           summary=f"{_name(actor)} signed the {review.period} review of {partner.name} for the {side} side")
    if review.signed_by_vendor and review.signed_by_partner:
        freeze(review, partner)
    else:
        _notify_other_side(review, partner, side)
    return review


def unsign(actor: Actor, review: Review, partner: Partner) -> Review:
    side = side_of(actor)
    other = "partner" if side == "vendor" else "vendor"
    if getattr(review, f"{side}_signed_at") is None:
        raise ConflictError(f"The {side} side has not signed this review.")
    if getattr(review, f"{other}_signed_at") is not None:
        raise ConflictError(f"The {other} side has signed too; the review is frozen and cannot be unsigned.")
    before = {"side": side, "by": getattr(review, f"{side}_signed_by")}
    setattr(review, f"{side}_signed_by_id", None)
    setattr(review, f"{side}_signed_by", "")
    setattr(review, f"{side}_signed_at", None)
    db.session.flush()
    record("review.unsign", review, before=before,
           summary=f"{_name(actor)} withdrew the {side} side's signature of the {review.period} review of {partner.name}")
    return review


def _notify_other_side(review: Review, partner: Partner, signed_side: str) -> None:
    if signed_side == "vendor":
        stmt = select(Membership).where(Membership.partner_id == partner.id, Membership.role == roles.PARTNER_ADMIN)
    elif partner.channel_manager_id:
        stmt = select(Membership).where(Membership.id == partner.channel_manager_id)
    else:
        stmt = select(Membership).where(Membership.partner_id.is_(None), Membership.role == roles.VENDOR_ADMIN)
    notify(list(db.session.scalars(stmt)), subject=f"The {review.period} review of {partner.name} waits for your signature",
           body=f"The {signed_side} side signed the {review.period} joint review of {partner.name}.",
           link=f"/reviews/{review.id}", kind="review_signature")


def snapshot_data(review: Review, partner: Partner) -> dict:
    """Everything the review shows, for both sides, at the moment of the second signature."""
    tenant = db.session.get(Tenant, current_tenant_id())
    vendor_name = tenant.name if tenant is not None else ""
    signed_at = max(review.vendor_signed_at, review.partner_signed_at)
    return {
        "review": {"id": str(review.id), "partner_id": str(partner.id), "partner": partner.name,
                   "vendor": vendor_name, "period": review.period},
        "signatures": {
            "vendor": {"by": review.vendor_signed_by, "at": review.vendor_signed_at.isoformat(timespec="seconds")},
            "partner": {"by": review.partner_signed_by, "at": review.partner_signed_at.isoformat(timespec="seconds")}},
        "signed_at": signed_at.isoformat(timespec="seconds"),
        "views": {side: build_view(review, partner, side) for side in SIDES},
    }


def freeze(review: Review, partner: Partner) -> None:
    text = rules.canonical(snapshot_data(review, partner))
    review.snapshot = text
    review.snapshot_hash = rules.digest(text)
    review.frozen_at = utcnow()
    db.session.flush()
    record("review.freeze", review, after={"snapshot_hash": review.snapshot_hash},
           summary=f"The {review.period} review of {partner.name} is signed by both sides and frozen")


def frozen(review: Review) -> dict | None:
    return json.loads(review.snapshot) if review.snapshot is not None else None


def locked_partners(period: str) -> list[uuid.UUID]:
    """The quarter lock (registered with app.core.registry.add_quarter_lock): signed reviews of `period`."""
    return list(db.session.scalars(select(Review.partner_id).where(Review.period == period,
                                                                   Review.snapshot_hash.is_not(None))))


def verify_snapshots() -> tuple[int, Review | None]:
    """Recompute every frozen snapshot's hash in period order: (checked, first mismatch or None)."""
    checked = 0
    for review in db.session.scalars(select(Review).where(Review.snapshot_hash.is_not(None))
                                     .order_by(Review.period, Review.id)):
        checked += 1
        if review.snapshot is None or rules.digest(review.snapshot) != review.snapshot_hash:
            return checked, review
    return checked, None


def view_for(actor_side: str, review: Review, partner: Partner, vendor_name: str) -> dict:
    """What the page, API and PDF render: the frozen view when signed, else the live one."""
    data = frozen(review)
    if data is not None:
        return {**data["views"][actor_side], "review": data["review"], "signatures": data["signatures"],
                "signed_at": data["signed_at"], "hash": review.snapshot_hash, "frozen": True}
    signatures = {s: ({"by": getattr(review, f"{s}_signed_by"),
                       "at": getattr(review, f"{s}_signed_at").isoformat(timespec="seconds")}
                      if getattr(review, f"{s}_signed_at") else None) for s in SIDES}
    return {**build_view(review, partner, actor_side),
            "review": {"id": str(review.id), "partner_id": str(partner.id), "partner": partner.name,
                       "vendor": vendor_name, "period": review.period},
            "signatures": signatures, "signed_at": None, "hash": None, "frozen": False}


__all__ = ["item_json"]
