"""Sign-in sessions, memberships, e-mailed tokens and API tokens."""
from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import delete, select

from app.auth.models import ApiToken, EmailToken, LoginSession, Membership, User
from app.core.db import utcnow
from app.extensions import db
from app.security.rls import signin_lookup
from app.tenancy import unscoped
from app.tenants.models import Tenant


SSO_SESSION_KEY = "sso_connection"  # set by app.sso: the connection this session signed in through


def digest(raw: str) -> str:
    """SHA-256 of a random token; only digests are stored."""
    return hashlib.sha256(raw.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def start_login_session(user: User) -> LoginSession:
    """A fresh server-side session for a successful sign-in (the id is never reused)."""
    login_session = LoginSession(
        id=secrets.token_urlsafe(32),
        user_id=user.id,
        remote_addr=(request.remote_addr or "")[:64],
        user_agent=(request.user_agent.string or "")[:300],
    )
    db.session.add(login_session)
    user.last_login_at = utcnow()
    user.login_session = login_session
    return login_session


def end_login_session(login_session: LoginSession | None) -> None:
    if login_session is not None:
        db.session.execute(delete(LoginSession).where(LoginSession.id == login_session.id))


def end_all_sessions(user_id: uuid.UUID) -> None:
    """Sign a user out everywhere (deactivation, password reset)."""
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))


def session_expired(login_session: LoginSession) -> bool:
    """Idle and absolute time-outs."""
    now = utcnow()
    cfg = current_app.config
    return (
        now - login_session.last_seen_at > cfg["SESSION_IDLE_TIMEOUT"]
        or now - login_session.created_at > cfg["SESSION_ABSOLUTE_TIMEOUT"]
    )


def active_memberships(user: User) -> list[tuple[Membership, Tenant]]:
    """Every tenant the user may enter, by tenant name."""
    with unscoped("list a user's tenants at sign-in"), signin_lookup(db.session, "app.lookup_user", str(user.id)):
        rows = db.session.execute(
            select(Membership, Tenant)
            .join(Tenant, Tenant.id == Membership.tenant_id)
            .where(Membership.user_id == user.id, Membership.active.is_(True))
            .order_by(Tenant.name)
        ).all()
    return [(m, t) for m, t in rows]


def issue_email_token(user: User, purpose: str, ttl: timedelta, tenant_id: uuid.UUID | None = None) -> str:
    """A single-use token for a link; earlier unused tokens of the same purpose are voided."""
    db.session.execute(
        delete(EmailToken).where(
            EmailToken.user_id == user.id, EmailToken.purpose == purpose, EmailToken.used_at.is_(None)
        )
    )
    raw = secrets.token_urlsafe(32)
    db.session.add(EmailToken(
        purpose=purpose, token_hash=digest(raw), user_id=user.id, tenant_id=tenant_id,
        expires_at=utcnow() + ttl,
    ))
    return raw


def peek_email_token(raw: str, purpose: str) -> EmailToken | None:
    """The token if it exists, is unused and unexpired."""
    token = db.session.scalar(
        select(EmailToken).where(EmailToken.token_hash == digest(raw or ""), EmailToken.purpose == purpose)
    )
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    return token


def consume_email_token(token: EmailToken) -> None:
    token.used_at = utcnow()


def create_api_token(membership: Membership, name: str = "") -> str:
    """A new bearer token for a membership; the raw value is shown once."""
    raw = "tdm_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(tenant_id=membership.tenant_id, membership_id=membership.id,
                            name=name[:100], token_hash=digest(raw)))
    return raw


def resolve_api_token(raw: str) -> ApiToken | None:
    """The live token for a bearer value, across tenants (the token names its tenant)."""
    token_hash = digest(raw)
    with unscoped("resolve a bearer token to its tenant"), signin_lookup(db.session, "app.lookup_token", token_hash):
        token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))
    if token is None or token.revoked_at is not None:
        return None
    return token
