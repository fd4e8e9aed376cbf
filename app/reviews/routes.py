"""Review pages: calendar, a partnership's reviews, the review itself, its print view and PDF."""
from __future__ import annotations

import uuid

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.auth.context import current_actor
from app.auth.policies import require
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.core.forms import require_csrf
from app.extensions import db
from app.health.periods import parse_period
from app.partners.policies import get_partner_or_404
from app.reviews import bp, charts, rules
from app.reviews.calendar import CALENDAR_PAGE, calendar, channel_managers, current_period
from app.reviews.models import ITEM_STATUSES, Review
from app.reviews.pdf import render_pdf
from app.reviews.policies import (
    can_edit, can_read, can_sign, can_update_item, can_view_calendar, get_item_or_404, get_review_or_404, side_of,
)
from app.reviews.services import (
    add_item, open_review, people_of, review_of, reviews_of, settle, sign, unsign, update_item, update_review,
    view_for,
)


@bp.get("/")
def index():
    """Vendor staff: the calendar of the quarter; partner staff: their partnership's reviews."""
    actor = current_actor()
    if actor.is_partner_side:
        return redirect(url_for("reviews.partner_reviews", partner_id=actor.partner_id))
    require(can_view_calendar(actor))
    try:
        period = parse_period(request.args["period"]) if request.args.get("period") else current_period()
    except ValueError:
        period = current_period()
    manager = request.args.get("manager") or ""
    try:
        manager_id = uuid.UUID(manager) if manager else None
    except ValueError:
        manager_id = None
    state = request.args.get("state") or ""
    if state not in rules.STATE_LABELS:
        state = ""
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows, counts = calendar(period, manager_id, state=state or None, page=page)
    total = counts[state] if state else sum(counts.values())
    return render_template("reviews/calendar.html", rows=rows, period=period, labels=rules.STATE_LABELS,
                           managers=channel_managers(), manager=manager, counts=counts, state=state,
                           page=page, pages=max(1, -(-total // CALENDAR_PAGE)), total=total,
                           previous=period.previous(), next=period.next())


@bp.get("/partners/<uuid:partner_id>")
def partner_reviews(partner_id: uuid.UUID):
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_read(actor, partner))
    return render_template("reviews/partner.html", partner=partner, reviews=reviews_of(partner),
                           may_open=can_edit(actor, partner), period=current_period(),
                           previous=current_period().previous(), errors={})


@bp.post("/partners/<uuid:partner_id>/open")
def open_(partner_id: uuid.UUID):
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_edit(actor, partner))
    require_csrf()
    period = request.form.get("period", "")
    existing = review_of(partner, period) if period else None
    if existing is not None:
        return redirect(url_for("reviews.detail", review_id=existing.id))
    try:
        review = open_review(actor, partner, period)
    except InvalidInput as exc:
        return render_template("reviews/partner.html", partner=partner, reviews=reviews_of(partner), may_open=True,
                               period=current_period(), previous=current_period().previous(),
                               errors=exc.fields), 422
    flash(f"The {review.period} review is open.", "success")
    return redirect(url_for("reviews.detail", review_id=review.id))


def _page(actor, review, partner, errors=None, status=200, template="reviews/review.html", draft=None):
    view = view_for(side_of(actor), review, partner, actor.tenant.name)
    return render_template(template, review=review, partner=partner, v=view, charts=charts,
                           side=side_of(actor), may_edit=can_edit(actor, partner) and not review.signed,
                           may_sign=can_sign(actor, partner), people=people_of(partner), statuses=ITEM_STATUSES,
                           errors=errors or {}, me=actor.membership.id, draft=draft), status


@bp.get("/<uuid:review_id>")
def detail(review_id: uuid.UUID):
    actor = current_actor()
    review, partner = get_review_or_404(actor, review_id)
    require(can_read(actor, partner))
    return _page(actor, review, partner)


@bp.get("/<uuid:review_id>/print")
def print_view(review_id: uuid.UUID):
    actor = current_actor()
    review, partner = get_review_or_404(actor, review_id)
    require(can_read(actor, partner))
    return _page(actor, review, partner, template="reviews/print.html")


def pdf_pack(actor, review, partner) -> tuple[str, bytes]:
    """The review pack of the actor's side: (file name, PDF bytes); the page, the API and the job use it."""
    view = view_for(side_of(actor), review, partner, actor.tenant.name)
    html = render_template("reviews/pack.html", v=view, charts=charts, css=None)
    identifier = review.snapshot_hash or str(review.id).replace("-", "")
    return f"review-{view['review']['period']}-{review.id}.pdf", render_pdf(html, identifier)


def pdf_response(actor, review, partner) -> Response:
    name, body = pdf_pack(actor, review, partner)
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/<uuid:review_id>/pdf")
def pdf(review_id: uuid.UUID):
    actor = current_actor()
    review, partner = get_review_or_404(actor, review_id)
    require(can_read(actor, partner))
    return pdf_response(actor, review, partner)


