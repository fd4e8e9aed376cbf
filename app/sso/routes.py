"""Sign in through your organisation's identity provider; vendor and partner admins configure it."""
from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import login_user
from sqlalchemy import select

from app.auth import roles
from app.auth.context import current_actor
from app.auth.models import User
from app.auth.policies import can_manage_programme, require
from app.auth.services import SSO_SESSION_KEY, start_login_session
from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.core.registry import add_entry_gate, add_nav
from app.audit.services import record
from app.extensions import db, limiter
from app.partners.models import Partner
from app.sso import bp
from app.sso.forms import ConnectionForm, SignInForm
from app.sso.models import SsoConnection
from app.sso.services import (
    SsoError, connection_for_email, connection_of, domains_of, finish, jit_roles, password_allowed,
    resolve_member, save_connection, start,
)
from app.tenancy import tenant_scope
from app.tenants.models import Tenant


def _is_partner_admin(actor) -> bool:
    return actor is not None and actor.is_partner_side and actor.role == roles.PARTNER_ADMIN


add_nav("Single sign-on", "sso.settings", can_manage_programme, order=96, group="Admin")
add_nav("Single sign-on", "sso.partner_settings", _is_partner_admin, order=96, group="Admin")
add_entry_gate(password_allowed)
FLOW_KEY = "sso_flow"
FLOW_TTL_SECONDS = 600
NO_SSO = "That workspace does not offer single sign-on."


def _tenant(slug: str) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug.strip().lower()))
    if tenant is None:
        abort(404, NO_SSO)
    return tenant


@bp.route("/auth/sso", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"], scope="sso-enter")
def enter():
    """Ask for the workspace and the work address; its domain finds the organisation's provider."""
    form = SignInForm()
    if form.validate_on_submit():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == form.workspace.data.strip().lower()))
        config = None
        if tenant is not None:
            # The workspace is named, so its scope (and row-level security) applies as usual.
            with tenant_scope(tenant.id):
                config = connection_for_email(form.email.data)
                if config is not None:
                    db.session.expunge(config)
        if config is None:
            form.email.errors.append("No single sign-on is set up for that address in that workspace.")
        else:
            # A form may only post (and be redirected) to this site (CSP form-action), so hand over
            # to the identity provider with a plain navigation instead of a redirect.
            return _begin(tenant, config, handover_page=True, login_hint=form.email.data.strip())
    return render_template("sso/enter.html", form=form), (422 if form.errors else 200)


@bp.get("/auth/sso/<slug>")
@limiter.limit("30 per minute", scope="sso-begin")
def begin(slug: str):
    """Start at the workspace's own provider (the link vendor staff are given)."""
    tenant = _tenant(slug)
    with tenant_scope(tenant.id):
        config = connection_of(None)
        if config is not None:
            db.session.expunge(config)
    if config is None or not config.enabled:
        abort(404, NO_SSO)
    return _begin(tenant, config)


def _begin(tenant: Tenant, config: SsoConnection, handover_page: bool = False, login_hint: str = ""):
    """Send the browser to the identity provider with state, nonce and a PKCE challenge."""
    try:
        flow = start(config, url_for("sso.callback", _external=True), login_hint)
    except SsoError as exc:
        return render_template("error.html", status=502, message=str(exc)), 502
    session[FLOW_KEY] = {"tenant": str(tenant.id), "connection": str(config.id), "state": flow.state,
                         "nonce": flow.nonce, "verifier": flow.code_verifier, "at": utcnow().timestamp()}
    if handover_page:
        return render_template("sso/handover.html", url=flow.url, tenant=tenant)
    return redirect(flow.url)


def _refuse(status: int, message: str):
    return render_template("error.html", status=status, message=message), status


