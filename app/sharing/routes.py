"""Sharing pages: a partnership's levels in plain words, changing one's own direction, the overlap
list as the level allows, and requests for more data."""
from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from app.accounts.models import Account, owner_key_for
from app.auth.context import current_actor
from app.auth.policies import require
from app.core.errors import ConflictError, InvalidInput
from app.core.forms import CsrfForm, require_csrf
from app.extensions import db
from app.partners.models import Partner
from app.partners.policies import get_partner_or_404
from app.sharing import bp
from app.sharing.models import LEVELS, PARTNER_TO_VENDOR, VENDOR_TO_PARTNER, DataRequest
from app.sharing.policies import (
    FIELD_CHOICES, can_change_sharing, can_request_data, incoming_direction, outgoing_direction,
    overlap_items, overlap_view, peer_aggregate, setting_for, side_of,
)
from app.sharing.services import change_sharing, decide_request, request_data
from app.sharing.words import FIELD_LABELS, LEVEL_LABELS, describe_incoming, describe_outgoing

PAGE = 50


def partnership_context(actor, partner: Partner, overlap: int | None = None, requests: bool = True) -> dict:
    """What both sides share in this partnership, in plain words, for pages and panels (`overlap`:
    the overlap count when the caller has it; `requests=False`: a panel, which lists no requests)."""
    vendor_name = actor.tenant.name
    v2p = setting_for(partner.id, VENDOR_TO_PARTNER)
    p2v = setting_for(partner.id, PARTNER_TO_VENDOR)
    you, them = ("vendor", "partner") if actor.is_vendor else ("partner", "vendor")
    out_level, in_level = (v2p, p2v) if actor.is_vendor else (p2v, v2p)
    receiver = partner.name if actor.is_vendor else vendor_name  # the other side
    view = overlap_view(actor, partner, overlap)
    requests = db.session.scalars(select(DataRequest).where(DataRequest.partner_id == partner.id)
                                  .order_by(DataRequest.created_at.desc()).limit(10)).all() if requests else []
    return {
        "partner": partner, "vendor_name": vendor_name, "you": you, "them": them,
        "outgoing": out_level, "incoming": in_level,
        "outgoing_words": describe_outgoing(out_level.level, out_level.fields, receiver, you),
        "incoming_words": describe_incoming(in_level.level, in_level.fields, receiver, them),
        "view": view, "requests": requests,
        "may_change": can_change_sharing(actor, partner, outgoing_direction(actor)),
        "may_request": can_request_data(actor, partner) and in_level.level == "counts",
        "labels": LEVEL_LABELS, "field_labels": FIELD_LABELS,
    }


def _may_decide(actor, partner: Partner, req: DataRequest) -> bool:
    return can_change_sharing(actor, partner, req.direction)


@bp.get("/")
def index():
    """Partner staff: their partnership; vendor staff: the account mapping overview."""
    actor = current_actor()
    if actor.is_partner_side:
        return redirect(url_for("sharing.partnership", partner_id=actor.partner_id))
    require(actor.is_vendor)
    return redirect(url_for("accounts.mapping"))


@bp.get("/partners/<uuid:partner_id>")
def partnership(partner_id: uuid.UUID):
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(actor.is_vendor or actor.is_partner_side)
    ctx = partnership_context(actor, partner)
    peers = peer_aggregate(partner) if actor.is_partner_side else None
    return render_template("sharing/partnership.html", **ctx, peers=peers, form=CsrfForm(),
                           levels=LEVELS, field_choices=FIELD_CHOICES, may_decide=lambda r: _may_decide(actor, partner, r))


@bp.post("/partners/<uuid:partner_id>/settings")
def change(partner_id: uuid.UUID):
    """Change the actor's own side's direction of this partnership."""
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    direction = outgoing_direction(actor)
    require(can_change_sharing(actor, partner, direction))
    require_csrf()
    level = request.form.get("level", "")
    fields = request.form.getlist("fields")
    try:
        change_sharing(partner, direction, level, fields if level == "fields" else [], actor.user.email)
    except InvalidInput as exc:
        flash(" ".join(exc.fields.values()), "error")
        ctx = partnership_context(actor, partner)
        return render_template("sharing/partnership.html", **ctx, peers=None, form=CsrfForm(), levels=LEVELS,
                               field_choices=FIELD_CHOICES, may_decide=lambda r: _may_decide(actor, partner, r)), 422
    flash("Sharing changed; it applies from now on.", "success")
    return redirect(url_for("sharing.partnership", partner_id=partner.id))


@bp.get("/partners/<uuid:partner_id>/overlaps")
def overlaps(partner_id: uuid.UUID):
    """The shared customers of this partnership, as the other side's level allows."""
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(actor.is_vendor or actor.is_partner_side)
    view = overlap_view(actor, partner)
    stmt = overlap_items(partner, view)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    pairs = []
    if stmt is not None:
        pairs = db.session.execute(stmt.offset((page - 1) * PAGE).limit(PAGE)).all()
    pages = max(1, -(-(view.count or 0) // PAGE))
    return render_template("sharing/overlaps.html", partner=partner, view=view, pairs=pairs, page=page,
                           pages=pages, labels=LEVEL_LABELS, vendor_name=actor.tenant.name,
                           mine_index=0 if actor.is_vendor else 1)


@bp.post("/partners/<uuid:partner_id>/requests")
def ask(partner_id: uuid.UUID):
    """Ask the other side to share more than counts."""
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_request_data(actor, partner))
    require_csrf()
    direction = incoming_direction(actor)
    if setting_for(partner.id, direction).level != "counts":
        raise ConflictError("You can ask for more data while you see only counts.")
    try:
        request_data(partner, direction, request.form.get("requested_level", "overlaps"), side_of(actor),
                     actor.user.email, request.form.get("message", ""))
    except InvalidInput as exc:
        flash(" ".join(exc.fields.values()), "error")
        return redirect(url_for("sharing.partnership", partner_id=partner.id))
    flash("Request sent.", "success")
    return redirect(url_for("sharing.partnership", partner_id=partner.id))


@bp.post("/requests/<uuid:request_id>/decide")
def decide(request_id: uuid.UUID):
    """Accept or decline a request for more data (the sharing side's admin)."""
    actor = current_actor()
    req = db.session.scalar(select(DataRequest).where(DataRequest.id == request_id))
    if req is None:
        abort(404)
    partner = get_partner_or_404(actor, req.partner_id)
    require(_may_decide(actor, partner, req))
    require_csrf()
    decide_request(req, partner, request.form.get("decision") == "accept", actor.user.email)
    flash(f"Request {req.status}.", "success")
    return redirect(url_for("sharing.partnership", partner_id=partner.id))


def own_accounts_count(actor) -> int:
    """How many accounts the actor's own side has (the partner home takes it from `tier_overlaps`)."""
    return db.session.scalar(select(func.count()).select_from(Account).where(
        Account.owner_key == owner_key_for(None if actor.is_vendor else actor.partner_id))) or 0
