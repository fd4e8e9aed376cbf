"""Term-change requests in the JSON API."""
from __future__ import annotations

import uuid

from flask import jsonify

from app.api import bp
from app.api.helpers import actor, json_body
from app.api.contract import Body, Reason, checked
from app.api.openapi import documented
from app.auth.policies import require
from app.core.errors import InvalidInput
from app.partners.policies import get_partner_or_404
from app.termchanges.models import KINDS
from app.termchanges.schemas import ChangeList, ChangeOut, CounterIn, ProposalIn, VersionedIn
from app.termchanges.policies import can_act, can_answer, get_change_or_404, may_propose_any
from app.termchanges.services import (
    REASON_MAX, REASON_MIN, accept_change, counter_change, decline_change, history, propose_change,
)
from app.termchanges.views import change_json

def _version(body: dict) -> int | None:
    version = body.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise InvalidInput({"version": "Send the version you read, as a whole number."})
    return version


@bp.get("/partners/<uuid:partner_id>/term-changes")
@documented(response=ChangeList)
def list_term_changes(partner_id: uuid.UUID):
    """The partnership's term-change history, newest first."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    return jsonify(checked(ChangeList, {"items": [change_json(c) for c in history(partner.id)]}))


@bp.post("/partners/<uuid:partner_id>/term-changes")
@documented(request=ProposalIn, response=ChangeOut, status=201)
def propose_term_change(partner_id: uuid.UUID):
    """Ask the other side to change the partnership's terms."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(may_propose_any(current, partner))
    body = json_body()
    if body.get("kind") in KINDS:
        require(can_act(current, partner, body["kind"]))
    return jsonify(checked(ChangeOut, change_json(propose_change(current, partner, body)))), 201


@bp.get("/term-changes/<uuid:change_id>")
@documented(response=ChangeOut)
def get_term_change(change_id: uuid.UUID):
    """One term-change request."""
    current = actor()
    change, _ = get_change_or_404(current, change_id)
    return jsonify(checked(ChangeOut, change_json(change)))


@bp.post("/term-changes/<uuid:change_id>/accept")
@documented(request=VersionedIn, response=ChangeOut, body_optional=True)
def accept_term_change(change_id: uuid.UUID):
    """Accept (the other side only; the asking side gets 403): it applies now."""
    current = actor()
    change, partner = get_change_or_404(current, change_id)
    require(can_answer(current, change, partner))
    body = json_body(optional=True)
    return jsonify(checked(ChangeOut, change_json(accept_change(current, change, partner,
                                                                 expected_version=_version(body)))))


class DeclineIn(Body):
    """Decline with a written reason, and the version you read (optional)."""

    reason: Reason(REASON_MIN, REASON_MAX)
    version: int | None = None


@bp.post("/term-changes/<uuid:change_id>/decline")
@documented(request=DeclineIn, response=ChangeOut)
def decline_term_change(change_id: uuid.UUID):
    """Decline with a reason (the other side only)."""
    current = actor()
    change, partner = get_change_or_404(current, change_id)
    require(can_answer(current, change, partner))
    body = json_body()
    return jsonify(checked(ChangeOut, change_json(decline_change(current, change, partner, body.get("reason"),
                                                                 expected_version=_version(body)))))


@bp.post("/term-changes/<uuid:change_id>/counter")
@documented(request=CounterIn, response=ChangeOut, status=201)
def counter_term_change(change_id: uuid.UUID):
    """Counter-propose (same kind, the other side only); returns the new request."""
    current = actor()
    change, partner = get_change_or_404(current, change_id)
    require(can_answer(current, change, partner))
    body = json_body()
    return jsonify(checked(ChangeOut, change_json(counter_change(current, change, partner, body,
                                                                 expected_version=_version(body))))), 201

