"""Communication plan pages: the plan of a partnership and its edits; the vendor's overview."""
from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.auth.context import current_actor
from app.auth.policies import require
from app.commplan import bp
from app.commplan.models import (
    CADENCES, CHANNEL_LABELS, CHANNELS, CONTACT_ROLE_LABELS, CONTACT_ROLES, MEETING_KINDS, MEETING_LABELS, CommPlan,
)
from app.commplan.policies import can_edit, can_remove_contact, get_contact_or_404, get_meeting_or_404, side_of
from app.commplan.rules import review_overdue
from app.commplan.services import (
    add_contact, add_meeting, mark_reviewed, plan_view, remove_contact, remove_meeting, set_channels,
)
from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.core.forms import require_csrf
from app.extensions import db
from app.partners.models import Partner
from app.partners.policies import get_partner_or_404

LABELS = {"roles": CONTACT_ROLE_LABELS, "meetings": MEETING_LABELS, "channels": CHANNEL_LABELS}


def _page(actor, partner, errors=None, data=None, status=200):
    return render_template("commplan/plan.html", partner=partner, plan=plan_view(actor, partner),
                           may_edit=can_edit(actor, partner), side=side_of(actor), errors=errors or {},
                           data=data or {}, roles=CONTACT_ROLES, kinds=MEETING_KINDS, cadences=CADENCES,
                           channels=CHANNELS, labels=LABELS), status


def panel(actor, partner):
    """The plan at a glance on the partner home and the vendor's partner page."""
    return render_template("commplan/_panel.html", partner=partner, plan=plan_view(actor, partner), labels=LABELS)


@bp.get("/")
def index():
    """Partner staff: their plan; vendor staff: every partnership's plan and when it was reviewed."""
    actor = current_actor()
    if actor.is_partner_side:
        return redirect(url_for("commplan.plan", partner_id=actor.partner_id))
    require(actor.is_vendor)
    reviewed = dict(db.session.execute(select(CommPlan.partner_id, CommPlan.reviewed_at)).all())
    today = utcnow().date()
    rows = [(p, reviewed.get(p.id), review_overdue(reviewed[p.id].date() if reviewed.get(p.id) else None, today))
            for p in db.session.scalars(select(Partner).order_by(Partner.name))]
    return render_template("commplan/index.html", rows=rows)


@bp.get("/partners/<uuid:partner_id>")
def plan(partner_id: uuid.UUID):
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(actor.is_vendor or actor.is_partner_side)
    return _page(actor, partner)


def _edit(partner_id: uuid.UUID, action, done: str):
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_edit(actor, partner))
    require_csrf()
    data = request.form.to_dict()
    try:
        action(actor, partner, data)
    except InvalidInput as exc:
        return _page(actor, partner, exc.fields, data, 422)
    flash(done, "success")
    return redirect(url_for("commplan.plan", partner_id=partner.id))


@bp.post("/partners/<uuid:partner_id>/contacts")
def contact_add(partner_id: uuid.UUID):
    return _edit(partner_id, add_contact, "Contact added.")


@bp.post("/partners/<uuid:partner_id>/meetings")
def meeting_add(partner_id: uuid.UUID):
    return _edit(partner_id, add_meeting, "Meeting added.")


@bp.post("/partners/<uuid:partner_id>/channels")
def channels(partner_id: uuid.UUID):
    version = request.form.get("version", type=int)
    return _edit(partner_id, lambda a, p, d: set_channels(p, request.form.getlist("channels"), version),
                 "Preferred channels saved.")


@bp.post("/partners/<uuid:partner_id>/reviewed")
def reviewed(partner_id: uuid.UUID):
    return _edit(partner_id, lambda a, p, d: mark_reviewed(a, p), "Plan marked as reviewed today.")


@bp.post("/contacts/<uuid:contact_id>/delete")
def contact_remove(contact_id: uuid.UUID):
    actor = current_actor()
    contact, partner = get_contact_or_404(actor, contact_id)
    require(can_remove_contact(actor, contact, partner))
    require_csrf()
    remove_contact(contact, partner)
    flash("Contact removed.", "success")
    return redirect(url_for("commplan.plan", partner_id=partner.id))


@bp.post("/meetings/<uuid:meeting_id>/delete")
def meeting_remove(meeting_id: uuid.UUID):
    actor = current_actor()
    meeting, partner = get_meeting_or_404(actor, meeting_id)
    require(can_edit(actor, partner))
    require_csrf()
    remove_meeting(meeting, partner)
    flash("Meeting removed.", "success")
    return redirect(url_for("commplan.plan", partner_id=partner.id))
