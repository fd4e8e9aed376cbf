"""The request lifecycle: who is acting, the tenant scope, the one commit, headers, errors."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, Request, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from app.auth.context import Actor
from app.auth.models import LoginSession, Membership, User
from app.auth.services import end_login_session, session_expired
from app.core.db import utcnow
from app.extensions import db, login_manager
from app.tenancy import reset_tenant, set_tenant
from app.tenants.models import Tenant

# Routes that work without a chosen tenant (sign-in and its helpers, static files).
TENANTLESS_ENDPOINTS = {
    "static", "auth.login", "auth.logout", "auth.choose_tenant", "auth.reset_request",
    "auth.reset_password", "auth.accept_invitation", "auth.account", "health",
    "sso.enter", "sso.begin", "sso.callback", "home.api_reference",
}

ERROR_TEXT = {
    400: "The request could not be understood.",
    401: "Sign in first.",
    403: "Your role may not do that.",
    404: "Not found.",
    405: "That method is not allowed here.",
    409: "Someone changed this in the meantime, or it is locked. Reload and try again.",
    413: "That upload is too large.",
    422: "Some input is not valid.",
    429: "Too many attempts. Wait a few minutes and try again.",
    500: "Something went wrong on our side.",
}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    # One statement for the session and its user (every request passes here).
    found = db.session.execute(select(LoginSession, User).outerjoin(User, User.id == LoginSession.user_id)
                               .where(LoginSession.id == session_id)).first()
    if found is None:
        return None
    login_session, user = found
    if user is None or not user.active or session_expired(login_session):
        end_login_session(login_session)  # committed with the redirect to sign-in
        return None
    # Touch at most once a minute: idle time-out without a write per request.
    if utcnow() - login_session.last_seen_at > timedelta(minutes=1):
        login_session.last_seen_at = utcnow()
    user.login_session = login_session
    return user


def _load_actor():
    """Resolve the session's membership into g.actor and set the tenant scope."""
    if is_api_request() or request.endpoint in TENANTLESS_ENDPOINTS or request.endpoint is None:
        return None
    if request.method == "OPTIONS":
        return None  # Flask's automatic answer: Allow only, no data (RFC 9110 9.3.7)
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    login_session = current_user.login_session
    if not login_session.membership_id:
        return redirect(url_for("auth.choose_tenant"))
    g.tenant_token = set_tenant(login_session.tenant_id)
    # The membership and its tenant in one statement.
    found = db.session.execute(select(Membership, Tenant).join(Tenant, Tenant.id == Membership.tenant_id)
                               .where(Membership.id == login_session.membership_id)).first()
    membership, tenant = found if found is not None else (None, None)
    if membership is None or not membership.active:
        # Revoked membership: the session loses this tenant at its very next request.
        login_session.membership_id = None
        login_session.tenant_id = None
        return redirect(url_for("auth.choose_tenant"))
    g.actor = Actor(user=current_user._get_current_object(), tenant=tenant, membership=membership)
    return None


def _commit_or_roll_back(response):
    # The one place a request's transaction is committed: only on success.
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    return response


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    from flask import current_app
    # Only over HTTPS (RFC 6797 8.1): behind a TLS-terminating proxy, request.is_secure comes from
    # X-Forwarded-Proto, which is believed only when PROXY_FIX_X_PROTO is set (wrap_proxy_fix).
    if current_app.config.get("HSTS") and request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def upload(view):
    """Mark a view that takes a file upload: its body may reach UPLOAD_MAX_BYTES, not MAX_CONTENT_LENGTH."""
    view.takes_upload = True
    return view


