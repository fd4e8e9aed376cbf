"""Account pages: list and search, import, history, export, detail with insights, mapping,
channel conflicts and segment settings."""
from __future__ import annotations

import uuid

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from sqlalchemy import func, literal, or_, select

from app.accounts import bp
from app.accounts.csvio import write_accounts_csv
from app.accounts.forms import ImportForm, SegmentSettingsForm
from app.core.forms import CsrfForm, require_csrf
from app.accounts.jobs import start_import
from app.accounts.insights import KIND_FIELDS, KIND_LABELS, KINDS, success_chain, summary
from app.accounts.models import (
    LEVEL_LABELS, PARTNER_TO_VENDOR, VENDOR_OWNER, VENDOR_TO_PARTNER, Account, AccountImport, Insight, owner_key_for,
)
from app.accounts.ownership import OWNER_MODEL_LABELS, SEGMENT_LABELS, segment_settings
from app.accounts.policies import (
    ACCOUNT_FIELDS, access_resolver, can_add_insight, can_import, get_account_or_404, overlap_counts_by_partner,
    default_level, owner_names, scope_accounts, scope_insights, stored_levels,
)
from app.accounts.services import (
    ImportRejected, add_insight, assigned_partner_ids, channel_conflicts, import_accounts,
    resolve_conflict, set_assignments, update_segment_settings,
)
from app.auth import roles
from app.auth.context import current_actor
from app.auth.policies import can_manage_programme, is_vendor_staff, require
from app.core.errors import ConflictError, InvalidInput
from app.core.web import upload
from app.extensions import db
from app.partners.models import Partner
from app.tenancy import keep_scope

PAGE = 50
COUNT_CAP = 10_000  # the account list counts its matches up to here ("10,000+" beyond)
EXPORT_COLUMNS = ["name", "domain", "owner", *ACCOUNT_FIELDS]


def _search(stmt, q: str):
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(Account.name).like(like), Account.domain.like(like)))
    return stmt