@bp.get("/auth/sso/callback")
def callback():
    """Verify the provider's answer, then sign the person in to that organisation of that workspace."""
    flow = session.pop(FLOW_KEY, None)
    if not flow or request.args.get("state") != flow["state"] or utcnow().timestamp() - flow["at"] > FLOW_TTL_SECONDS:
        return _refuse(400, "This sign-in link is stale. Start again.")
    if request.args.get("error"):
        return _refuse(403, "The identity provider did not sign you in.")
    tenant = db.session.get(Tenant, uuid.UUID(flow["tenant"]))
    if tenant is None:
        return _refuse(400, "This sign-in link is stale. Start again.")
    with tenant_scope(tenant.id):
        config = db.session.scalar(select(SsoConnection).where(SsoConnection.id == uuid.UUID(flow["connection"])))
        if config is None or not config.enabled:
            abort(404, NO_SSO)
        try:
            claims = finish(config, url_for("sso.callback", _external=True), request.args.get("code", ""),
                            flow["nonce"], flow["verifier"])
            membership = resolve_member(config, claims)
        except SsoError as exc:
            return _refuse(403, str(exc))
        user = db.session.get(User, membership.user_id)
        session.clear()  # rotate, as with a password sign-in
        session[SSO_SESSION_KEY] = str(config.id)
        login_session = start_login_session(user)
        login_session.tenant_id, login_session.membership_id = tenant.id, membership.id
        login_user(user)
        record("auth.sso_login", object_type="user", object_id=user.id, actor=(user.id, user.email),
               summary=f"{user.email} signed in with single sign-on")
    return redirect(url_for("home.index"))


@bp.route("/settings/sso", methods=["GET", "POST"])
def settings():
    """The workspace's identity provider, for vendor staff (vendor admin)."""
    actor = current_actor()
    require(can_manage_programme(actor))
    partners = {p.id: p for p in db.session.scalars(select(Partner))}
    others = [(partners.get(c.partner_id), c, domains_of(c))
              for c in db.session.scalars(select(SsoConnection).where(SsoConnection.partner_id.is_not(None)))]
    return _connection_page(actor, None, "sso.settings", partner_connections=others,
                            sign_in_url=url_for("sso.begin", slug=actor.tenant.slug, _external=True))


@bp.route("/settings/sso/partner", methods=["GET", "POST"])
def partner_settings():
    """The partner's own identity provider, for its staff (partner admin)."""
    actor = current_actor()
    require(_is_partner_admin(actor))
    return _connection_page(actor, actor.partner_id, "sso.partner_settings",
                            sign_in_url=url_for("sso.enter", _external=True))


def _connection_page(actor, partner_id, endpoint: str, **extra):
    config = connection_of(partner_id)
    form = ConnectionForm(jit_roles(partner_id))
    if form.validate_on_submit():
        if config is not None and form.version.data != str(config.version):
            form.issuer.errors.append("Someone else changed these settings first; reload to see them.")
        else:
            try:
                save_connection(partner_id, issuer=form.issuer.data.strip(), client_id=form.client_id.data.strip(),
                                secret=form.client_secret.data or None, domains=form.domains(),
                                jit_enabled=form.jit_enabled.data, jit_role=form.jit_role.data,
                                password_allowed=form.password_allowed.data, enabled=form.enabled.data)
            except InvalidInput as exc:
                for field, message in exc.fields.items():
                    getattr(form, field).errors.append(message)
            else:
                flash("Single sign-on settings saved.", "success")
                return redirect(url_for(endpoint))
    elif not form.is_submitted() and config is not None:
        form.issuer.data, form.client_id.data = config.issuer, config.client_id
        form.allowed_domains.data = ", ".join(domains_of(config))
        form.jit_enabled.data, form.jit_role.data = config.jit_enabled, config.jit_role
        form.password_allowed.data, form.enabled.data = config.password_allowed, config.enabled
        form.version.data = str(config.version)
    return render_template("sso/settings.html", form=form, config=config, tenant=actor.tenant,
                           partner_id=partner_id, callback_url=url_for("sso.callback", _external=True),
                           **extra), (422 if form.errors else 200)
