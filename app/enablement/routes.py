"""Touch plan pages: a partner's plan and touches (log one), generating a quarter's plan, and the
vendor's coverage per channel manager."""
from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.auth.context import current_actor
from app.auth.models import Membership, User
from app.auth.policies import require
from app.core.errors import InvalidInput
from app.core.forms import require_csrf
from app.enablement import bp, rules
from app.core.errors import ConflictError
from app.enablement.forms import CourseForm
from app.enablement.policies import (
    can_log_touch, can_manage_courses, can_manage_plan, can_record_training, can_view_coverage, can_view_enablement,
    get_course_or_404,
)
from app.enablement.services import (
    certified_counts, completions_of, courses, coverage, create_course, current_quarter, generate_plan, log_touch,
    manager_names, panel_summaries, parse_quarter, partner_staff, plan_of, record_completion, today, touches_of,
    touchpoints, update_course,
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
    names = manager_names(r.manager_id for r in rows)
    named = sorted(((r, _manager_label(r.manager_id, names)) for r in rows),
                   key=lambda pair: (pair[0].manager_id is None, pair[1].casefold(), str(pair[0].manager_id)))
    return render_template("enablement/coverage.html", quarter=quarter, rows=named)


def _manager_label(manager_id, names: dict) -> str:
    if manager_id is None:
        return "No channel manager"
    return names.get(manager_id) or "A former channel manager"



def home_panel(actor, partner):
    """This quarter's touch plan in counts, the next touchpoint, and certifications (one statement)."""
    if partner is None or not can_view_enablement(actor, partner):
        return None
    quarter = current_quarter()
    summary, cert = panel_summaries(partner.id, quarter)
    return render_template("enablement/home_panel.html", s=summary, quarter=quarter, kinds=rules.KIND_LABELS,
                           cert=cert,
                           link=url_for("enablement.touches", partner_id=partner.id),
                           training=url_for("enablement.training", partner_id=partner.id))


# -- courses and completions ---------------------------------------------------------------------

COURSE_FIELDS = ("name", "kind", "valid_months", "description")
COMPLETION_FIELDS = ("course_id", "membership_id", "completed_on")


def _courses_page(actor, errors=None, data=None, status=200):
    return render_template("enablement/courses.html", courses=courses(), may_manage=can_manage_courses(actor),
                           errors=errors or {}, data=data or {}), status


@bp.get("/courses", endpoint="courses")
def courses_page():
    """The workspace's courses and certifications (vendor admins add them)."""
    actor = current_actor()
    require(actor.is_vendor or actor.is_partner_side)
    return _courses_page(actor)



@bp.post("/courses")
def add_course():
    actor = current_actor()
    require(can_manage_courses(actor))
    require_csrf()
    data = {k: request.form.get(k, "") for k in COURSE_FIELDS}
    try:
        create_course(actor, data)
    except InvalidInput as exc:
        return _courses_page(actor, exc.fields, data, 422)
    flash("Course added.", "success")
    return redirect(url_for("enablement.courses"))


@bp.route("/courses/<uuid:course_id>/edit", methods=["GET", "POST"])
def edit_course(course_id: uuid.UUID):
    """Rename or describe a course, change its validity, retire or reinstate it (vendor admins)."""
    actor = current_actor()
    course = get_course_or_404(actor, course_id)
    require(can_manage_courses(actor))
    form = CourseForm()
    if request.method == "GET":
        form.fill(course)
        return _course_page(course, form)
    if not form.validate_on_submit():
        abort(400)  # the CSRF token (the fields are the service's to check)
    version = form.version.data or ""
    try:
        update_course(actor, course, form.raw(), int(version) if version.isdigit() else -1)
    except InvalidInput as exc:  # nothing was written; the 422 rolls the request back
        form.show_errors(exc.fields)
        return _course_page(course, form, 422)
    except (ConflictError, StaleDataError) as exc:  # someone saved first: theirs fill the form
        db.session.rollback()
        course = get_course_or_404(actor, course_id)
        form = CourseForm(formdata=None)
        form.fill(course)
        form.form_errors.append(getattr(exc, "description", None)
                                or "Someone else changed this course first. Reload it and apply your change again.")
        return _course_page(course, form, 409)
    flash("Course retired." if not course.active else "Course saved.", "success")
    return redirect(url_for("enablement.courses"))


def _course_page(course, form, status=200):
    return render_template("enablement/course_edit.html", course=course, form=form), status


def _training_page(actor, partner, errors=None, data=None, status=200):
    now = today()
    rows = [(c, course, email, "expired" if not rules.is_valid(c.expires_on, now) else
             "expiring" if rules.expiring_soon(c.expires_on, now) else "valid")
            for c, course, email in completions_of(partner)]
    staff = []
    if can_record_training(actor, partner):
        emails = dict(db.session.execute(select(Membership.id, User.email).join(User, User.id == Membership.user_id)
                                         .where(Membership.partner_id == partner.id)).all())
        staff = [(m.id, emails.get(m.id, "")) for m in partner_staff(partner)]
    return render_template("enablement/training.html", partner=partner, rows=rows, staff=staff,
                           courses=courses(active_only=True), certified=certified_counts([partner.id]).get(partner.id, 0),
                           may_record=can_record_training(actor, partner), errors=errors or {}, data=data or {},
                           today=now.isoformat()), status


@bp.get("/partners/<uuid:partner_id>/training")
def training(partner_id: uuid.UUID):
    """The partner's staff's completions with dates and expiry."""
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_view_enablement(actor, partner))
    return _training_page(actor, partner)


@bp.post("/partners/<uuid:partner_id>/training")
def record(partner_id: uuid.UUID):
    """Record a completion (the partner's admin, or vendor staff who work the partner)."""
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_record_training(actor, partner))
    require_csrf()
    data = {k: request.form.get(k, "") for k in COMPLETION_FIELDS}
    try:
        record_completion(actor, partner, data)
    except InvalidInput as exc:
        return _training_page(actor, partner, exc.fields, data, 422)
    except ConflictError as exc:
        return _training_page(actor, partner, {"form": exc.description}, data, 409)
    flash("Completion recorded.", "success")
    return redirect(url_for("enablement.training", partner_id=partner.id))
