"""Partner directory (vendor side), partner page and edit form."""
from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm.exc import StaleDataError

from app.audit.models import AuditEvent
from app.auth.context import current_actor
from app.auth.models import Membership, User
from app.auth.policies import is_vendor_staff, require
from app.core.errors import ConflictError, InvalidInput
from app.core.forms import require_csrf
from app.core.registry import PARTNER_PANELS, render_panels
from app.extensions import db
from app.partners import bp
from app.partners.forms import PartnerForm
from app.partners.models import PARTNER_STATUSES, REGION_LABELS, SEGMENT_LABELS, Partner
from app.partners.policies import (
    can_assign_manager, can_assign_regions, can_create_partner, can_edit_partner, get_partner_or_404, scope_partners,
)
from app.partners.services import (
    channel_managers, create_partner, region_assignments, set_regions, update_partner,
)


@bp.get("/")
def directory():
    """Search and filter partners; paged."""
    actor = current_actor()
    require(is_vendor_staff(actor))
    q = request.args.get("q", "").strip()
    tier = request.args.get("tier", "")
    region = request.args.get("region", "")
    status = request.args.get("status", "")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    stmt = select(Partner)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(Partner.name).like(like), func.lower(Partner.website).like(like)))
    if tier:
        stmt = stmt.where(Partner.tier == tier)
    if region:
        stmt = stmt.where(Partner.region == region)
    if status:
        stmt = stmt.where(Partner.status == status)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    size = 25
    partners = db.session.scalars(stmt.order_by(func.lower(Partner.name), Partner.id)
                                  .offset((page - 1) * size).limit(size)).all()
    tiers = db.session.scalars(select(Partner.tier).where(Partner.tier.is_not(None)).distinct().order_by(Partner.tier)).all()
    managers = _manager_names()
    return render_template("partners/directory.html", partners=partners, total=total, page=page,
                           pages=max(1, -(-total // size)), q=q, tier=tier, region=region, status=status,
                           tiers=tiers, regions=REGION_LABELS, statuses=PARTNER_STATUSES, managers=managers,
                           can_create=can_create_partner(actor))


def _manager_names() -> dict[uuid.UUID, str]:
    return {m.id: (u.name or u.email) for m, u in channel_managers()}


def _form_for(actor, partner: Partner | None) -> PartnerForm:
    form = PartnerForm(obj=None)
    form.channel_manager_id.choices = [("", "— unassigned —")] + [
        (str(m.id), f"{u.name or u.email}") for m, u in channel_managers()]
    if partner is not None and request.method == "GET":
        form.name.data = partner.name
        form.status.data = partner.status
        form.region.data = partner.region or ""
        form.segments.data = list(partner.segments or [])
        form.certifications.data = ", ".join(partner.certifications or [])
        form.services_revenue_share.data = partner.services_revenue_share
        form.website.data = partner.website or ""
        form.channel_manager_id.data = str(partner.channel_manager_id) if partner.channel_manager_id else ""
        form.notes.data = partner.notes
        form.version.data = str(partner.version)
    if not can_assign_manager(actor):
        # Channel managers may edit their partners but not reassign them.
        current = str(partner.channel_manager_id) if partner and partner.channel_manager_id else ""
        form.channel_manager_id.choices = [c for c in form.channel_manager_id.choices if c[0] == current]
    return form


@bp.route("/new", methods=["GET", "POST"])
def new():
    actor = current_actor()
    require(can_create_partner(actor))
    form = _form_for(actor, None)
    if form.validate_on_submit():
        partner = create_partner(**form.cleaned())
        flash(f"Partner {partner.name} created.", "success")
        return redirect(url_for("partners.detail", partner_id=partner.id))
    return render_template("partners/form.html", form=form, partner=None), (422 if form.errors else 200)


@bp.get("/<uuid:partner_id>")
def detail(partner_id: uuid.UUID):
    actor = current_actor()
    # The partner (scoped as get_partner_or_404 scopes it), its channel manager and its people in one statement.
    found = db.session.execute(scope_partners(actor, select(Partner, Membership, User)
                               .outerjoin(Membership, and_(Membership.tenant_id == Partner.tenant_id, or_(
                                   Membership.partner_id == Partner.id, Membership.id == Partner.channel_manager_id)))
                               .outerjoin(User, User.id == Membership.user_id)
                               .where(Partner.id == partner_id).order_by(User.email))).all()
    if not found:
        abort(404)
    partner = found[0][0]
    manager = next((u for _, m, u in found
                    if m is not None and partner.channel_manager_id and m.id == partner.channel_manager_id), None)
    people = [(m, u) for _, m, u in found if m is not None and m.partner_id == partner.id]
    events = []
    if actor.is_vendor:
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_id == str(partner.id))
            .order_by(AuditEvent.seq.desc()).limit(10)).all()
    return render_template("partners/detail.html", partner=partner, manager=manager, people=people,
                           events=events, can_edit=can_edit_partner(actor, partner),
                           panels=render_panels(PARTNER_PANELS, actor, partner),
                           regions=REGION_LABELS, segment_labels=SEGMENT_LABELS)


@bp.route("/<uuid:partner_id>/edit", methods=["GET", "POST"])
def edit(partner_id: uuid.UUID):
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_edit_partner(actor, partner))
    form = _form_for(actor, partner)
    if form.validate_on_submit():
        changes = form.cleaned()
        if not can_assign_manager(actor):
            changes.pop("channel_manager_id")
        try:
            expected = int(form.version.data) if (form.version.data or "").isdigit() else 0
            update_partner(partner, changes, expected_version=expected)
        except (ConflictError, StaleDataError):
            # Stale form, or another save landed between our read and our write: show both versions.
            db.session.rollback()
            partner = get_partner_or_404(actor, partner_id)
            theirs = {k: getattr(partner, k) for k in changes}
            return render_template("partners/conflict.html", partner=partner, mine=changes,
                                   theirs=theirs), 409
        flash("Partner saved.", "success")
        return redirect(url_for("partners.detail", partner_id=partner.id))
    return render_template("partners/form.html", form=form, partner=partner), (422 if form.errors else 200)


@bp.route("/regions", methods=["GET", "POST"])
def regions():
    """CS Development Managers and their regions; vendor admins change them."""
    actor = current_actor()
    require(is_vendor_staff(actor))
    may_edit = can_assign_regions(actor)
    if request.method == "POST":
        require(may_edit)
        require_csrf()
        try:
            membership_id = uuid.UUID(request.form.get("membership_id", ""))
        except ValueError:
            return render_template("partners/regions.html", people=region_assignments(), regions=REGION_LABELS,
                                   may_edit=may_edit, errors={"membership_id": "Choose a person."},
                                   error_for=None), 422
        membership = db.session.scalar(select(Membership).where(Membership.id == membership_id))
        if membership is None:
            abort(404)
        try:
            set_regions(membership, request.form.getlist("regions"))
        except InvalidInput as exc:  # checked before anything is written; the 422 rolls back anyway
            return render_template("partners/regions.html", people=region_assignments(), regions=REGION_LABELS,
                                   may_edit=may_edit, errors=exc.fields, error_for=membership_id), 422
        flash("Regions saved.", "success")
        return redirect(url_for("partners.regions"))
    return render_template("partners/regions.html", people=region_assignments(), regions=REGION_LABELS,
                           may_edit=may_edit, errors={}, error_for=None)
