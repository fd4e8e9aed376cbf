"""Asking to change a partnership's terms and answering; an accepted change is applied through the
existing mechanisms (agreement proposal + acceptance, quarter override, partner update), which
audit themselves, so health, tiers and audit keep one path each."""
from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select

from app.audit.services import actor_of, record
from app.auth.context import Actor
from app.auth.models import Membership
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.extensions import db
from app.partners.models import Partner
from app.termchanges.models import KIND_LABELS, KINDS, TermChange
from app.termchanges.policies import side_of
# Mechanisms the accepted change goes through (the tiers/health split may move these paths).
from app.health import services as health_services
from app.health.periods import parse_period, period_for
from app.health.scoring import parse_number, validate_metrics
from app.partners.services import channel_managers, update_partner
from app.tiers import services as tier_services

REASON_MIN = tier_services.OVERRIDE_REASON_MIN
REASON_MAX = 2000


def _plain(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def current_period() -> str:
    return str(period_for(utcnow().date()))


def _reason(errors: dict, value: object, field: str = "reason") -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) < REASON_MIN:
        errors[field] = f"write the reason (at least {REASON_MIN} characters)"
    elif len(text) > REASON_MAX:
        errors[field] = f"must be at most {REASON_MAX} characters"
    return text


def _clean(partner: Partner, kind: object, data: dict) -> tuple[str, str | None, dict, str]:
    """(kind, period, payload, reason) or 422 naming every problem; nothing is written."""
    errors: dict[str, str] = {}
    if kind not in KINDS:
        raise InvalidInput({"kind": f"use one of: {', '.join(KINDS)}"})
    reason = _reason(errors, data.get("reason"))
    period, payload = None, {}
    if kind == "agreement_terms":
        raw_period = data.get("period") or current_period()
        try:
            period = str(parse_period(raw_period))
        except ValueError as exc:
            errors["period"] = str(exc)
        terms, metric_errors = validate_metrics(data.get("metrics"))
        errors.update(metric_errors)
        payload = {"metrics": [{"key": t.key, "direction": t.direction, "target": _plain(t.target),
                                "floor": _plain(t.floor), "weight": _plain(t.weight)} for t in terms]}
    elif kind == "tier_position":
        names = [t.name for t in tier_services.load_tiers()]
        if data.get("tier") not in names:
            errors["tier"] = "must be one of the programme's tiers: " + ", ".join(names)
        payload = {"tier": data.get("tier")}
    elif kind == "margin_exception":
        try:
            margin = parse_number(data.get("margin_pct"))
            if not Decimal(0) <= margin <= Decimal(100):
                errors["margin_pct"] = "must be between 0 and 100"
            elif margin != margin.quantize(Decimal("0.01")):
                errors["margin_pct"] = "must have at most two decimals"
            payload = {"margin_pct": _plain(margin.quantize(Decimal("0.01")))}
        except ValueError as exc:
            errors["margin_pct"] = str(exc)
    else:
        ids = {str(m.id) for m, _ in channel_managers()}
        if str(data.get("channel_manager_id") or "") not in ids:
            errors["channel_manager_id"] = "choose one of the vendor's channel managers"
        payload = {"channel_manager_id": str(data.get("channel_manager_id") or "")}
    if errors:
        raise InvalidInput(errors)
    if kind in ("tier_position", "margin_exception"):
        latest = tier_services.latest_close(partner.id)
        if latest is None:
            raise ConflictError("No quarter is closed yet: a tier or margin change applies to the latest closed quarter.")
        period = latest.period
    return kind, period, payload, reason


def propose_change(actor: Actor, partner: Partner, data: dict, counter_of: TermChange | None = None) -> TermChange:
    """Ask the other side for a change; one waiting request per kind and partnership."""
    kind, period, payload, reason = _clean(partner, data.get("kind") if counter_of is None else counter_of.kind, data)
    waiting = db.session.scalar(select(TermChange.id).where(
        TermChange.partner_id == partner.id, TermChange.kind == kind, TermChange.status == "pending",
        TermChange.id != (counter_of.id if counter_of else None)))
    if waiting is not None:
        raise ConflictError(f"A {KIND_LABELS[kind].lower()} change already waits for an answer.")
    change = TermChange(id=uuid.uuid4(), partner_id=partner.id, kind=kind, period=period, payload=payload,
                        reason=reason, proposed_by=side_of(actor), proposed_by_id=actor.membership.id,
                        status="pending", counter_of_id=counter_of.id if counter_of else None)
    db.session.add(change)
    db.session.flush()
    record("termchange.counter" if counter_of else "termchange.propose", change,
           after={"kind": kind, "period": period, "payload": payload, "reason": reason,
                  "counter_of": counter_of.id if counter_of else None},
           summary=f"{partner.name}: {side_of(actor)} asks to change {KIND_LABELS[kind].lower()}",
           actor=actor_of(actor.membership))
    return change


