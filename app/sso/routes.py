"""Sign in through the workspace's identity provider; vendor admins configure it."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import login_user
from sqlalchemy import select

from app.audit.services import record
from app.auth.context import current_actor
from app.auth.models import Membership, User
from app.auth.policies import can_manage_programme, require
from app.auth.services import normalise_email, start_login_session
from app.core.db import utcnow
from app.core.registry import add_nav
from app.extensions import db, limiter
from app.sso import bp
from app.sso.forms import SsoSettingsForm, WorkspaceForm
from app.sso.models import SsoConfig
from app.sso.services import SsoError, email_allowed, finish, start
from app.tenancy import tenant_scope
from app.tenants.models import Tenant

add_nav("Single sign-on", "sso.settings", can_manage_programme, order=96, group="Admin")
FLOW_KEY = "sso_flow"
FLOW_TTL_SECONDS = 600


def _config_for(slug: str) -> tuple[Tenant, SsoConfig]:
    # The workspace is named in the URL, so its scope (and row-level security) applies as usual.
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug.strip().lower()))
    config = None
    if tenant is not None:
        with tenant_scope(tenant.id):
            config = db.session.scalar(select(SsoConfig))
    if tenant is None or config is None or not config.enabled:
        abort(404, "That workspace does not offer single sign-on.")
    return tenant, config


@bp.route("/auth/sso", methods=["GET", "POST"])
def enter():
    """Ask which workspace to sign in to."""
    form = WorkspaceForm()
    if form.validate_on_submit():
        # A form may only post (and be redirected) to this site (CSP form-action), so hand over
        # to the identity provider with a plain navigation instead of a redirect.
        return begin(form.workspace.data.strip().lower(), handover_page=True)
    return render_template("sso/enter.html", form=form), (422 if form.errors else 200)


@bp.get("/auth/sso/<slug>")
@limiter.limit("30 per minute", scope="sso-begin")
def begin(slug: str, handover_page: bool = False):
    """Send the browser to the identity provider with state, nonce and a PKCE challenge."""
    tenant, config = _config_for(slug)
    try:
        flow = start(config, url_for("sso.callback", _external=True))
    except SsoError as exc:
        return render_template("error.html", status=502, message=str(exc)), 502
    session[FLOW_KEY] = {"tenant": str(tenant.id), "slug": tenant.slug, "state": flow.state, "nonce": flow.nonce,
                         "verifier": flow.code_verifier, "at": utcnow().timestamp()}
    if handover_page:
        return render_template("sso/handover.html", url=flow.url, tenant=tenant)
    return redirect(flow.url)


@bp.get("/auth/sso/callback")
def callback():
    """Verify the provider's answer, then sign the member in to that workspace."""
    from flask import request

    flow = session.pop(FLOW_KEY, None)
    if not flow or request.args.get("state") != flow["state"] or utcnow().timestamp() - flow["at"] > FLOW_TTL_SECONDS:
        return render_template("error.html", status=400, message="This sign-in link is stale. Start again."), 400
    if request.args.get("error"):
        return render_template("error.html", status=403, message="The identity provider did not sign you in."), 403
    tenant, config = _config_for(flow["slug"])
    try:
        claims = finish(config, url_for("sso.callback", _external=True), request.args.get("code", ""),
                        flow["nonce"], flow["verifier"])
    except SsoError as exc:
        return render_template("error.html", status=403, message=str(exc)), 403
    email = normalise_email(claims.get("email", ""))
    if not email or claims.get("email_verified") is not True or not email_allowed(config, email):
        return render_template("error.html", status=403,
                               message="Your identity provider did not confirm an address this workspace accepts."), 403
    user = db.session.scalar(select(User).where(User.email == email))
    with tenant_scope(tenant.id):
        membership = user and db.session.scalar(select(Membership).where(
            Membership.user_id == user.id, Membership.active.is_(True)))
        if user is None or membership is None or not user.active:
            return render_template("error.html", status=403,
                                   message="You have no access to this workspace. Ask its administrator for an invitation."), 403
        session.clear()  # rotate, as with a password sign-in
        login_session = start_login_session(user)
        login_session.tenant_id, login_session.membership_id = tenant.id, membership.id
        login_user(user)
        record("auth.sso_login", object_type="user", object_id=user.id, actor=(user.id, user.email),
               summary=f"{email} signed in with single sign-on")
    return redirect(url_for("home.index"))


@bp.route("/settings/sso", methods=["GET", "POST"])
def settings():
    """The workspace's identity provider (vendor admin)."""
    actor = current_actor()
    require(can_manage_programme(actor))
    config = db.session.scalar(select(SsoConfig))
    form = SsoSettingsForm()
    if form.validate_on_submit():
        if config is not None and form.version.data != str(config.version):
            form.issuer.errors.append("Someone else changed these settings first; reload to see them.")
        elif config is None and not form.client_secret.data:
            form.client_secret.errors.append("Enter the client secret.")
        else:
            before = _public(config) if config else None
            if config is None:
                config = SsoConfig(client_secret=form.client_secret.data)
                db.session.add(config)
            config.issuer = form.issuer.data.strip()
            config.client_id = form.client_id.data.strip()
            if form.client_secret.data:
                config.client_secret = form.client_secret.data
            config.allowed_domains = form.domains()
            config.enabled = form.enabled.data
            db.session.flush()
            record("settings.sso", object_type="sso_config", object_id=config.id, before=before,
                   after=_public(config), summary="Single sign-on settings changed")
            flash("Single sign-on settings saved.", "success")
            return redirect(url_for("sso.settings"))
    elif not form.is_submitted() and config is not None:
        form.issuer.data, form.client_id.data = config.issuer, config.client_id
        form.allowed_domains.data = ", ".join(config.allowed_domains or [])
        form.enabled.data, form.version.data = config.enabled, str(config.version)
    return render_template("sso/settings.html", form=form, config=config, tenant=actor.tenant,
                           sign_in_url=url_for("sso.begin", slug=actor.tenant.slug, _external=True),
                           callback_url=url_for("sso.callback", _external=True)), (422 if form.errors else 200)


def _public(config: SsoConfig) -> dict:
    """What the audit trail keeps: never the secret."""
    return {"issuer": config.issuer, "client_id": config.client_id, "allowed_domains": config.allowed_domains,
            "enabled": config.enabled}