class TandemRequest(Request):
    """Flask's request with the body limit chosen per view (the one place limits are decided)."""

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        from flask import current_app

        if self._max_content_length is not None:
            return self._max_content_length
        view = current_app.view_functions.get(self.endpoint or "")
        if getattr(view, "takes_upload", False):
            return current_app.config.get("UPLOAD_MAX_BYTES")
        return current_app.config.get("MAX_CONTENT_LENGTH")

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        """Uploads to @upload views spool to a named file in UPLOAD_SPOOL_DIR (deleted when the request ends).

        A view that keeps the file (an import queued as a job) hard-links it where it belongs instead
        of copying it: the request that enqueues a large import does no work in proportion to its size.
        """
        from flask import current_app

        view = current_app.view_functions.get(self.endpoint or "")
        folder = current_app.config.get("UPLOAD_SPOOL_DIR")
        if not (folder and getattr(view, "takes_upload", False)):
            return super()._get_file_stream(total_content_length, content_type, filename, content_length)
        import tempfile
        from pathlib import Path

        Path(folder).mkdir(parents=True, exist_ok=True)
        return tempfile.NamedTemporaryFile("wb+", dir=folder, prefix="upload-", suffix=".part")


def wrap_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* from as many proxies as PROXY_FIX_X_* say; all 0 (the default) trusts none."""
    counts = {key: int(app.config.get(f"PROXY_FIX_X_{key.upper()}", 0) or 0) for key in ("for", "proto", "host")}
    if any(counts.values()):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=counts["for"], x_proto=counts["proto"],  # type: ignore[method-assign]
                                x_host=counts["host"])


def _limit_text(limit: int | None) -> str:
    if not limit:
        return "the limit"
    if limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    return f"{limit:,} bytes"


def _end_request(exc):
    token = g.get("tenant_token")
    if token is not None:
        reset_tenant(token)
    # Nothing of this request outlives it, even where the app context does (tests, commands):
    # no identity-map objects, no cached user, no cached CSRF token.
    db.session.remove()
    for key in list(g):
        g.pop(key)


def error_response(status: int, message: str | None = None, fields: dict | None = None, **extra):
    """A JSON error for the API or a page for people, with the same status code."""
    message = message or ERROR_TEXT.get(status, "Error.")
    if is_api_request():
        body = {"error": {"code": _code(status), "message": message, "fields": fields or {}}}
        body["error"].update(extra)
        response = jsonify(body)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="tandem"'  # RFC 9110 15.5.2
        return response, status
    return render_template("error.html", status=status, message=message), status


def _code(status: int) -> str:
    return {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid",
            429: "too_many_requests", 500: "server_error"}.get(status, "error")


def register_request_lifecycle(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.session_protection = None  # server-side sessions do the job
    login_manager.login_message = None

    @login_manager.unauthorized_handler
    def _unauthorized():
        if is_api_request():
            return error_response(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    app.before_request(_load_actor)
    app.after_request(_commit_or_roll_back)
    app.after_request(_security_headers)
    app.teardown_request(_end_request)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        db.session.rollback()
        if exc.code == 401 and not is_api_request():
            logout_user()
            return redirect(url_for("auth.login"))
        # A description passed to the exception is meant for the reader; the class default is not.
        message = exc.description if "description" in exc.__dict__ else None
        if exc.code == 413:
            upload = getattr(app.view_functions.get(request.endpoint or ""), "takes_upload", False)
            limit = request.max_content_length
            message = (f"That upload is larger than {_limit_text(limit)} (UPLOAD_MAX_BYTES); split the file and try again."
                       if upload else f"The request body is larger than {_limit_text(limit)} (MAX_CONTENT_LENGTH).")
            return error_response(413, message, {"body": message}, limit=limit)
        response, status = error_response(exc.code or 500, message, getattr(exc, "fields", None),
                                          **getattr(exc, "extra", {}))
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            # RFC 9110 15.5.6: a 405 names the methods the resource does allow.
            response = app.make_response((response, status))
            response.headers["Allow"] = ", ".join(sorted(set(exc.valid_methods) | {"OPTIONS"}))
            return response
        return response, status

    @app.errorhandler(StaleDataError)
    def _stale(exc):
        db.session.rollback()
        return error_response(409, "Someone else changed this record first. Reload it and apply your change again.")

    @app.errorhandler(Exception)
    def _unexpected(exc):
        db.session.rollback()
        app.logger.exception("unhandled error")
        if app.config.get("TESTING") and app.config.get("PROPAGATE_EXCEPTIONS", True):
            raise exc
        return error_response(500)