def _waiting(change: TermChange) -> None:
    if change.status != "pending":
        raise ConflictError(f"This request is {change.status}; only a waiting request can be answered.")


def _check_version(change: TermChange, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != change.version:
        raise ConflictError("This request changed since you read it. Reload it and decide again.")


def accept_change(actor: Actor, change: TermChange, partner: Partner,
                  expected_version: int | None = None) -> TermChange:
    """The other side accepts: apply through the existing mechanism, then mark the request accepted."""
    _check_version(change, expected_version)
    _waiting(change)
    proposer = db.session.get(Membership, (change.tenant_id, change.proposed_by_id))
    me = actor.membership
    vendor_side = me if actor.is_vendor else proposer  # overrides are made by the vendor side
    if change.kind == "agreement_terms":
        agreement = health_services.propose(partner, change.period, change.payload["metrics"], proposer,
                                            note=f"Term change: {change.reason}")
        health_services.accept(agreement, partner, me)
        applied = agreement.id
    elif change.kind in ("tier_position", "margin_exception"):
        row = tier_services.get_close(partner, change.period)
        latest = tier_services.latest_close(partner.id)
        if row is None or latest is None or latest.period != change.period:
            raise ConflictError("A later quarter was closed since this was asked; ask again for the latest quarter.")
        # Keep the other half of an existing override: a tier change leaves a margin exception alone.
        tier = change.payload["tier"] if change.kind == "tier_position" else row.override_tier
        margin = change.payload["margin_pct"] if change.kind == "margin_exception" else row.override_margin_pct
        applied = tier_services.override(partner, change.period, tier, margin, change.reason, vendor_side).id
    else:
        update_partner(partner, {"channel_manager_id": uuid.UUID(change.payload["channel_manager_id"])})
        applied = partner.id
    change.status = "accepted"
    change.decided_by_id = me.id
    change.decided_at = utcnow()
    change.applied_object_id = str(applied)
    db.session.flush()
    record("termchange.accept", change, before={"status": "pending"},
           after={"status": "accepted", "applied_to": str(applied)},
           summary=f"{partner.name}: {side_of(actor)} accepted the {KIND_LABELS[change.kind].lower()} change",
           actor=actor_of(actor.membership))
    return change


def decline_change(actor: Actor, change: TermChange, partner: Partner, reason: object,
                   expected_version: int | None = None) -> TermChange:
    errors: dict[str, str] = {}
    text = _reason(errors, reason)
    if errors:
        raise InvalidInput(errors)
    _check_version(change, expected_version)
    _waiting(change)
    change.status = "declined"
    change.decline_reason = text
    change.decided_by_id = actor.membership.id
    change.decided_at = utcnow()
    db.session.flush()
    record("termchange.decline", change, before={"status": "pending"}, after={"status": "declined", "reason": text},
           summary=f"{partner.name}: {side_of(actor)} declined the {KIND_LABELS[change.kind].lower()} change",
           actor=actor_of(actor.membership))
    return change


def counter_change(actor: Actor, change: TermChange, partner: Partner, data: dict,
                   expected_version: int | None = None) -> TermChange:
    """Answer with a proposal of the same kind; the original is marked countered."""
    _check_version(change, expected_version)
    _waiting(change)
    counter = propose_change(actor, partner, data, counter_of=change)
    change.status = "countered"
    change.decided_by_id = actor.membership.id
    change.decided_at = utcnow()
    db.session.flush()
    return counter


def history(partner_id: uuid.UUID, limit: int | None = None) -> list[TermChange]:
    stmt = select(TermChange).where(TermChange.partner_id == partner_id).order_by(TermChange.created_at.desc(),
                                                                                  TermChange.id)
    return list(db.session.scalars(stmt.limit(limit) if limit else stmt))
