"""People in this workspace (vendor admins) or in this partner (partner admins)."""
from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.auth import roles
from app.auth.context import current_actor
from app.auth.models import Membership, User
from app.auth.policies import (
    assignable_roles, can_manage_membership, can_manage_users, can_view_users, is_vendor_admin,
    membership_visible, require,
)
from app.core.errors import ConflictError
from app.extensions import db
from app.partners.models import Partner
from app.users import bp
from app.users.forms import ConfirmForm, InviteForm, RoleForm
from app.users.services import change_role, invite, set_active


def _visible_memberships(actor):
    stmt = select(Membership, User).join(User, User.id == Membership.user_id)
    if not actor.is_vendor:
        stmt = stmt.where(Membership.partner_id == actor.partner_id)
    return db.session.execute(stmt.order_by(Membership.partner_id.is_not(None), User.email)).all()


def _get_membership_or_404(actor, membership_id: uuid.UUID) -> Membership:
    membership = db.session.scalar(select(Membership).where(Membership.id == membership_id))
    if membership is None or not membership_visible(actor, membership):
        abort(404)
    return membership


@bp.get("/")
def index():
    actor = current_actor()
    require(can_view_users(actor))
    partners = {p.id: p.name for p in db.session.scalars(select(Partner))} if actor.is_vendor else {}
    rows = _visible_memberships(actor)
    return render_template("users/index.html", rows=rows, partners=partners, labels=roles.ROLE_LABELS,
                           can_manage=lambda m: can_manage_membership(actor, m),
                           can_invite=can_manage_users(actor), confirm=ConfirmForm(),
                           role_choices=lambda m: assignable_roles(actor, m.partner_id is not None))


@bp.route("/invite", methods=["GET", "POST"])
def invite_user():
    actor = current_actor()
    require(can_manage_users(actor))
    form = InviteForm()
    if is_vendor_admin(actor):
        partner_rows = db.session.scalars(select(Partner).order_by(Partner.name)).all()
        form.partner_id.choices = [("", "— vendor staff —")] + [(str(p.id), p.name) for p in partner_rows]
        form.role.choices = [(r, roles.ROLE_LABELS[r]) for r in roles.ALL_ROLES]
    else:
        form.partner_id.choices = [(str(actor.partner_id), "your partner")]
        form.partner_id.data = str(actor.partner_id)
        form.role.choices = [(r, roles.ROLE_LABELS[r]) for r in roles.PARTNER_ROLES]
    if form.validate_on_submit():
        partner_id = uuid.UUID(form.partner_id.data) if form.partner_id.data else None
        allowed = assignable_roles(actor, partner_id is not None)
        if form.role.data not in allowed:
            form.role.errors.append("Vendor roles need no partner; partner roles need one."
                                    if is_vendor_admin(actor) else "Choose a partner role.")
        else:
            try:
                invite(form.email.data, form.name.data or "", form.role.data, partner_id, actor.membership)
            except ConflictError as exc:
                form.email.errors.append(exc.description)
            else:
                flash(f"Invitation sent to {form.email.data}.", "success")
                return redirect(url_for("users.index"))
    return render_template("users/invite.html", form=form), (422 if form.errors else 200)


@bp.post("/<uuid:membership_id>/role")
def set_role(membership_id: uuid.UUID):
    actor = current_actor()
    membership = _get_membership_or_404(actor, membership_id)
    require(can_manage_membership(actor, membership))
    form = RoleForm()
    allowed = assignable_roles(actor, membership.partner_id is not None)
    form.role.choices = [(r, r) for r in allowed]
    if not form.validate_on_submit():
        flash("Choose one of the roles offered.", "error")
        return redirect(url_for("users.index")), 303
    expected = int(form.version.data) if form.version.data.isdigit() else 0
    try:
        change_role(membership, form.role.data, expected_version=expected)
    except (ConflictError, StaleDataError):
        db.session.rollback()
        membership = _get_membership_or_404(actor, membership_id)
        user = db.session.get(User, membership.user_id)
        return render_template("users/conflict.html", membership=membership, user=user, mine=form.role.data,
                               labels=roles.ROLE_LABELS), 409
    flash("Role changed.", "success")
    return redirect(url_for("users.index"))


@bp.post("/<uuid:membership_id>/deactivate")
def deactivate(membership_id: uuid.UUID):
    return _set_active(membership_id, False)


@bp.post("/<uuid:membership_id>/reactivate")
def reactivate(membership_id: uuid.UUID):
    return _set_active(membership_id, True)


def _set_active(membership_id: uuid.UUID, active: bool):
    actor = current_actor()
    membership = _get_membership_or_404(actor, membership_id)
    require(can_manage_membership(actor, membership))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    set_active(membership, active)
    flash("Access restored." if active else "Access removed; their sessions have ended.", "success")
    return redirect(url_for("users.index"))
