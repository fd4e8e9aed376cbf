"""Sharing settings, overlaps and requests for more data in the JSON API."""
from __future__ import annotations

import uuid
from typing import Literal

from flask import abort, jsonify, request
from sqlalchemy import select

from app.accounts.api import json_value
from app.api import bp
from app.api.contract import checked
from app.api.helpers import NOWHERE, _encode, actor, cursor_position, json_body, page_limit
from app.api.openapi import documented
from app.auth.policies import require
from app.core.errors import ConflictError, InvalidInput
from app.extensions import db
from app.partners.policies import get_partner_or_404
from app.accounts.levels import LEVELS
from app.sharing.models import DIRECTIONS, DataRequest, SharingSetting
from app.sharing.policies import (
    FIELD_CHOICES, can_change_sharing, can_request_data, incoming_direction, overlap_items, overlap_view, setting_for,
    side_of,
)
from app.sharing.routes import partnership_context
from app.sharing.schemas import DataRequestIn, DataRequestOut, OverlapPage, SharingIn, SharingOut
from app.sharing.services import change_sharing, decide_request, request_data

def sharing_json(current, partner) -> dict:
    out = {"partner_id": str(partner.id)}
    for direction in DIRECTIONS:
        level = setting_for(partner.id, direction)
        row = db.session.scalar(select(SharingSetting).where(
            SharingSetting.partner_id == partner.id, SharingSetting.direction == direction))
        out[direction] = {"level": level.level, "fields": list(level.fields), "default": level.is_default,
                          "version": row.version if row else 0,
                          "you_may_change": can_change_sharing(current, partner, direction)}
    ctx = partnership_context(current, partner)
    out["shared_with_you"] = ctx["incoming_words"]
    out["you_share"] = ctx["outgoing_words"]
    return out


@bp.get("/partners/<uuid:partner_id>/sharing")
@documented(response=SharingOut)
def get_sharing_api(partner_id: uuid.UUID):
    """Both directions of a partnership's sharing, with plain-word descriptions."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    return jsonify(checked(SharingOut, sharing_json(current, partner)))


@bp.put("/partners/<uuid:partner_id>/sharing")
@documented(request=SharingIn, response=SharingOut)
def put_sharing_api(partner_id: uuid.UUID):
    """Change one direction; only the sharing side's admin changes its own direction."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    body = json_body()
    direction = body.get("direction")
    if direction not in DIRECTIONS:
        raise InvalidInput({"direction": f"Use one of: {', '.join(DIRECTIONS)}."})
    require(can_change_sharing(current, partner, direction))
    version = body.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise InvalidInput({"version": "Send the version you read, as a whole number."})
    change_sharing(partner, direction, body.get("level"), body.get("fields"), current.user.email,
                   expected_version=version)
    return jsonify(checked(SharingOut, sharing_json(current, partner)))


def _domain_position(values: list) -> list:
    if not isinstance(values[0], str):
        raise ValueError("an overlap cursor holds a domain")
    return values


@bp.get("/partners/<uuid:partner_id>/overlaps")
@documented(response=OverlapPage)
def overlaps_api(partner_id: uuid.UUID):
    """The partnership's shared customers as the other side's level allows, paginated by cursor."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    view = overlap_view(current, partner)
    out = {"level": view.level.level, "count": view.count}
    limit = page_limit()
    position = cursor_position(1, _domain_position)
    if position is NOWHERE:
        return jsonify(checked(OverlapPage, {**out, "items": [], "next_cursor": None}))
    after = position[0] if position else None
    stmt = overlap_items(partner, view, after)
    if stmt is None:
        return jsonify(checked(OverlapPage, out))
    pairs = db.session.execute(stmt.limit(limit + 1)).all()
    mine_index = 0 if current.is_vendor else 1
    items = []
    for pair in pairs[:limit]:
        theirs, mine = pair[1 - mine_index], pair[mine_index]
        item = {f: json_value(getattr(theirs, f)) for f in view.fields}
        item["id"] = str(theirs.id)
        item["your_account_id"] = str(mine.id)
        items.append(item)
    out["items"] = items
    out["next_cursor"] = _encode([pairs[limit - 1][0].domain]) if len(pairs) > limit else None
    return jsonify(checked(OverlapPage, out))


def request_json(req: DataRequest) -> dict:
    return {"id": str(req.id), "partner_id": str(req.partner_id), "direction": req.direction,
            "requested_level": req.requested_level, "requested_by_side": req.requested_by_side,
            "status": req.status, "message": req.message}


@bp.post("/partners/<uuid:partner_id>/data-requests")
@documented(request=DataRequestIn, response=DataRequestOut, status=201)
def request_data_api(partner_id: uuid.UUID):
    """Ask the other side for more than counts."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(can_request_data(current, partner))
    body = json_body()
    direction = incoming_direction(current)
    if setting_for(partner.id, direction).level != "counts":
        raise ConflictError("You can ask for more data while you see only counts.")
    req = request_data(partner, direction, body.get("requested_level", "overlaps"), side_of(current),
                       current.user.email, body.get("message") or "")
    return jsonify(checked(DataRequestOut, request_json(req))), 201


@bp.post("/data-requests/<uuid:request_id>/<any(accept, decline):decision>")
@documented(response=DataRequestOut)
def decide_data_request_api(request_id: uuid.UUID, decision: str):
    """Accept or decline a request for more data (the sharing side's admin)."""
    current = actor()
    req = db.session.scalar(select(DataRequest).where(DataRequest.id == request_id))
    if req is None:
        abort(404)
    partner = get_partner_or_404(current, req.partner_id)
    require(can_change_sharing(current, partner, req.direction))
    decide_request(req, partner, decision == "accept", current.user.email)
    return jsonify(checked(DataRequestOut, request_json(req)))

