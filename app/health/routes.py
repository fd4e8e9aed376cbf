"""Health pages: vendor dashboard, a partnership's health page, proposals, measurements, catalogue."""
from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for

from app.auth.context import current_actor
from app.auth.policies import is_vendor_staff, require
from app.core.errors import ConflictError, InvalidInput
from app.core.web import upload
from app.core.registry import page_panels, render_panels
from app.health import services
from app.health import bp
from app.health.forms import AcceptForm, CsvForm, MeasurementForm, MetricForm, ProposeForm
from app.health.models import Agreement
from app.health.periods import parse_period
from app.health.policies import (
    can_accept, can_manage_catalogue, can_negotiate, can_record_measurements, get_agreement_or_404, side_of,
)
from app.health.scoring import DIRECTIONS
from app.partners.models import Partner
from app.partners.policies import get_partner_or_404

@bp.get("/")
def dashboard():
    """Proposals waiting for the vendor side, and the sections other features add (the latest close)."""
    actor = current_actor()
    require(is_vendor_staff(actor))
    waiting = services.waiting_for("vendor", manager_id=actor.membership.id if actor.role == "channel_manager" else None)
    return render_template("health/dashboard.html", waiting=waiting,
                           panels=render_panels(page_panels("health.dashboard"), actor, None))


@bp.get("/me")
def partner_page_self():
    """Partner staff: their own partnership's health page."""
    actor = current_actor()
    require(actor.is_partner_side)
    return redirect(url_for("health.partner_page", partner_id=actor.partner_id))


@bp.get("/partners/<uuid:partner_id>")
def partner_page(partner_id: uuid.UUID):
    """A partnership's health: agreement in force, health, proposals, margin history and trend."""
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    agreements = services.agreements_of(partner.id)
    force = services.in_force(partner.id)
    result = measurements = lever = None
    if force is not None:
        result, measurements = services.agreement_health(force)
        lever = services.lever(force, measurements)
    waiting = [a for a in agreements if a.status == "proposed"]
    return render_template("health/partner.html", partner=partner, agreements=agreements, force=force,
                           result=result, measurements=measurements, lever=lever, waiting=waiting,
                           side=side_of(actor), can_negotiate=can_negotiate(actor, partner),
                           side_panels=render_panels(page_panels("health.partner.side"), actor, partner),
                           main_panels=render_panels(page_panels("health.partner.main"), actor, partner))


def _metric_rows(partner: Partner, source: list[dict]) -> list[dict]:
    """Rows of the proposal form: the given terms first, then the rest of the catalogue, then blanks."""
    rows = [{**t, "include": True} for t in source]
    used = {t["key"] for t in source}
    for t in services.default_terms():
        if t["key"] not in used:
            rows.append({**t, "include": False})
    rows += [{"key": "", "direction": "higher", "target": "", "floor": "", "weight": "", "include": False}
             for _ in range(2)]
    return rows


def _rows_from_post(count: int) -> tuple[list[dict], list[int]]:
    rows, included = [], []
    for i in range(count):
        row = {f: request.form.get(f"{f}-{i}", "").strip() for f in ("key", "direction", "target", "floor", "weight")}
        row["include"] = request.form.get(f"include-{i}") == "on"
        rows.append(row)
        if row["include"]:
            included.append(i)
    return rows, included


