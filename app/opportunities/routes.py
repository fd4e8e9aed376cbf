"""Pipeline and deal-registration pages: the pipeline with its opportunities and registrations,
adding (and registering) an opportunity, and a registration with its decisions."""
from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Conflict

from app.accounts.models import Account
from app.auth.context import current_actor
from app.auth.policies import is_vendor_admin, require
from app.core.errors import InvalidInput
from app.core.forms import require_csrf
from app.extensions import db
from app.opportunities import bp, rules
from app.opportunities.forms import OpportunitySettingsForm
from app.opportunities.models import DealRegistration, Opportunity
from app.opportunities.policies import (
    can_create, can_decide, can_edit, can_record_outcome, can_register, get_opportunity_or_404, get_registration_or_404,
    registration_condition, scope_opportunities,
)
from app.opportunities.services import (
    approve, create_opportunity, extend, pipeline, record_outcome, register, reject, resolve, settings_of,
    update_opportunity, update_settings,
)
from app.tenants.models import Tenant
from app.opportunities.views import (
    opportunity_view, opportunity_views, registration_row_columns, registration_view, registration_views,
    registration_views_from_rows,
)
from app.partners.models import Partner
from app.partners.policies import get_partner_or_404
from app.sharing.policies import scope_accounts

LIST_MAX = 200
ACCOUNT_CHOICES = 300
FIELDS = ("account_id", "partner_id", "kind", "product", "amount", "currency", "expected_close", "stage", "next_step")


@bp.get("/")
def index():
    """The pipeline (vendor-wide or one partnership), its opportunities and the registrations."""
    actor = current_actor()
    require(actor.is_vendor or actor.is_partner_side)
    partner = None
    if actor.is_partner_side:
        partner = get_partner_or_404(actor, actor.partner_id)
    elif request.args.get("partner_id"):
        try:
            partner = get_partner_or_404(actor, uuid.UUID(request.args["partner_id"]))
        except ValueError:
            abort(404)
    stmt = scope_opportunities(actor, select(Opportunity))
    reg_stmt = select(DealRegistration).where(registration_condition(actor))
    if partner is not None:
        stmt = stmt.where(Opportunity.partner_id == partner.id)
        reg_stmt = reg_stmt.where(DealRegistration.partner_id == partner.id)
    opps = opportunity_views(actor, db.session.scalars(
        stmt.order_by(Opportunity.expected_close, Opportunity.id).limit(LIST_MAX)))
    regs = registration_views(actor, db.session.scalars(
        reg_stmt.order_by(DealRegistration.decision_due, DealRegistration.id).limit(LIST_MAX)))
    partners = list(db.session.scalars(select(Partner).order_by(Partner.name))) if actor.is_vendor else []
    return render_template("opportunities/index.html", partner=partner, partners=partners,
                           pipe=pipeline(actor, partner.id if partner else None), opps=opps, regs=regs,
                           may_create=can_create(actor), kinds=rules.KIND_LABELS)


