"""Enhancement requests in the JSON API: the same views, services and policies as the pages."""
from __future__ import annotations

import uuid
from datetime import datetime

from flask import jsonify, request
from sqlalchemy import select

from app.api import bp
from app.api.contract import checked
from app.api.helpers import actor, json_body, keyset_page, page_limit
from app.api.openapi import documented
from app.auth.policies import require
from app.core.errors import InvalidInput
from app.enhancements.models import STATUSES, EnhancementRequest, EnhancementSupport
from app.enhancements.schemas import (
    EnhancementIn, RankingOut, RequestOut, RequestPage, StatusIn, SupportIn, UseCaseIn, UseCaseOut,
)
from app.enhancements.policies import (
    can_file, can_rank, can_support, can_triage, can_write_use_case, get_request_or_404,
)
from app.enhancements.services import (
    add_use_case, change_status, file_request, ranking, search, support_request,
)
from app.enhancements.views import request_view, use_case_view

@bp.get("/enhancements")
@documented(response=RequestPage)
def list_enhancements():
    """Requests of the vendor's programme (?q= searches text; ?mine=1 only yours), by cursor."""
    current = actor()
    require(current.is_vendor or current.is_partner_side)
    q = request.args.get("q", "").strip()
    if q:
        found = search(q[:200], limit=page_limit(20))
        return jsonify(checked(RequestPage, {"items": [request_view(current, r, detail=False) for r in found],
                                             "next_cursor": None}))
    stmt = select(EnhancementRequest)
    if request.args.get("mine") == "1" and current.is_partner_side:
        stmt = stmt.where(EnhancementRequest.id.in_(select(EnhancementSupport.request_id).where(
            EnhancementSupport.partner_id == current.partner_id)))
    rows, cursor = keyset_page(stmt, (EnhancementRequest.created_at, EnhancementRequest.id),
                               lambda r: (r.created_at.isoformat(), str(r.id)),
                               lambda v: (datetime.fromisoformat(v[0]), uuid.UUID(v[1])))
    return jsonify(checked(RequestPage, {"items": [request_view(current, r, detail=False) for r in rows],
                                         "next_cursor": cursor}))


@bp.get("/enhancements/ranking")
@documented(response=RankingOut)
def rank_enhancements():
    """Vendor staff: open requests ranked by supporting partners, affected ARR they may see, and age."""
    current = actor()
    require(can_rank(current))
    rows = ranking(current, include_closed=request.args.get("all") == "1", limit=page_limit(50))
    return jsonify(checked(RankingOut, {"items": [
        {"id": str(r.id), "title": r.title, "status": r.status, "supporters": n, "affected_arr": arr,
         "created_at": r.created_at} for r, n, arr in rows]}))


@bp.post("/enhancements")
@documented(request=EnhancementIn, response=RequestOut, status=201)
def file_enhancement():
    """A partner files an enhancement request."""
    current = actor()
    require(can_file(current))
    req = file_request(current, json_body())
    return jsonify(checked(RequestOut, request_view(current, req))), 201


@bp.get("/enhancements/<uuid:request_id>")
@documented(response=RequestOut)
def get_enhancement(request_id: uuid.UUID):
    """One request, with the fields the caller's side may see."""
    current = actor()
    return jsonify(checked(RequestOut, request_view(current, get_request_or_404(current, request_id))))


@bp.post("/enhancements/<uuid:request_id>/support")
@documented(request=SupportIn, response=RequestOut, status=201)
def support_enhancement(request_id: uuid.UUID):
    """Add your partner's support (once per partner; again answers 422)."""
    current = actor()
    req = get_request_or_404(current, request_id)
    require(can_support(current))
    support_request(current, req, json_body())
    return jsonify(checked(RequestOut, request_view(current, req))), 201


@bp.post("/enhancements/<uuid:request_id>/status")
@documented(request=StatusIn, response=RequestOut)
def set_enhancement_status(request_id: uuid.UUID):
    """Vendor triage: set the status; requesters and supporters are notified."""
    current = actor()
    req = get_request_or_404(current, request_id)
    require(can_triage(current))
    body = json_body()
    version = body.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise InvalidInput({"version": "Send the version you read, as a whole number."})
    change_status(current, req, body, expected_version=version)
    return jsonify(checked(RequestOut, request_view(current, req)))


@bp.post("/enhancements/<uuid:request_id>/use-cases")
@documented(request=UseCaseIn, response=UseCaseOut, status=201)
def add_enhancement_use_case(request_id: uuid.UUID):
    """Write a use case (given/when/then or free text) on a request."""
    current = actor()
    req = get_request_or_404(current, request_id)
    require(can_write_use_case(current, req))
    uc = add_use_case(current, req, json_body())
    return jsonify(checked(UseCaseOut, use_case_view(current, uc, {}))), 201
