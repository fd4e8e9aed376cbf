"""Sign-in flows. Failures say nothing about which part was wrong (no user enumeration)."""
from __future__ import annotations

import uuid

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.audit.services import record
from app.auth import bp
from app.core.registry import entry_allowed
from app.auth.models import User
from app.auth.linkmail import send_link_mail
from app.auth.forms import ChangePasswordForm, LoginForm, NewPasswordForm, ResetRequestForm
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.auth.services import (
    SSO_SESSION_KEY, active_memberships, consume_email_token, end_all_sessions, end_login_session, find_user,
    normalise_email, peek_email_token, start_login_session,
)
from app.extensions import db, limiter
from app.tenancy import tenant_scope


def _login_failed(response) -> bool:
    # 403: the password was right but SSO is required; still counted, so it is no free oracle.
    return response.status_code in (401, 403)


def _login_email_key() -> str:
    return "email:" + normalise_email(request.form.get("email", ""))


def _failure_limit() -> str:
    return current_app.config["LOGIN_FAILURE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_failure_limit, key_func=_login_email_key, methods=["POST"], deduct_when=_login_failed,
               scope="login-email")
@limiter.limit(_failure_limit, methods=["POST"], deduct_when=_login_failed, scope="login-address")
def login():
    """Email and password sign-in; rotates the session on success."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        ok = verify_password(user.password_hash if user else None, form.password.data)
        if user is not None and ok and user.active:
            memberships = active_memberships(user)
            if memberships and not _enterable(memberships, None):
                # The password is right, but every organisation of this person signs in with SSO only.
                form.email.errors.append("Your organisation signs in with single sign-on: use "
                                         "\"Sign in with your company account\".")
                return render_template("auth/login.html", form=form), 403
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            session.clear()  # rotate: nothing from before sign-in survives
            start_login_session(user)
            login_user(user)
            return redirect(_safe_next() or url_for("auth.choose_tenant"))
        form.password.errors.append("That email and password do not match an active account.")
        return render_template("auth/login.html", form=form), 401
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


def _safe_next() -> str | None:
    target = request.args.get("next", "")
    # Only same-site paths: no scheme, no host, no protocol-relative URLs.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.post("/logout")
@login_required
def logout():
    end_login_session(current_user.login_session)
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/tenants", methods=["GET", "POST"])
@login_required
def choose_tenant():
    """Pick a tenant after sign-in, or switch to another one."""
    choices = _enterable(active_memberships(current_user), session.get(SSO_SESSION_KEY))
    if request.method == "POST":
        try:
            wanted = uuid.UUID(request.form.get("membership_id", ""))
        except ValueError:
            abort(404)
        for membership, tenant in choices:
            if membership.id == wanted:
                return _enter(membership, tenant)
        abort(404)
    if len(choices) == 1 and not current_user.login_session.membership_id:
        return _enter(*choices[0])
    return render_template("auth/choose_tenant.html", choices=choices)


def _enterable(choices, sso_connection_id):
    """The memberships this session may enter (an organisation may refuse password sessions)."""
    allowed = []
    for membership, tenant in choices:
        with tenant_scope(tenant.id):
            if entry_allowed(membership, sso_connection_id):
                allowed.append((membership, tenant))
    return allowed


def _enter(membership, tenant):
    login_session = current_user.login_session
    login_session.tenant_id = tenant.id
    login_session.membership_id = membership.id
    return redirect(url_for("home.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], scope="reset-request")
def reset_request():
    """Ask for a reset link; the answer is the same whether the address is known or not."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if user is not None and user.active:
            send_link_mail("reset", user)  # by the worker when the queue is on: a slow SMTP server waits there
        flash("If that address has an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form), (422 if form.errors else 200)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    email_token = peek_email_token(token, "reset")
    if email_token is None:
        return render_template("auth/token_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        user = db.session.get(User, email_token.user_id)
        user.password_hash = hash_password(form.password.data)
        consume_email_token(email_token)
        end_all_sessions(user.id)
        flash("Your password is set. Sign in with it now.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/new_password.html", form=form, title="Choose a new password"), (
        422 if form.errors else 200)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """An invited person sets a password (new users) and can then sign in."""
    email_token = peek_email_token(token, "invite")
    if email_token is None:
        return render_template("auth/token_invalid.html"), 404
    user = db.session.get(User, email_token.user_id)
    if user.password_hash:
        consume_email_token(email_token)
        _audit_acceptance(email_token, user)
        flash("Invitation accepted. Sign in to continue.", "success")
        return redirect(url_for("auth.login"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        user.password_hash = hash_password(form.password.data)
        consume_email_token(email_token)
        _audit_acceptance(email_token, user)
        flash("Welcome to Tandem. Sign in with your new password.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/new_password.html", form=form, title="Accept your invitation",
                           email=user.email), (422 if form.errors else 200)


def _audit_acceptance(email_token, user) -> None:
    if email_token.tenant_id:
        with tenant_scope(email_token.tenant_id):
            record("membership.invitation_accepted", object_type="user", object_id=user.id,
                   summary=f"{user.email} accepted the invitation", actor=(user.id, user.email))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The signed-in person's own settings: password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            current_user.password_hash = hash_password(form.password.data)
            flash("Password changed.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), (422 if form.errors else 200)
