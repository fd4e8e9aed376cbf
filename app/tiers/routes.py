"""Tier programme editor, quarter close, overrides and the what-if / growth view."""
from __future__ import annotations

import uuid
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from app.auth.context import current_actor
from app.auth.policies import require
from app.core.errors import ConflictError, InvalidInput
from app.core.numbers import parse_number
from app.extensions import db
from app.health.periods import parse_period
from app.partners.models import Partner
from app.partners.policies import get_partner_or_404
from app.tiers import services
from app.tiers.jobs import start_close_all
from app.tiers import bp
from app.tiers.policies import can_close, can_close_all, can_edit_programme, can_override
from app.tiers.whatif import growth_table

EXTRA_ROWS = 2


class ProgrammeForm(FlaskForm):
    version = HiddenField()


class CloseForm(FlaskForm):
    period = StringField("Quarter")


class OverrideForm(FlaskForm):
    tier = SelectField("Tier", choices=[])
    margin_pct = StringField("Margin (%)", description="Leave blank to keep the computed margin")
    reason = TextAreaField("Reason", description="Written reason, kept in the margin history and the audit log")


@bp.route("/", methods=["GET", "POST"])
def programme():
    """The tier programme: everyone reads it, a vendor admin edits it."""
    actor = current_actor()
    editable = can_edit_programme(actor)
    form = ProgrammeForm()
    prog = services.get_programme()
    tiers = services.load_tiers(prog)
    rows = [{"name": t.name, "min_score": str(t.min_score), "base_margin_pct": str(t.base_margin_pct),
             "bonus_margin_pct": str(t.bonus_margin_pct)} for t in tiers]
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        require(editable)
        if not form.validate_on_submit():
            abort(400)
        count = min(int(request.form.get("rows", "0")) if request.form.get("rows", "0").isdigit() else 0, 25)
        posted = [{f: request.form.get(f"{f}-{i}", "").strip()
                   for f in ("name", "min_score", "base_margin_pct", "bonus_margin_pct")} for i in range(count)]
        wanted = [r for r in posted if any(r.values())]
        version = int(form.version.data) if (form.version.data or "").isdigit() else None
        try:
            services.save_programme(wanted, expected_version=version)
            flash("Tier programme saved. It applies from the next quarter close.", "success")
            return redirect(url_for("tiers.programme"))
        except InvalidInput as exc:
            errors, rows, status = exc.fields, wanted, 422
        except ConflictError as exc:
            flash(exc.description, "error")
            status = 409
    if not form.is_submitted() or status == 409:
        form.version.data = str(prog.version) if prog else ""
    if editable:
        rows = rows + [{"name": "", "min_score": "", "base_margin_pct": "", "bonus_margin_pct": ""}] * EXTRA_ROWS
    return render_template("tiers/programme.html", rows=rows, errors=errors, form=form, editable=editable,
                           tiers=tiers, close_form=CloseForm(), can_close_all=can_close_all(actor)), status


@bp.post("/close")
def close_all():
    """Close a quarter for every partner that can close (vendor admin)."""
    actor = current_actor()
    require(can_close_all(actor))
    form = CloseForm()
    if not form.validate_on_submit():
        abort(400)
    if request.args.get("wait") != "true":
        try:
            job = start_close_all(form.period.data or "", actor)
        except InvalidInput as exc:
            return render_template("tiers/close_report.html", report=None, message=_problem(exc), partner=None), exc.code
        return redirect(url_for("jobs.detail", job_id=job.id), 303)
    try:
        report = services.close_quarter(form.period.data or "", None, actor.membership)
    except (InvalidInput, ConflictError) as exc:
        return render_template("tiers/close_report.html", report=None, message=_problem(exc), partner=None), exc.code
    names = dict(db.session.execute(select(Partner.id, Partner.name)).all())
    return render_template("tiers/close_report.html", report=report, names=names, message=None, partner=None)


def _problem(exc) -> str:
    """The message of a 409 or the per-field messages of a 422, as one line."""
    fields = getattr(exc, "fields", None)
    return "; ".join(f"{k}: {v}" for k, v in fields.items()) if fields else exc.description