@bp.post("/<uuid:review_id>/edit")
def edit(review_id: uuid.UUID):
    actor = current_actor()
    review, partner = get_review_or_404(actor, review_id)
    require(can_edit(actor, partner))
    require_csrf()
    mine = "vendor_notes" if side_of(actor) == "vendor" else "partner_notes"
    data = {k: request.form[k] for k in ("agenda", mine, "version") if k in request.form}
    try:
        update_review(actor, review, partner, data)
    except InvalidInput as exc:
        return _page(actor, review, partner, exc.fields, 422)
    except (ConflictError, StaleDataError):
        if review.signed:
            raise
        # Nothing is overwritten: show what was saved meanwhile and keep this person's text.
        db.session.rollback()
        review, partner = get_review_or_404(actor, review_id)
        return _page(actor, review, partner, status=409, draft=data)
    flash("Saved.", "success")
    return redirect(url_for("reviews.detail", review_id=review.id))


@bp.post("/<uuid:review_id>/settle")
def settle_metric(review_id: uuid.UUID):
    actor = current_actor()
    review, partner = get_review_or_404(actor, review_id)
    require(can_edit(actor, partner))
    require_csrf()
    try:
        settle(actor, review, partner, request.form.get("metric_key"), request.form.get("value", ""))
    except InvalidInput as exc:
        return _page(actor, review, partner, exc.fields, 422)
    flash("Settled: that value now counts for the quarter.", "success")
    return redirect(url_for("reviews.detail", review_id=review.id))


@bp.post("/<uuid:review_id>/items")
def item_add(review_id: uuid.UUID):
    actor = current_actor()
    review, partner = get_review_or_404(actor, review_id)
    require(can_edit(actor, partner))
    require_csrf()
    data = {k: request.form.get(k, "") for k in ("title", "owner_side", "owner_id", "due_date", "metric_key")}
    owner = data.get("owner_id", "")
    if ":" in owner:  # the form's one select holds "side:membership id"
        data["owner_side"], data["owner_id"] = owner.split(":", 1)
    try:
        add_item(actor, review, partner, data)
    except InvalidInput as exc:
        return _page(actor, review, partner, exc.fields, 422)
    flash("Action item added; its owner was notified.", "success")
    return redirect(url_for("reviews.detail", review_id=review.id))


@bp.post("/items/<uuid:item_id>")
def item_update(item_id: uuid.UUID):
    actor = current_actor()
    item, review, partner = get_item_or_404(actor, item_id)
    require(can_read(actor, partner))
    require(can_update_item(actor, partner, item))
    require_csrf()
    try:
        update_item(actor, item, review, partner, {"status": request.form.get("status", ""),
                                                  "version": request.form.get("version")}, full=False)
    except InvalidInput as exc:
        return _page(actor, review, partner, exc.fields, 422)
    return redirect(url_for("reviews.detail", review_id=review.id))


@bp.post("/<uuid:review_id>/pdf-pack")
def pdf_pack_job(review_id: uuid.UUID):
    """Build the pack as a job (large packs, or while you do something else): to its page, then download."""
    from app.reviews.jobs import start_pack

    actor = current_actor()
    review, partner = get_review_or_404(actor, review_id)
    require(can_read(actor, partner))
    require_csrf()
    job = start_pack(review, partner, actor)
    flash("The pack is being built; its download link appears here when it is ready.", "info")
    return redirect(url_for("jobs.detail", job_id=job.id), 303)


@bp.post("/<uuid:review_id>/sign")
def sign_(review_id: uuid.UUID):
    actor = current_actor()
    review, partner = get_review_or_404(actor, review_id)
    require(can_read(actor, partner))
    require(can_sign(actor, partner))
    require_csrf()
    sign(actor, review, partner)
    flash("Signed. The review is frozen." if review.signed else "Signed; it now waits for the other side.", "success")
    return redirect(url_for("reviews.detail", review_id=review.id))


@bp.post("/<uuid:review_id>/unsign")
def unsign_(review_id: uuid.UUID):
    actor = current_actor()
    review, partner = get_review_or_404(actor, review_id)
    require(can_read(actor, partner))
    require(can_sign(actor, partner))
    require_csrf()
    unsign(actor, review, partner)
    flash("Your side's signature is withdrawn.", "success")
    return redirect(url_for("reviews.detail", review_id=review.id))


def home_panel(actor, partner):
    """The partner home: this quarter's and last quarter's review state and what it waits for."""
    if partner is None or not can_read(actor, partner):
        return None
    now = current_period()
    rows = []
    periods = (now.previous(), now)
    found = {r.period: r for r in db.session.scalars(
        select(Review).where(Review.partner_id == partner.id, Review.period.in_([str(p) for p in periods])))}
    for period in periods:
        review = found.get(str(period))  # both quarters in one statement
        state = rules.quarter_state(review is not None, bool(review and review.signed_by_vendor),
                                    bool(review and review.signed_by_partner), period.end_date(), utcnow().date())
        waiting = None
        if review is not None and not review.signed:
            if review.signed_by_vendor:
                waiting = "your partner admin's signature" if actor.is_partner_side else "the partner admin's signature"
            elif review.signed_by_partner:
                waiting = "the vendor's signature"
            else:
                waiting = "both signatures"
        rows.append({"period": str(period), "review": review, "state": state, "waiting": waiting})
    return render_template("reviews/home_panel.html", rows=rows, labels=rules.STATE_LABELS, partner=partner)
