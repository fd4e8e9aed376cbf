"""Enhancement request pages: list and search, filing, the request with support, use cases and triage."""
from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.accounts.models import Account
from app.auth.context import current_actor
from app.auth.policies import require
from app.core.errors import InvalidInput
from app.core.forms import require_csrf
from app.enhancements import bp
from app.enhancements.models import STATUS_LABELS, STATUSES, URGENCIES
from app.enhancements.policies import (
    can_file, can_rank, can_support, can_triage, can_write_use_case, get_request_or_404,
)
from app.enhancements.services import (
    add_use_case, change_status, file_request, ranking, requests_of_partner, search, support_request,
    supporter_counts,
)
from app.enhancements.views import request_view
from app.extensions import db

ACCOUNT_CHOICES = 300  # the form lists at most this many of the partner's own accounts


def _own_accounts(actor) -> list[Account]:
    if not actor.is_partner_side:
        return []
    return list(db.session.scalars(select(Account).where(Account.owner_key == str(actor.partner_id))
                                   .order_by(Account.name).limit(ACCOUNT_CHOICES)))


def _form_data() -> dict:
    data = {k: request.form.get(k, "") for k in ("title", "problem", "outcome", "urgency", "note", "status",
                                                   "target_quarter", "release_note", "reason", "given", "when",
                                                   "then", "text")}
    data["affected_count"] = request.form.get("affected_count", "").strip() or None
    data["account_ids"] = request.form.getlist("account_ids")
    return data


@bp.get("/")
def index():
    """Partners: their requests and a search over every partner's; vendor staff: the ranking."""
    actor = current_actor()
    require(actor.is_vendor or actor.is_partner_side)
    q = request.args.get("q", "").strip()[:200]
    found = search(q) if q else []
    counts = supporter_counts([r.id for r in found])
    mine, ranked = [], []
    if actor.is_partner_side:
        mine = requests_of_partner(actor.partner_id)
    if can_rank(actor):
        ranked = ranking(actor, include_closed=request.args.get("all") == "1")
    return render_template("enhancements/index.html", q=q, found=found, counts=counts, mine=mine, ranked=ranked,
                           labels=STATUS_LABELS, may_file=can_file(actor), show_all=request.args.get("all") == "1",
                           mine_ids={r.id for r, _ in mine})


@bp.route("/new", methods=["GET", "POST"])
def new():
    """A partner files a request."""
    actor = current_actor()
    require(can_file(actor))
    errors, data = {}, {}
    if request.method == "POST":
        require_csrf()
        data = _form_data()
        try:
            req = file_request(actor, data)
        except InvalidInput as exc:
            errors = exc.fields
        else:
            flash("Request filed. You will hear about every change.", "success")
            return redirect(url_for("enhancements.detail", request_id=req.id))
    return render_template("enhancements/new.html", errors=errors, data=data, urgencies=URGENCIES,
                           accounts=_own_accounts(actor)), 422 if errors else 200


def _detail(actor, req, errors=None, data=None, status=200):
    return render_template("enhancements/detail.html", r=request_view(actor, req), errors=errors or {},
                           data=data or {}, statuses=STATUSES, labels=STATUS_LABELS,
                           accounts=_own_accounts(actor)), status


@bp.get("/<uuid:request_id>")
def detail(request_id: uuid.UUID):
    actor = current_actor()
    req = get_request_or_404(actor, request_id)
    return _detail(actor, req)


@bp.post("/<uuid:request_id>/support")
def support(request_id: uuid.UUID):
    actor = current_actor()
    req = get_request_or_404(actor, request_id)
    require(can_support(actor))
    require_csrf()
    data = _form_data()
    try:
        support_request(actor, req, data)
    except InvalidInput as exc:
        return _detail(actor, req, exc.fields, data, 422)
    flash("Your support was added.", "success")
    return redirect(url_for("enhancements.detail", request_id=req.id))


@bp.post("/<uuid:request_id>/status")
def set_status(request_id: uuid.UUID):
    actor = current_actor()
    req = get_request_or_404(actor, request_id)
    require(can_triage(actor))
    require_csrf()
    data = _form_data()
    version = request.form.get("version", type=int)
    try:
        change_status(actor, req, data, expected_version=version)
    except InvalidInput as exc:
        return _detail(actor, req, exc.fields, data, 422)
    flash(f"Status set to {STATUS_LABELS[req.status].lower()}; requesters and supporters were told.", "success")
    return redirect(url_for("enhancements.detail", request_id=req.id))


@bp.post("/<uuid:request_id>/use-cases")
def use_case(request_id: uuid.UUID):
    actor = current_actor()
    req = get_request_or_404(actor, request_id)
    require(can_write_use_case(actor, req))
    require_csrf()
    data = _form_data()
    try:
        add_use_case(actor, req, data)
    except InvalidInput as exc:
        return _detail(actor, req, exc.fields, data, 422)
    flash("Use case added.", "success")
    return redirect(url_for("enhancements.detail", request_id=req.id) + "#use-cases")