def _accounts(actor) -> list[Account]:
    return list(db.session.scalars(scope_accounts(actor, select(Account)).order_by(Account.name).limit(ACCOUNT_CHOICES)))


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Add an opportunity on an account you may see; partners may register it at once."""
    actor = current_actor()
    require(can_create(actor))
    errors, data = {}, {}
    if request.method == "POST":
        require_csrf()
        data = {k: request.form.get(k, "").strip() for k in FIELDS}
        data = {k: v for k, v in data.items() if v != "" or k in ("product", "amount", "currency", "expected_close")}
        try:
            opp = create_opportunity(actor, data)
            if actor.is_partner_side and request.form.get("register") == "1":
                reg = register(actor, opp)
                flash(f"Opportunity added and registered: {reg.check_outcome}.", "success")
                return redirect(url_for("opportunities.registration", registration_id=reg.id))
            flash("Opportunity added.", "success")
            return redirect(url_for("opportunities.index"))
        except InvalidInput as exc:
            errors = exc.fields  # the 422 rolls the request back
    partners = list(db.session.scalars(select(Partner).order_by(Partner.name))) if actor.is_vendor else []
    return render_template("opportunities/new.html", errors=errors, data=data, accounts=_accounts(actor),
                           partners=partners, kinds=rules.KIND_LABELS, currencies=sorted(rules.CURRENCIES),
                           stages=settings_of(actor.tenant).stages), 422 if errors else 200


EDIT_FIELDS = ("product", "amount", "currency", "expected_close", "stage", "next_step")


@bp.route("/<uuid:opportunity_id>/edit", methods=["GET", "POST"])
def edit(opportunity_id: uuid.UUID):
    """The creating side moves the stage, the next step, the amount or the close date."""
    actor = current_actor()
    opp = get_opportunity_or_404(actor, opportunity_id)
    require(can_edit(actor, opp))
    errors, status = {}, 200
    data = {k: getattr(opp, k) for k in EDIT_FIELDS}
    data["expected_close"] = opp.expected_close.isoformat()
    if request.method == "POST":
        require_csrf()
        data = {k: request.form.get(k, "").strip() for k in EDIT_FIELDS}
        version = request.form.get("version", "")
        try:
            update_opportunity(actor, opp, data, int(version) if version.isdigit() else None)
            flash("Opportunity saved.", "success")
            return redirect(url_for("opportunities.index"))
        except InvalidInput as exc:
            errors, status = exc.fields, 422
        except Conflict as exc:
            db.session.rollback()
            opp = get_opportunity_or_404(actor, opportunity_id)
            errors, status = {"form": exc.description}, 409
    return render_template("opportunities/edit.html", opp=opportunity_view(actor, opp), data=data, errors=errors,
                           kinds=rules.KIND_LABELS, currencies=sorted(rules.CURRENCIES),
                           stages=settings_of(actor.tenant).stages), status


@bp.post("/<uuid:opportunity_id>/register")
def register_opportunity(opportunity_id: uuid.UUID):
    actor = current_actor()
    opp = get_opportunity_or_404(actor, opportunity_id)
    require(can_register(actor, opp))
    require_csrf()
    try:
        reg = register(actor, opp)
    except (InvalidInput, Conflict) as exc:
        db.session.rollback()
        flash(getattr(exc, "fields", None) and "; ".join(exc.fields.values()) or exc.description, "error")
        return redirect(url_for("opportunities.index")), 303
    flash(f"Registered: {reg.check_outcome}.", "success")
    return redirect(url_for("opportunities.registration", registration_id=reg.id))


def _render(actor, reg, errors=None, status=200):
    return render_template("opportunities/registration.html", reg=registration_view(actor, reg),
                           errors=errors or {}), status


@bp.get("/registrations/<uuid:registration_id>")
def registration(registration_id: uuid.UUID):
    actor = current_actor()
    return _render(actor, get_registration_or_404(actor, registration_id))


ACTIONS = ("approve", "reject", "resolve", "extend", "won", "lost")


@bp.post("/registrations/<uuid:registration_id>/<action>")
def decide(registration_id: uuid.UUID, action: str):
    """Approve, reject, resolve the conflict, extend, or record a win or loss."""
    actor = current_actor()
    reg = get_registration_or_404(actor, registration_id)
    if action not in ACTIONS:
        abort(404)
    require(can_record_outcome(actor, reg) if action in ("won", "lost") else can_decide(actor, reg))
    require_csrf()
    note = request.form.get("note", "")
    version = request.form.get("version", "")
    expected = int(version) if version.isdigit() else None
    try:
        if action == "approve":
            approve(actor, reg, note, expected_version=expected)
        elif action == "reject":
            reject(actor, reg, note, expected_version=expected)
        elif action == "resolve":
            resolve(actor, reg, request.form.get("resolution", ""), note)
        elif action == "extend":
            extend(actor, reg, expected_version=expected)
        else:
            record_outcome(actor, reg, action)
    except InvalidInput as exc:
        db.session.rollback()
        return _render(actor, get_registration_or_404(actor, registration_id), exc.fields, 422)
    except Conflict as exc:
        db.session.rollback()
        return _render(actor, get_registration_or_404(actor, registration_id), {"form": exc.description}, 409)
    flash("Saved.", "success")
    return redirect(url_for("opportunities.registration", registration_id=reg.id))


def home_panel(actor, partner):
    """The partner home (its own) and the vendor's partner page: registrations and open pipeline."""
    if partner is None or not (actor.is_vendor or (actor.is_partner_side and actor.partner_id == partner.id)):
        return None
    # The last ten registrations with their opportunities and accounts, and the pipeline's sums: one
    # statement, with or without registrations (the page's budget of 15 must not depend on the data).
    pipe, found = pipeline(actor, partner.id, extra=select(*registration_row_columns())
                           .join(Opportunity, Opportunity.id == DealRegistration.opportunity_id)
                           .outerjoin(Account, Account.id == Opportunity.account_id)
                           .where(DealRegistration.partner_id == partner.id)
                           .order_by(DealRegistration.decision_due.desc(), DealRegistration.id).limit(10))
    regs = registration_views_from_rows(actor, found, {partner.id: partner.name})
    return render_template("opportunities/home_panel.html", regs=regs, pipe=pipe,
                           link=url_for("opportunities.index", partner_id=partner.id) if actor.is_vendor
                           else url_for("opportunities.index"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Vendor admins set the stage list, the registration SLA, the protection period and its extension
    (the API's rules: `services.update_settings`); bad input re-renders with 422 and writes nothing."""
    actor = current_actor()
    require(is_vendor_admin(actor))
    tenant = actor.tenant
    form = OpportunitySettingsForm()
    if request.method == "GET":
        form.fill(settings_of(tenant), tenant.version)
        return _settings_page(form)
    if not form.validate_on_submit():
        abort(400)  # the CSRF token (the fields are the service's to check)
    raw, rows = form.raw()
    version = form.version.data or ""
    try:
        update_settings(tenant, raw, int(version) if version.isdigit() else -1)
    except InvalidInput as exc:  # nothing was written; the 422 rolls the request back
        form.show_errors(exc.fields, rows)
        return _settings_page(form, 422)
    except (Conflict, StaleDataError):  # someone saved first: their settings fill the form, ours are not applied
        db.session.rollback()
        saved = db.session.get(Tenant, tenant.id)
        form = OpportunitySettingsForm(formdata=None)
        form.fill(settings_of(saved), saved.version)
        form.form_errors.append("Someone else saved these settings first. The form shows what is saved now; "
                                "apply your change again if you still want it.")
        return _settings_page(form, 409)
    flash("Pipeline settings saved.", "success")
    return redirect(url_for("opportunities.settings"))


def _settings_page(form: OpportunitySettingsForm, status: int = 200):
    return render_template("opportunities/settings.html", form=form, max_stages=rules.MAX_STAGES), status
