"""Touch plan pages: a partner's plan and touches (log one), generating a quarter's plan, and the
vendor's coverage per channel manager."""
from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.auth.context import current_actor
from app.auth.models import Membership, User
from app.auth.policies import require
from app.core.errors import InvalidInput
from app.core.forms import require_csrf
from app.enablement import bp, rules
from app.enablement.policies import can_log_touch, can_manage_plan, can_view_coverage, can_view_enablement
from app.enablement.services import (
    coverage, current_quarter, generate_plan, log_touch, parse_quarter, plan_of, plan_summary, today, touches_of,
    touchpoints,
)
from app.extensions import db
from app.partners.policies import get_partner_or_404

TOUCH_FIELDS = ("kind", "happened_on", "notes", "touchpoint_id")


def _quarter():
    raw = request.args.get("period") or request.form.get("period")
    if not raw:
        return current_quarter()
    try:
        return parse_quarter(raw)
    except InvalidInput:
        return current_quarter()


def _touches_page(actor, partner, quarter, errors=None, data=None, status=200):
    plan = plan_of(partner, quarter)
    now = today()
    points = [(p, rules.touchpoint_state(p.done_on, p.due, now)) for p in touchpoints(plan)] if plan else []
    return render_template("enablement/touches.html", partner=partner, quarter=quarter, plan=plan, points=points,
                           touches=touches_of(partner), kinds=rules.KIND_LABELS, errors=errors or {}, data=data or {},
                           may_log=can_log_touch(actor, partner), may_plan=can_manage_plan(actor, partner),
                           model_label=rules.touch_model_label(plan.touch_model) if plan else None,
                           today=now.isoformat()), status


@bp.get("/partners/<uuid:partner_id>/touches")
def touches(partner_id: uuid.UUID):
    """The partner's touch plan of a quarter (?period=, default this one) and its logged touches."""
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_view_enablement(actor, partner))
    return _touches_page(actor, partner, _quarter())


@bp.post("/partners/<uuid:partner_id>/touches")
def log(partner_id: uuid.UUID):
    """Log a touch, optionally fulfilling a touchpoint; bad input re-renders with 422."""
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_log_touch(actor, partner))
    require_csrf()
    data = {k: request.form.get(k, "") for k in TOUCH_FIELDS}
    try:
        log_touch(actor, partner, data)
    except InvalidInput as exc:
        return _touches_page(actor, partner, _quarter(), exc.fields, data, 422)
    flash("Touch logged.", "success")
    return redirect(url_for("enablement.touches", partner_id=partner.id))


@bp.post("/partners/<uuid:partner_id>/plans")
def generate(partner_id: uuid.UUID):
    """Make the partner's plan for a quarter from its band now (an existing plan stays as it is)."""
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_manage_plan(actor, partner))
    require_csrf()
    try:
        quarter = parse_quarter(request.form.get("period", ""))
    except InvalidInput as exc:
        return _touches_page(actor, partner, current_quarter(), exc.fields, {}, 422)
    _, created = generate_plan(partner, quarter)
    flash("Touch plan made." if created else "That quarter already has its plan.", "success")
    return redirect(url_for("enablement.touches", partner_id=partner.id, period=str(quarter)))


@bp.get("/coverage", endpoint="coverage")
def coverage_page():
    """Due, done and overdue touchpoints of a quarter per channel manager (vendor staff)."""
    actor = current_actor()
    require(can_view_coverage(actor))
    quarter = _quarter()
    rows = coverage(quarter)
    names = dict(db.session.execute(select(Membership.id, User.email).join(User, User.id == Membership.user_id)
                                    .where(Membership.id.in_([r.manager_id for r in rows if r.manager_id]))).all())
    return render_template("enablement/coverage.html", quarter=quarter, rows=rows, names=names)



def home_panel(actor, partner):
    """This quarter's touch plan in counts and the next touchpoint (one statement)."""
    if partner is None or not can_view_enablement(actor, partner):
        return None
    quarter = current_quarter()
    summary = plan_summary(partner.id, quarter)
    return render_template("enablement/home_panel.html", s=summary, quarter=quarter, kinds=rules.KIND_LABELS,
                           link=url_for("enablement.touches", partner_id=partner.id))
