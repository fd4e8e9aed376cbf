"""Term-change requests in the JSON API."""
from __future__ import annotations

import uuid

from flask import jsonify

from app.api import bp
from app.api.helpers import actor, json_body
from app.api.contract import Body, Reason
from app.api.openapi import documented
from app.auth.policies import require
from app.core.errors import InvalidInput
from app.partners.policies import get_partner_or_404
from app.termchanges.models import KINDS
from app.termchanges.schemas import CounterIn, ProposalIn, VersionedIn
from app.termchanges.policies import can_act, can_answer, get_change_or_404, may_propose_any
from app.termchanges.services import (
    REASON_MAX, REASON_MIN, accept_change, counter_change, decline_change, history, propose_change,
)
from app.termchanges.views import change_json

TEXT = {"type": "string"}
CHANGE_SCHEMA = {"type": "object", "properties": {
    "id": TEXT, "partner_id": TEXT, "kind": {"type": "string", "enum": list(KINDS)}, "period": {"type": ["string", "null"]},
    "payload": {"type": "object"}, "reason": TEXT, "proposed_by": {"type": "string", "enum": ["vendor", "partner"]},
    "status": {"type": "string", "enum": ["pending", "accepted", "declined", "countered"]},
    "counter_of": {"type": ["string", "null"]}, "decline_reason": TEXT, "applied_object_id": {"type": ["string", "null"]},
    "version": {"type": "integer"}, "summary": TEXT}}



def _version(body: dict) -> int | None:
    version = body.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise InvalidInput({"version": "Send the version you read, as a whole number."})
    return version


@bp.get("/partners/<uuid:partner_id>/term-changes")
@documented(response={"type": "object", "properties": {"items": {"type": "array", "items": CHANGE_SCHEMA}}})
def list_term_changes(partner_id: uuid.UUID):
    """The partnership's term-change history, newest first."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    return jsonify({"items": [change_json(c) for c in history(partner.id)]})


@bp.post("/partners/<uuid:partner_id>/term-changes")
@documented(request=ProposalIn, response=CHANGE_SCHEMA, status=201)
def propose_term_change(partner_id: uuid.UUID):
    """Ask the other side to change the partnership's terms."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(may_propose_any(current, partner))
    body = json_body()
    if body.get("kind") in KINDS:
        require(can_act(current, partner, body["kind"]))
    return jsonify(change_json(propose_change(current, partner, body))), 201


@bp.get("/term-changes/<uuid:change_id>")
@documented(response=CHANGE_SCHEMA)
def get_term_change(change_id: uuid.UUID):
    """One term-change request."""
    current = actor()
    change, _ = get_change_or_404(current, change_id)
    return jsonify(change_json(change))


@bp.post("/term-changes/<uuid:change_id>/accept")
@documented(request=VersionedIn, response=CHANGE_SCHEMA, body_optional=True)
def accept_term_change(change_id: uuid.UUID):
    """Accept (the other side only; the asking side gets 403): it applies now."""
    current = actor()
    change, partner = get_change_or_404(current, change_id)
    require(can_answer(current, change, partner))
    body = json_body(optional=True)
    return jsonify(change_json(accept_change(current, change, partner, expected_version=_version(body))))


class DeclineIn(Body):
    """Decline with a written reason, and the version you read (optional)."""

    reason: Reason(REASON_MIN, REASON_MAX)
    version: int | None = None


@bp.post("/term-changes/<uuid:change_id>/decline")
@documented(request=DeclineIn, response=CHANGE_SCHEMA)
def decline_term_change(change_id: uuid.UUID):
    """Decline with a reason (the other side only)."""
    current = actor()
    change, partner = get_change_or_404(current, change_id)
    require(can_answer(current, change, partner))
    body = json_body()
    return jsonify(change_json(decline_change(current, change, partner, body.get("reason"),
                                              expected_version=_version(body))))


@bp.post("/term-changes/<uuid:change_id>/counter")
@documented(request=CounterIn, response=CHANGE_SCHEMA, status=201)
def counter_term_change(change_id: uuid.UUID):
    """Counter-propose (same kind, the other side only); returns the new request."""
    current = actor()
    change, partner = get_change_or_404(current, change_id)
    require(can_answer(current, change, partner))
    body = json_body()
    return jsonify(change_json(counter_change(current, change, partner, body, expected_version=_version(body)))), 201