@bp.get("/")
def index():
    """Accounts the actor may see, searchable by name or domain."""
    actor = current_actor()
    require(actor.is_vendor or actor.is_partner_side)
    q = request.args.get("q", "").strip()
    owner = request.args.get("owner", "")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    stmt = _search(scope_accounts(actor, select(Account)), q)
    mine = owner_key_for(None if actor.is_vendor else actor.partner_id)
    if owner == "mine":
        stmt = stmt.where(Account.owner_key == mine)
    elif owner == "shared":
        stmt = stmt.where(Account.owner_key != mine)
    # Counted up to COUNT_CAP only: an exact count walks the whole scope (200,000 vendor accounts)
    # on every page. Past it the page says "10,000+" and offers the next page while there is one.
    counted = db.session.scalar(select(func.count()).select_from(
        stmt.with_only_columns(literal(1)).limit(COUNT_CAP + 1).subquery())) or 0
    rows = db.session.scalars(stmt.order_by(Account.name, Account.id).offset((page - 1) * PAGE).limit(PAGE + 1)).all()
    accounts, more = rows[:PAGE], len(rows) > PAGE
    pages = max(1, -(-counted // PAGE)) if counted <= COUNT_CAP else None  # None: not counted that far
    access = access_resolver(actor)
    return render_template("accounts/index.html", accounts=[(a, access(a)) for a in accounts],
                           total=counted if pages is not None else None, cap=COUNT_CAP, more=more,
                           page=page, pages=pages, q=q, owner=owner,
                           names=owner_names(actor, accounts), can_import=can_import(actor), segments=SEGMENT_LABELS)


@bp.route("/import", methods=["GET", "POST"])
@upload
def import_csv():
    """Upload a CSV of accounts: all rows or none, imported by the worker (its job page shows progress).

    `?wait=true` imports within the request instead and answers with the outcome (small files).
    """
    actor = current_actor()
    require(can_import(actor))
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        if request.args.get("wait") != "true":
            job = start_import(upload, actor)
            return redirect(url_for("jobs.detail", job_id=job.id), 303)
        try:
            result = import_accounts(upload.stream, upload.filename or "", None if actor.is_vendor else actor.partner_id,
                                     (actor.user.id, actor.user.email), actor.tenant)
        except ImportRejected as rejected:
            return render_template("accounts/import.html", form=ImportForm(formdata=None),
                                   rejected=rejected.result, file_name=upload.filename), 422
        return render_template("accounts/import_done.html", result=result, file_name=upload.filename)
    return render_template("accounts/import.html", form=form, rejected=None,
                           wait=request.args.get("wait") == "true"), (422 if form.errors else 200)


@bp.get("/imports")
def imports():
    """The import history of the actor's own side."""
    actor = current_actor()
    require(actor.is_vendor or actor.is_partner_side)
    mine = owner_key_for(None if actor.is_vendor else actor.partner_id)
    rows = db.session.scalars(select(AccountImport).where(AccountImport.owner_key == mine)
                              .order_by(AccountImport.created_at.desc()).limit(100)).all()
    return render_template("accounts/imports.html", rows=rows, can_import=can_import(actor))


@bp.get("/export.csv")
def export():
    """CSV of the accounts the actor may see, with only the fields it may see, formulas neutralised."""
    actor = current_actor()
    require(actor.is_vendor or actor.is_partner_side)
    columns = [getattr(Account, c) for c in ("id", "owner_partner_id", "name", "domain", *ACCOUNT_FIELDS)]
    stmt = _search(scope_accounts(actor, select(*columns)), request.args.get("q", "").strip())
    access = access_resolver(actor)
    names = owner_names(actor)

    def rows():
        # Keyset batches of plain rows, each its own query: memory stays flat however many accounts.
        last = None
        while True:
            batch_stmt = stmt if last is None else stmt.where(Account.id > last)
            batch = db.session.execute(batch_stmt.order_by(Account.id).limit(1000)).all()
            if not batch:
                return
            for account in batch:
                visible = access(account)
                row = {f: getattr(account, f) for f in visible.fields}
                row["owner"] = names.get(account.owner_partner_id, "")
                yield row
            last = batch[-1].id
    body = keep_scope(write_accounts_csv(rows(), EXPORT_COLUMNS, bom=True))
    return Response(stream_with_context(body), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=accounts.csv"})


def _detail(actor, account, access, insight_kind=None, insight_input=None, insight_errors=None, status=200):
    insights = db.session.scalars(scope_insights(actor, account, access, select(Insight))
                                  .order_by(Insight.occurred_on.desc(), Insight.created_at.desc())).all()
    chain = success_chain([i.data for i in insights if i.kind == "renewal"])
    partners, assigned = [], set()
    may_assign = actor.is_vendor and account.owner_partner_id is None and actor.role in (
        roles.VENDOR_ADMIN, roles.CHANNEL_MANAGER)
    if may_assign:
        partners = db.session.scalars(select(Partner).order_by(Partner.name)).all()
        assigned = assigned_partner_ids(account)
    kind = insight_kind if insight_kind in KIND_FIELDS else request.args.get("kind", "engagement")
    if kind not in KIND_FIELDS:
        kind = "engagement"
    return render_template(
        "accounts/detail.html", account=account, access=access, insights=insights, chain=chain,
        names=owner_names(actor, [account]), kind_labels=KIND_LABELS, kinds=KINDS, kind=kind, kind_fields=KIND_FIELDS[kind],
        insight_input=insight_input or {}, insight_errors=insight_errors or {}, summary=summary,
        can_add=can_add_insight(actor, account), may_assign=may_assign, partners=partners, assigned=assigned,
        form=CsrfForm(), segments=SEGMENT_LABELS), status


@bp.get("/<uuid:account_id>")
def detail(account_id: uuid.UUID):
    actor = current_actor()
    account, access = get_account_or_404(actor, account_id)
    return _detail(actor, account, access)


@bp.post("/<uuid:account_id>/insights")
def add_insight_view(account_id: uuid.UUID):
    actor = current_actor()
    account, access = get_account_or_404(actor, account_id)
    require(can_add_insight(actor, account))
    form = CsrfForm()
    kind = request.form.get("kind", "")
    raw = {k: v for k, v in request.form.items() if k in KIND_FIELDS.get(kind, {})}
    if not form.validate_on_submit():
        abort(400)
    try:
        add_insight(account, kind, raw, actor)
    except InvalidInput as exc:
        return _detail(actor, account, access, kind, raw, exc.fields, 422)
    flash(f"{KIND_LABELS[kind]} added.", "success")
    return redirect(url_for("accounts.detail", account_id=account.id, kind=kind))


@bp.post("/<uuid:account_id>/assignments")
def assign(account_id: uuid.UUID):
    actor = current_actor()
    account, _ = get_account_or_404(actor, account_id)
    require(actor.is_vendor and actor.role in (roles.VENDOR_ADMIN, roles.CHANNEL_MANAGER)
            and account.owner_partner_id is None)
    require_csrf()
    try:
        ids = {uuid.UUID(v) for v in request.form.getlist("partner_id")}
    except ValueError:
        abort(400)
    try:
        set_assignments(account, ids)
    except InvalidInput:
        abort(400)
    flash("Assignments saved.", "success")
    return redirect(url_for("accounts.detail", account_id=account.id))


@bp.get("/mapping")
def mapping():
    """Vendor-wide view: overlap per partner, as each partner's level allows."""
    actor = current_actor()
    require(is_vendor_staff(actor))
    # One page of partners at a time; the overlap counted for that page's partners only.
    page = max(1, request.args.get("page", 1, type=int) or 1)
    partners = db.session.scalars(select(Partner).order_by(Partner.name, Partner.id)
                                  .offset((page - 1) * PAGE).limit(PAGE)).all()
    total = db.session.scalar(select(func.count()).select_from(Partner)) or 0
    # The levels stored for any partner (few), the page's others have the defaults.
    stored_in, stored_out = stored_levels(PARTNER_TO_VENDOR), stored_levels(VENDOR_TO_PARTNER)
    incoming = {p.id: stored_in.get(p.id, default_level(PARTNER_TO_VENDOR)) for p in partners}
    outgoing = {p.id: stored_out.get(p.id, default_level(VENDOR_TO_PARTNER)) for p in partners}
    counts = overlap_counts_by_partner([p.id for p in partners])
    vendor_total = db.session.scalar(select(func.count()).select_from(Account).where(Account.owner_key == VENDOR_OWNER))
    rows = [{"partner": p, "incoming": incoming[p.id], "outgoing": outgoing[p.id],
             "count": counts.get(p.id, 0) if incoming[p.id].sees_count else None} for p in partners]
    return render_template("accounts/mapping.html", rows=rows, labels=LEVEL_LABELS, vendor_total=vendor_total,
                           page=page, pages=max(1, -(-total // PAGE)))


@bp.get("/conflicts")
def conflicts():
    actor = current_actor()
    require(is_vendor_staff(actor))
    return render_template("accounts/conflicts.html", conflicts=channel_conflicts(actor.tenant),
                           may_resolve=can_manage_programme(actor), form=CsrfForm(),
                           partners={p.id: p.name for p in db.session.scalars(select(Partner))})


@bp.post("/conflicts/resolve")
def resolve():
    actor = current_actor()
    require(can_manage_programme(actor))
    require_csrf()
    domain = request.form.get("domain", "")
    found = {c.domain: c for c in channel_conflicts(actor.tenant)}.get(domain)
    if found is None:
        abort(404)
    choice = request.form.get("resolution", "")
    owner = None
    if choice.startswith("partner:"):
        try:
            owner = uuid.UUID(choice.split(":", 1)[1])
        except ValueError:
            abort(400)
        if owner not in {pid for pid, _ in found.partners}:
            abort(400)
        choice = "partner"
    try:
        resolve_conflict(domain, choice, owner, request.form.get("note", "").strip(), actor.user.email)
    except InvalidInput as exc:
        flash(" ".join(exc.fields.values()), "error")
        return render_template("accounts/conflicts.html", conflicts=list({domain: found}.values()),
                               may_resolve=True, form=CsrfForm(),
                               partners={p.id: p.name for p in db.session.scalars(select(Partner))}), 422
    flash(f"Conflict on {domain} resolved.", "success")
    return redirect(url_for("accounts.conflicts"))


@bp.route("/settings", methods=["GET", "POST"])
def segment_settings_view():
    """Segment thresholds and owner model per segment (vendor admin)."""
    actor = current_actor()
    require(can_manage_programme(actor))
    tenant = actor.tenant
    current = segment_settings(tenant.settings)
    form = SegmentSettingsForm()
    if form.validate_on_submit():
        try:
            update_segment_settings(
                tenant, (form.mid_market_from.data, form.enterprise_from.data),
                {"smb": form.smb_model.data, "mid_market": form.mid_market_model.data,
                 "enterprise": form.enterprise_model.data},
                expected_version=int(form.version.data or 0))
        except ConflictError:
            form.version.data = str(tenant.version)
            form.mid_market_from.errors = ["Someone else saved these settings first; check and save again."]
            return render_template("accounts/settings.html", form=form), 409
        flash("Segment settings saved; accounts were re-segmented.", "success")
        return redirect(url_for("accounts.segment_settings_view"))
    if not form.is_submitted():
        form.mid_market_from.data, form.enterprise_from.data = current.thresholds
        form.smb_model.data = current.owner_models["smb"]
        form.mid_market_model.data = current.owner_models["mid_market"]
        form.enterprise_model.data = current.owner_models["enterprise"]
        form.version.data = str(tenant.version)
    return render_template("accounts/settings.html", form=form, labels=OWNER_MODEL_LABELS), (422 if form.errors else 200)
