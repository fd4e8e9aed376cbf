"""Bearer-token authentication for every API request."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, request
from sqlalchemy import select

from app.api import bp
from app.auth.context import Actor
from app.auth.models import Membership, User
from app.auth.services import resolve_api_token
from app.core.db import utcnow
from app.core.web import error_response
from app.extensions import csrf, db
from app.tenancy import set_tenant
from app.tenants.models import Tenant

csrf.exempt(bp)  # no cookies are honoured here, only bearer tokens

PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS or request.method == "OPTIONS":
        return None  # OPTIONS answers Allow only (RFC 9110 9.3.7); no data, so no token needed
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return error_response(401, "Send Authorization: Bearer <token>.")
    token = resolve_api_token(raw.strip())
    if token is None:
        return error_response(401, "That token is not valid.")
    g.tenant_token = set_tenant(token.tenant_id)
    membership = db.session.scalar(select(Membership).where(Membership.id == token.membership_id))
    user = db.session.get(User, membership.user_id) if membership else None
    if membership is None or not membership.active or user is None or not user.active:
        return error_response(401, "That token is not valid.")
    # At most once a minute, as for sign-in sessions: a poll (a job's progress) need not write, and
    # on SQLite a write waits while a job holds the one write lock.
    if token.last_used_at is None or utcnow() - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = utcnow()
    g.actor = Actor(user=user, tenant=db.session.get(Tenant, token.tenant_id), membership=membership)
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and not getattr(view, "takes_upload", False):
        # Every write's body is parsed here, through the one parser, whether or not its view reads
        # it: a malformed, too deep or too large body answers 422 / 413 on every route alike.
        from app.api.helpers import parsed_body

        parsed_body()
    from app.api import idempotency

    return idempotency.begin(token.id, view)


@bp.after_request
def store_idempotent_answer(response):
    # Blueprint after_request functions run before the app's commit (app.core.web).
    from app.api import idempotency

    return idempotency.finish(response)
