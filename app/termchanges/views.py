"""A term change in plain words and as JSON (the same for pages, panels and the API)."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from app.auth.models import Membership, User
from app.extensions import db
from app.termchanges.models import KIND_LABELS, TermChange


def _person(membership_id) -> str | None:
    if membership_id is None:
        return None
    try:
        membership_id = uuid.UUID(str(membership_id))
    except ValueError:
        return None
    user = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                             .where(Membership.id == membership_id))
    return user.display_name if user else None


def describe(change: TermChange) -> str:
    p = change.payload or {}
    if change.kind == "agreement_terms":
        metrics = "; ".join(f"{m['key']} target {m['target']}, floor {m['floor']}, weight {m['weight']}"
                            for m in p.get("metrics", []))
        return f"{change.period} agreement: {metrics}"
    if change.kind == "tier_position":
        return f"Tier {p.get('tier')} for the outcome of {change.period}"
    if change.kind == "margin_exception":
        return f"Margin {p.get('margin_pct')}% for the outcome of {change.period}"
    return f"Channel manager: {_person(p.get('channel_manager_id')) or 'unknown'}"


def change_json(change: TermChange) -> dict:
    return {"id": str(change.id), "partner_id": str(change.partner_id), "kind": change.kind,
            "kind_label": KIND_LABELS[change.kind], "period": change.period, "payload": change.payload,
            "reason": change.reason, "proposed_by": change.proposed_by, "proposed_by_person": _person(change.proposed_by_id),
            "status": change.status, "counter_of": str(change.counter_of_id) if change.counter_of_id else None,
            "decided_by_person": _person(change.decided_by_id), "decided_at": change.decided_at,
            "decline_reason": change.decline_reason, "applied_object_id": change.applied_object_id,
            "created_at": change.created_at, "version": change.version, "summary": describe(change)}