@bp.route("/partners/<uuid:partner_id>/propose", methods=["GET", "POST"])
def propose(partner_id: uuid.UUID):
    """Propose (or counter-propose) metrics for a quarter."""
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_negotiate(actor, partner))
    form = ProposeForm()
    base = None
    if request.args.get("from"):
        try:
            base = get_agreement_or_404(actor, uuid.UUID(request.args["from"]))
        except ValueError:
            abort(404)
        if base.partner_id != partner.id:
            abort(404)
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        count = min(int(request.form.get("rows", "0") or 0) if (request.form.get("rows", "0") or "0").isdigit() else 0, 60)
        rows, included = _rows_from_post(count)
        metrics = [{k: rows[i][k] for k in ("key", "direction", "target", "floor", "weight")} for i in included]
        try:
            agreement = services.propose(partner, form.period.data, metrics, actor.membership, note=form.note.data,
                                         replaces=base)
        except InvalidInput as exc:
            errors = {}
            for key, message in exc.fields.items():
                parts = key.split(".")
                if parts[0] == "metrics" and len(parts) >= 2 and parts[1].isdigit():
                    errors[f"{parts[2] if len(parts) > 2 else 'row'}-{included[int(parts[1])]}"] = message
                else:
                    errors[key] = message
            return render_template("health/propose.html", partner=partner, form=form, rows=rows, errors=errors,
                                   directions=DIRECTIONS, base=base), 422
        except ConflictError as exc:
            flash(exc.description, "error")
            return render_template("health/propose.html", partner=partner, form=form, rows=rows, errors={},
                                   directions=DIRECTIONS, base=base), 409
        flash(f"Proposal for {agreement.period} sent; the other side has been notified.", "success")
        return redirect(url_for("health.agreement", agreement_id=agreement.id))
    if form.errors:
        return render_template("health/propose.html", partner=partner, form=form, rows=_metric_rows(partner, []),
                               errors={}, directions=DIRECTIONS, base=base), 422
    force = base or services.in_force(partner.id)
    if not form.is_submitted():
        if base is not None:
            form.period.data = base.period
        elif force is not None:
            form.period.data = str(parse_period(force.period).next())
    return render_template("health/propose.html", partner=partner, form=form,
                           rows=_metric_rows(partner, force.terms if force else services.default_terms()),
                           errors=errors, directions=DIRECTIONS, base=base)


def _agreement_context(actor, agreement: Agreement) -> dict:
    partner = get_partner_or_404(actor, agreement.partner_id)
    result, measurements = services.agreement_health(agreement)
    history = [a for a in services.agreements_of(partner.id) if a.period == agreement.period]
    return {"partner": partner, "agreement": agreement, "result": result, "measurements": measurements,
            "terms": {t["key"]: t for t in agreement.terms}, "history": history,
            "lever": services.lever(agreement, measurements),
            "can_accept": agreement.status == "proposed" and can_accept(actor, agreement, partner),
            "own_side_proposed": side_of(actor) == agreement.proposed_by,
            "can_negotiate": can_negotiate(actor, partner),
            "can_record": can_record_measurements(actor, partner) and agreement.status != "superseded",
            "accept_form": AcceptForm(version=str(agreement.version)), "measure_form": MeasurementForm(),
            "csv_form": CsvForm(), "errors": {}, "entered": {}}


@bp.get("/agreements/<uuid:agreement_id>")
def agreement(agreement_id: uuid.UUID):
    """One proposal: its metrics, health, measurements and the quarter's proposal history."""
    actor = current_actor()
    return render_template("health/agreement.html", **_agreement_context(actor, get_agreement_or_404(actor, agreement_id)))


@bp.post("/agreements/<uuid:agreement_id>/accept")
def accept(agreement_id: uuid.UUID):
    actor = current_actor()
    agreement = get_agreement_or_404(actor, agreement_id)
    partner = get_partner_or_404(actor, agreement.partner_id)
    require(can_accept(actor, agreement, partner))
    form = AcceptForm()
    if not form.validate_on_submit():
        abort(400)
    version = int(form.version.data) if (form.version.data or "").isdigit() else None
    try:
        services.accept(agreement, partner, actor.membership, expected_version=version)
    except ConflictError as exc:
        flash(exc.description, "error")
        context = _agreement_context(actor, agreement)
        return render_template("health/agreement.html", **context), 409
    flash(f"Agreement for {agreement.period} accepted; it now scores the quarter.", "success")
    return redirect(url_for("health.agreement", agreement_id=agreement.id))


