"""Reviews in the JSON API (DESIGN section 9): the same services, policies and views as the pages."""
from __future__ import annotations

import uuid

from flask import jsonify

from app.api import bp
from app.api.helpers import actor, json_body
from app.api.openapi import documented
from app.auth.policies import require
from app.partners.policies import get_partner_or_404
from app.reviews.schemas import (
    ActionItemChange, ActionItemIn, ActionItemList, ActionItemOut, PackJobOut, ReviewChange, ReviewList, ReviewOpen,
    ReviewOut, ReviewSummaryOut, SettlementIn,
)
from app.reviews.content import item_json, items_of, people_names
from app.reviews.policies import (
    can_edit, can_read, can_sign, can_update_item, get_item_or_404, get_review_or_404, side_of,
)
from app.jobs.routes import view_for as job_view
from app.jobs.schemas import JobOut
from app.reviews.jobs import start_pack
from app.reviews.routes import pdf_response
from app.core.db import utcnow
from app.reviews.services import (
    add_item, open_review, reviews_of, settle, sign, summary, unsign, update_item, update_review, view_for,
)

def _summary(review) -> dict:
    return ReviewSummaryOut.model_validate(summary(review)).model_dump(mode="json")


def _full(current, review, partner) -> dict:
    return ReviewOut.model_validate({**summary(review), "content": view_for(
        side_of(current), review, partner, current.tenant.name)}).model_dump(mode="json")


def _item(item, names: dict, today) -> dict:
    return ActionItemOut.model_validate(item_json(item, names, today)).model_dump(mode="json")


@bp.get("/partners/<uuid:partner_id>/reviews")
@documented(response=ReviewList)
def list_reviews(partner_id: uuid.UUID):
    """The partnership's reviews, newest quarter first."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(can_read(current, partner))
    return jsonify({"items": [_summary(r) for r in reviews_of(partner)]})


@bp.post("/partners/<uuid:partner_id>/reviews")
@documented(request=ReviewOpen, response=ReviewSummaryOut, status=201)
def create_review(partner_id: uuid.UUID):
    """Open the review of a quarter (vendor admin, the assigned channel manager, the partner admin)."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(can_edit(current, partner))
    review = open_review(current, partner, json_body().get("period"))
    return jsonify(_summary(review)), 201


@bp.get("/reviews/<uuid:review_id>")
@documented(response=ReviewOut)
def get_review(review_id: uuid.UUID):
    """The review as this side sees it; once signed by both, the frozen snapshot."""
    current = actor()
    review, partner = get_review_or_404(current, review_id)
    require(can_read(current, partner))
    return jsonify(_full(current, review, partner))


@bp.patch("/reviews/<uuid:review_id>")
@documented(request=ReviewChange, response=ReviewOut)
def patch_review(review_id: uuid.UUID):
    """Agenda and this side's notes (409 once signed by both, or on a stale version)."""
    current = actor()
    review, partner = get_review_or_404(current, review_id)
    require(can_edit(current, partner))
    update_review(current, review, partner, json_body())
    return jsonify(_full(current, review, partner))


@bp.post("/reviews/<uuid:review_id>/settlements")
@documented(request=SettlementIn, response=ReviewOut)
def settle_review_metric(review_id: uuid.UUID):
    """Settle a disputed metric: the agreed value becomes the quarter's measurement (audited)."""
    current = actor()
    review, partner = get_review_or_404(current, review_id)
    require(can_edit(current, partner))
    data = json_body()
    settle(current, review, partner, data.get("metric_key"), data.get("value"))
    return jsonify(_full(current, review, partner))


@bp.post("/reviews/<uuid:review_id>/signoff")
@documented(response=ReviewSummaryOut)
def signoff_review(review_id: uuid.UUID):
    """Sign for your side (the assigned channel manager or a vendor admin; the partner admin)."""
    current = actor()
    review, partner = get_review_or_404(current, review_id)
    require(can_read(current, partner))
    require(can_sign(current, partner))
    sign(current, review, partner)
    return jsonify(_summary(review))


@bp.delete("/reviews/<uuid:review_id>/signoff")
@documented(response=ReviewSummaryOut)
def unsign_review(review_id: uuid.UUID):
    """Withdraw your side's signature; only until the other side has signed (then 409)."""
    current = actor()
    review, partner = get_review_or_404(current, review_id)
    require(can_read(current, partner))
    require(can_sign(current, partner))
    unsign(current, review, partner)
    return jsonify(_summary(review))


@bp.get("/reviews/<uuid:review_id>/pdf")
@documented(response={"type": "string", "format": "binary"}, media_type="application/pdf")
def review_pdf(review_id: uuid.UUID):
    """The review pack as PDF; a signed review's PDF is the same bytes every time."""
    current = actor()
    review, partner = get_review_or_404(current, review_id)
    require(can_read(current, partner))
    return pdf_response(current, review, partner)


@bp.post("/reviews/<uuid:review_id>/pdf-pack")
@documented(response=PackJobOut, status=202)
def review_pdf_pack(review_id: uuid.UUID):
    """Queue the review pack as PDF (a job), for large packs or many at once."""
    current = actor()
    review, partner = get_review_or_404(current, review_id)
    require(can_read(current, partner))
    job = start_pack(review, partner, current)
    return jsonify(JobOut.model_validate(job_view(current, job)).model_dump(mode="json")), 202, {"Location": f"/api/v1/jobs/{job.id}"}


@bp.get("/reviews/<uuid:review_id>/action-items")
@documented(response=ActionItemList)
def list_action_items(review_id: uuid.UUID):
    """The review's action items as they are now (a signed review's page shows them as signed)."""
    current = actor()
    review, partner = get_review_or_404(current, review_id)
    require(can_read(current, partner))
    items = items_of(review)
    names, today = people_names([i.owner_id for i in items]), utcnow().date()
    return jsonify({"items": [_item(i, names, today) for i in items]})


@bp.post("/reviews/<uuid:review_id>/action-items")
@documented(request=ActionItemIn, response=ActionItemOut, status=201)
def add_action_item(review_id: uuid.UUID):
    """Add an action item; its owner is notified (e-mail and in the portal)."""
    current = actor()
    review, partner = get_review_or_404(current, review_id)
    require(can_edit(current, partner))
    item = add_item(current, review, partner, json_body())
    return jsonify(_item(item, people_names([item.owner_id]), utcnow().date())), 201


@bp.patch("/action-items/<uuid:item_id>")
@documented(request=ActionItemChange, response=ActionItemOut)
def patch_action_item(item_id: uuid.UUID):
    """Change an item: its owner sets the status; the review's editors change anything."""
    current = actor()
    item, review, partner = get_item_or_404(current, item_id)
    require(can_read(current, partner))
    require(can_update_item(current, partner, item))
    update_item(current, item, review, partner, json_body(), full=can_edit(current, partner))
    return jsonify(_item(item, people_names([item.owner_id]), utcnow().date()))
