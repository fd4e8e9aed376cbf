"""Onboarding pages: the programme's progress, the template, and one partner's checklist."""
from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for

from app.auth.context import current_actor
from app.auth.policies import require
from app.core.errors import InvalidInput
from app.core.forms import require_csrf
from app.core.registry import Book
from app.onboarding import bp
from app.onboarding.models import DETECTOR_LABELS, DETECTORS
from app.onboarding.policies import (
    can_edit_template, can_read, can_run, get_item_or_404, get_template_item_or_404,
)
from app.onboarding.services import (
    PAGE_SIZE, add_template_item, checklist_view, progress, remove_template_item, start, template, tick, update_template_item,
)
from app.partners.policies import book_for, get_partner_or_404


def _version(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def panel(actor, partner):
    """The checklist at a glance on the vendor's partner page."""
    if not can_read(actor, partner):
        return None
    return render_template("onboarding/_panel.html", partner=partner, view=checklist_view(partner),
                           may_run=can_run(actor, partner))


@bp.get("/")
def index():
    """Onboarding progress: the actor's book (a CSDM's regions, a manager's partners), or everything."""
    actor = current_actor()
    require(actor.is_vendor)
    everything = request.args.get("all") == "1"
    book = Book() if everything else book_for(actor)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows, total = progress(book, page)
    return render_template("onboarding/index.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), everything=everything,
                           narrowed=book != Book(), may_edit=can_edit_template(actor))


def _template_page(actor, errors=None, data=None, status=200):
    return render_template("onboarding/template.html", steps=template(), detectors=DETECTORS,
                           labels=DETECTOR_LABELS, may_edit=can_edit_template(actor), errors=errors or {},
                           data=data or {}), status


@bp.route("/template", methods=["GET", "POST"])
def template_page():
    """The tenant's onboarding steps; vendor admins add steps."""
    actor = current_actor()
    require(actor.is_vendor)
    if request.method == "POST":
        require(can_edit_template(actor))
        require_csrf()
        data = {"title": request.form.get("title", ""), "detector": request.form.get("detector", "")}
        try:
            add_template_item(data)
        except InvalidInput as exc:
            return _template_page(actor, exc.fields, data, 422)
        flash("Step added.", "success")
        return redirect(url_for("onboarding.template_page"))
    return _template_page(actor)


@bp.post("/template/<uuid:item_id>")
def edit_step(item_id: uuid.UUID):
    actor = current_actor()
    step = get_template_item_or_404(actor, item_id)
    require(can_edit_template(actor))
    require_csrf()
    data = {"title": request.form.get("title", ""), "detector": request.form.get("detector", "")}
    try:
        update_template_item(step, data, _version(request.form.get("version")))
    except InvalidInput as exc:
        return _template_page(actor, {f"{step.id}.{k}": v for k, v in exc.fields.items()}, status=422)
    flash("Step saved.", "success")
    return redirect(url_for("onboarding.template_page"))


@bp.post("/template/<uuid:item_id>/remove")
def remove_step(item_id: uuid.UUID):
    actor = current_actor()
    step = get_template_item_or_404(actor, item_id)
    require(can_edit_template(actor))
    require_csrf()
    remove_template_item(step)
    flash("Step removed from the template; checklists already started keep it.", "success")
    return redirect(url_for("onboarding.template_page"))


def _checklist_page(actor, partner, errors=None, status=200):
    return render_template("onboarding/checklist.html", partner=partner, view=checklist_view(partner),
                           may_run=can_run(actor, partner), labels=DETECTOR_LABELS, errors=errors or {}), status


@bp.get("/partners/<uuid:partner_id>")
def checklist_page(partner_id: uuid.UUID):
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_read(actor, partner))
    return _checklist_page(actor, partner)


@bp.post("/partners/<uuid:partner_id>/start")
def start_view(partner_id: uuid.UUID):
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_run(actor, partner))
    require_csrf()
    start(partner)  # a second start answers 409 through the error handler
    flash(f"Onboarding of {partner.name} started.", "success")
    return redirect(url_for("onboarding.checklist_page", partner_id=partner.id))


@bp.post("/items/<uuid:item_id>")
def tick_view(item_id: uuid.UUID):
    """Tick (done=1) or untick (done=0) one item."""
    actor = current_actor()
    item, partner = get_item_or_404(actor, item_id)
    require(can_run(actor, partner))
    require_csrf()
    done = {"1": True, "0": False}.get(request.form.get("done", ""), request.form.get("done"))
    try:
        tick(actor, item, partner, done, _version(request.form.get("version")))
    except InvalidInput as exc:
        return _checklist_page(actor, partner, {f"{item.id}.{k}": v for k, v in exc.fields.items()}, 422)
    return redirect(url_for("onboarding.checklist_page", partner_id=partner.id))