@bp.post("/agreements/<uuid:agreement_id>/copy-forward")
def copy_forward(agreement_id: uuid.UUID):
    actor = current_actor()
    agreement = get_agreement_or_404(actor, agreement_id)
    partner = get_partner_or_404(actor, agreement.partner_id)
    require(can_negotiate(actor, partner))
    if not AcceptForm().validate_on_submit():
        abort(400)
    try:
        new = services.copy_forward(agreement, partner, actor.membership)
    except (ConflictError, InvalidInput) as exc:
        flash(exc.description, "error")
        return render_template("health/agreement.html", **_agreement_context(actor, agreement)), exc.code
    flash(f"Proposed the same metrics for {new.period}.", "success")
    return redirect(url_for("health.agreement", agreement_id=new.id))


@bp.post("/agreements/<uuid:agreement_id>/measurements")
def record(agreement_id: uuid.UUID):
    """Record measurements from the form (blank fields are left as they are)."""
    actor = current_actor()
    agreement = get_agreement_or_404(actor, agreement_id)
    partner = get_partner_or_404(actor, agreement.partner_id)
    require(can_record_measurements(actor, partner))
    form = MeasurementForm()
    if not form.validate_on_submit():
        context = _agreement_context(actor, agreement)
        context["measure_form"] = form
        return render_template("health/agreement.html", **context), 422
    entered = {t["key"]: request.form.get(f"value-{t['key']}", "").strip() for t in agreement.terms}
    values = {k: v for k, v in entered.items() if v != ""}
    try:
        services.record_measurements(agreement, partner, values, form.source.data, actor.membership)
    except (InvalidInput, ConflictError) as exc:
        context = _agreement_context(actor, agreement)
        context.update(measure_form=form, entered=entered,
                       errors=getattr(exc, "fields", None) or {"values": exc.description})
        if isinstance(exc, ConflictError):
            flash(exc.description, "error")
        return render_template("health/agreement.html", **context), exc.code
    flash("Measurements saved.", "success")
    return redirect(url_for("health.agreement", agreement_id=agreement.id))


@bp.post("/agreements/<uuid:agreement_id>/measurements/csv")
@upload
def upload_csv(agreement_id: uuid.UUID):
    """Record measurements from a CSV file (key,value[,source]); all or nothing."""
    actor = current_actor()
    agreement = get_agreement_or_404(actor, agreement_id)
    partner = get_partner_or_404(actor, agreement.partner_id)
    require(can_record_measurements(actor, partner))
    form = CsvForm()
    if not form.validate_on_submit():
        context = _agreement_context(actor, agreement)
        return render_template("health/agreement.html", **context), 422
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise InvalidInput({"file": "choose a CSV file"})
        values, source = services.parse_measurement_csv(upload.read(1_000_000))
        services.record_measurements(agreement, partner, values, source, actor.membership)
    except (InvalidInput, ConflictError) as exc:
        context = _agreement_context(actor, agreement)
        context["errors"] = getattr(exc, "fields", None) or {"file": exc.description}
        if isinstance(exc, ConflictError):
            flash(exc.description, "error")
        return render_template("health/agreement.html", **context), exc.code
    flash(f"{len(values)} measurements imported.", "success")
    return redirect(url_for("health.agreement", agreement_id=agreement.id))


@bp.get("/metrics")
def catalogue():
    """The metric catalogue: defaults every agreement starts from, and custom metrics."""
    actor = current_actor()
    return render_template("health/catalogue.html", metrics=services.catalogue(), form=MetricForm(),
                           can_manage=can_manage_catalogue(actor), errors={})


@bp.post("/metrics/new")
def add_metric():
    actor = current_actor()
    require(can_manage_catalogue(actor))
    form = MetricForm()
    if form.validate_on_submit():
        try:
            metric = services.add_metric(form.key.data, form.name.data, form.direction.data, form.unit.data,
                                         form.target.data, form.floor.data, form.weight.data, form.description.data)
        except InvalidInput as exc:
            return render_template("health/catalogue.html", metrics=services.catalogue(), form=form,
                                   can_manage=True, errors=exc.fields), 422
        flash(f"Metric {metric.name} added.", "success")
        return redirect(url_for("health.catalogue"))
    return render_template("health/catalogue.html", metrics=services.catalogue(), form=form, can_manage=True,
                           errors={}), 422