def _period_or_422(period: str) -> str:
    try:
        return str(parse_period(period))
    except ValueError as exc:
        raise InvalidInput({"period": str(exc)}) from None


@bp.post("/partners/<uuid:partner_id>/quarters/<period>/close")
def close_partner(partner_id: uuid.UUID, period: str):
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_close(actor, partner))
    if not CloseForm().validate_on_submit():
        abort(400)
    try:
        closed = services.close_one(partner, _period_or_422(period), actor.membership)
    except (InvalidInput, ConflictError) as exc:
        return render_template("tiers/close_report.html", report=None, message=_problem(exc),
                               partner=partner), exc.code
    if closed.changed:
        flash(f"{closed.period} closed: health {closed.health_score}, {closed.status.replace('_', ' ')}, "
              f"{closed.tier} at {closed.margin}% for {closed.applies_to}.", "success")
    else:
        flash(f"{closed.period} was already closed with these numbers; nothing changed.", "success")
    return redirect(url_for("health.partner_page", partner_id=partner.id))


@bp.route("/partners/<uuid:partner_id>/quarters/<period>/override", methods=["GET", "POST"])
def override(partner_id: uuid.UUID, period: str):
    """Override the latest closed quarter's tier and/or margin with a written reason (vendor admin)."""
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_override(actor))
    period = _period_or_422(period)
    row = services.get_close(partner, period)
    if row is None:
        return render_template("tiers/close_report.html", report=None, partner=partner,
                               message=f"{period} is not closed for {partner.name}; close it before overriding."), 409
    form = OverrideForm()
    form.tier.choices = [("", "— keep computed tier —")] + [(t.name, t.name) for t in services.load_tiers()]
    errors: dict[str, str] = {}
    status = 200
    if form.validate_on_submit():
        try:
            services.override(partner, period, form.tier.data, form.margin_pct.data, form.reason.data,
                              actor.membership)
            flash("Override saved; it shows in the margin history on both sides.", "success")
            return redirect(url_for("health.partner_page", partner_id=partner.id))
        except InvalidInput as exc:
            errors, status = exc.fields, 422
        except ConflictError as exc:
            flash(exc.description, "error")
            status = 409
    elif form.is_submitted():
        status = 422
    elif row.override_reason:
        form.tier.data = row.override_tier or ""
        form.margin_pct.data = str(row.override_margin_pct) if row.override_margin_pct is not None else ""
        form.reason.data = row.override_reason
    return render_template("tiers/override.html", partner=partner, row=row, form=form, errors=errors), status


def _money(raw: str | None, default: Decimal) -> tuple[Decimal, str | None]:
    if raw in (None, ""):
        return default, None
    try:
        value = parse_number(raw)
    except ValueError as exc:
        return default, str(exc)
    if value < 0:
        return default, "must be 0 or more"
    return value, None


@bp.get("/partners/<uuid:partner_id>/what-if")
def what_if(partner_id: uuid.UUID):
    """Change any metric value or target and see health, tier and margin; nothing is saved."""
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    values = {k.removeprefix("value-"): v for k, v in request.args.items() if k.startswith("value-")}
    targets = {k.removeprefix("target-"): v for k, v in request.args.items() if k.startswith("target-")}
    view = services.what_if_for(partner, values, targets)
    tiers = services.load_tiers()
    bookings, bookings_error = _money(request.args.get("bookings"), Decimal(250000))
    share = Decimal(partner.services_revenue_share) if partner.services_revenue_share is not None else Decimal(25)
    default_services = (bookings * share / (100 - share)).quantize(Decimal(1)) if share < 100 else Decimal(0)
    services_revenue, services_error = _money(request.args.get("services"), default_services)
    current_tier = view.result.outcome.assigned_tier if view else partner.tier
    growth = growth_table(tiers, bookings, services_revenue, partner.tier) if tiers else []
    money_errors = {k: v for k, v in (("bookings", bookings_error), ("services", services_error)) if v}
    return render_template("tiers/what_if.html", partner=partner, view=view, values=values, targets=targets,
                           growth=growth, bookings=bookings, services_revenue=services_revenue,
                           money_errors=money_errors, current_tier=current_tier, share=share), \
        (422 if (view and view.result.errors) or money_errors else 200)
