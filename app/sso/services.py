"""SSO connections per organisation and the OpenID Connect code flow (PKCE, state, nonce; authlib + joserfc).

A person is linked to a membership by (issuer, subject) on first sign-in and found by that pair ever
after; the e-mail address only routes to a connection and, once, proves a verified address at one of
the organisation's domains. A link never crosses organisations: a membership of another partner (or of
the vendor), or an identity linked through another connection, is refused.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select

from app.audit.services import record
from app.auth import roles
from app.auth.models import Membership, User
from app.auth.services import normalise_email
from app.core.db import utcnow
from app.core.errors import InvalidInput
from app.extensions import db
from app.sso.models import WORKSPACE, SsoConnection, SsoDomain, SsoIdentity
from app.sso.sealed import seal, unseal

TIMEOUT = 10
CLIENT_AUTH_METHOD = "client_secret_basic"  # the OAuth method's name, not a credential
_DISCOVERY_TTL = 300
MISSING_CLIENT_KEY = "Enter the client secret."  # a form message, not a credential
_discovery_cache: dict[str, tuple[float, dict]] = {}


class SsoError(Exception):
    """The provider's answer cannot be trusted or does not identify a member."""


def discover(issuer: str) -> dict:
    """The provider's metadata, cached for a few minutes; its issuer must match exactly."""
    cached = _discovery_cache.get(issuer)
    if cached and time.monotonic() - cached[0] < _DISCOVERY_TTL:
        return cached[1]
    try:
        response = requests.get(issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=TIMEOUT)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SsoError(f"the identity provider at {issuer} did not answer its discovery document") from exc
    if metadata.get("issuer") != issuer:
        raise SsoError("the identity provider names a different issuer than configured")
    _discovery_cache[issuer] = (time.monotonic(), metadata)
    return metadata


@dataclass
class Start:
    url: str
    state: str
    nonce: str
    code_verifier: str


def start(config: SsoConnection, redirect_uri: str, login_hint: str = "") -> Start:
    """Where to send the browser, and the secrets to keep in the session until it returns."""
    metadata = discover(config.issuer)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    client = OAuth2Session(config.client_id, client_secret(config), scope="openid email profile",
                           redirect_uri=redirect_uri, code_challenge_method="S256")
    extra = {"login_hint": login_hint} if login_hint else {}
    url, _ = client.create_authorization_url(metadata["authorization_endpoint"], state=state,
                                             code_verifier=verifier, nonce=nonce, **extra)
    return Start(url, state, nonce, verifier)


def finish(config: SsoConnection, redirect_uri: str, code: str, nonce: str, code_verifier: str) -> dict:
    """Exchange the code, verify the ID token, and return the verified identity claims."""
    metadata = discover(config.issuer)
    client = OAuth2Session(config.client_id, client_secret(config), redirect_uri=redirect_uri,
                           token_endpoint_auth_method=CLIENT_AUTH_METHOD)
    try:
        token = client.fetch_token(metadata["token_endpoint"], code=code, code_verifier=code_verifier,
                                   grant_type="authorization_code", timeout=TIMEOUT)
    except Exception as exc:  # authlib raises several error types for a refused code
        raise SsoError("the identity provider refused the sign-in code") from exc
    id_claims = verify_id_token(config, metadata, token.get("id_token"), nonce)
    try:
        userinfo = client.get(metadata["userinfo_endpoint"], timeout=TIMEOUT).json()
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise SsoError("the identity provider did not return the user's profile") from exc
    if userinfo.get("sub") != id_claims["sub"]:
        raise SsoError("the profile does not belong to the signed-in subject")
    return {**userinfo, "sub": id_claims["sub"]}


def verify_id_token(config: SsoConnection, metadata: dict, id_token: str | None, nonce: str) -> dict:
    if not id_token:
        raise SsoError("the identity provider sent no ID token")
    try:
        keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json())
        decoded = jwt.decode(id_token, keys, algorithms=metadata.get("id_token_signing_alg_values_supported")
                             or ["RS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": config.issuer},
            aud={"essential": True, "value": config.client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(decoded.claims)
    except (JoseError, requests.RequestException, ValueError, KeyError) as exc:
        raise SsoError("the ID token could not be verified") from exc
    return decoded.claims


def _secret_key() -> str:
    return current_app.config["SECRET_KEY"]


def client_secret(config: SsoConnection) -> str:
    return unseal(config.client_secret_sealed, _secret_key())


def set_client_secret(config: SsoConnection, plain: str) -> None:
    config.client_secret_sealed = seal(plain, _secret_key())


def email_domain(email: str) -> str:
    return normalise_email(email).rsplit("@", 1)[-1] if "@" in (email or "") else ""


def connection_of(partner_id: uuid.UUID | None) -> SsoConnection | None:
    """The organisation's connection in the current tenant (None: the workspace's)."""
    return db.session.scalar(select(SsoConnection).where(SsoConnection.owner == _owner(partner_id)))


def _owner(partner_id: uuid.UUID | None) -> str:
    return WORKSPACE if partner_id is None else str(partner_id)


def connection_for_email(email: str) -> SsoConnection | None:
    """The enabled connection whose domains include the address's, in the current tenant."""
    domain = email_domain(email)
    if not domain:
        return None
    return db.session.scalar(
        select(SsoConnection).join(SsoDomain, (SsoDomain.connection_id == SsoConnection.id)
                                   & (SsoDomain.tenant_id == SsoConnection.tenant_id))
        .where(SsoDomain.domain == domain, SsoConnection.enabled.is_(True)))


def domains_of(config: SsoConnection) -> list[str]:
    return sorted(db.session.scalars(select(SsoDomain.domain).where(SsoDomain.connection_id == config.id)))


def jit_roles(partner_id: uuid.UUID | None) -> tuple[str, ...]:
    """Roles a first sign-in may create: never an admin of the vendor."""
    if partner_id is None:
        return (roles.VENDOR_VIEWER, roles.CHANNEL_MANAGER)
    return (roles.PARTNER_USER, roles.PARTNER_ADMIN)


def public(config: SsoConnection) -> dict:
    """What the audit trail and the pages keep: never the secret."""
    return {"partner_id": config.partner_id, "issuer": config.issuer, "client_id": config.client_id,
            "allowed_domains": domains_of(config), "jit_enabled": config.jit_enabled, "jit_role": config.jit_role,
            "password_allowed": config.password_allowed, "enabled": config.enabled}


def save_connection(partner_id: uuid.UUID | None, *, issuer: str, client_id: str, secret: str | None,
                    domains: list[str], jit_enabled: bool, jit_role: str | None, password_allowed: bool,
                    enabled: bool, actor=None) -> SsoConnection:
    """Create or change the organisation's connection; InvalidInput names the field at fault."""
    config = connection_of(partner_id)
    errors = {}
    if config is None and not secret:
        errors["client_secret"] = MISSING_CLIENT_KEY
    if not domains:
        errors["allowed_domains"] = "Enter at least one e-mail domain: sign-in finds the connection by it."
    taken = db.session.scalars(select(SsoDomain.domain).where(
        SsoDomain.domain.in_(domains), *([SsoDomain.connection_id != config.id] if config else []))).all()
    if taken:
        errors["allowed_domains"] = f"Already used by another connection of this workspace: {', '.join(sorted(taken))}."
    if jit_enabled and jit_role not in jit_roles(partner_id):
        errors["jit_role"] = f"Choose one of {', '.join(jit_roles(partner_id))}."
    if errors:
        raise InvalidInput(errors)
    before = public(config) if config else None
    if config is not None and config.issuer != issuer:
        # Subjects are only unique per issuer: links to the old provider mean nothing at the new one,
        # so members are matched again (once, by verified address) at their next sign-in.
        for identity in db.session.scalars(select(SsoIdentity).where(SsoIdentity.connection_id == config.id)):
            db.session.delete(identity)
    if config is None:
        config = SsoConnection(id=uuid.uuid4(), partner_id=partner_id, owner=_owner(partner_id))
        db.session.add(config)
    config.issuer, config.client_id = issuer, client_id
    if secret:
        set_client_secret(config, secret)
    config.jit_enabled, config.jit_role = jit_enabled, (jit_role if jit_enabled else None)
    config.password_allowed, config.enabled = password_allowed, enabled
    db.session.flush()
    current = {d.domain: d for d in db.session.scalars(select(SsoDomain).where(SsoDomain.connection_id == config.id))}
    for domain, row in current.items():
        if domain not in domains:
            db.session.delete(row)
    db.session.flush()
    for domain in domains:
        if domain not in current:
            db.session.add(SsoDomain(connection_id=config.id, domain=domain))
    db.session.flush()
    record("sso.connection_save", object_type="sso_connection", object_id=config.id, before=before,
           after=public(config), actor=actor,
           summary=("Workspace" if partner_id is None else "Partner") + " single sign-on connection saved"
           + (" (new client secret)" if secret else ""))
    return config


def resolve_member(config: SsoConnection, claims: dict) -> Membership:
    """The membership these verified claims enter, linking or creating it once (SsoError if none)."""
    subject = str(claims.get("sub") or "")
    identity = db.session.scalar(select(SsoIdentity).where(
        SsoIdentity.issuer == config.issuer, SsoIdentity.subject == subject))
    if identity is not None:
        if identity.connection_id != config.id:
            raise SsoError("This identity is linked to another organisation of this workspace.")
        membership = db.session.scalar(select(Membership).where(Membership.id == identity.membership_id))
        _check_entry(config, membership)
        identity.last_login_at = utcnow()
        return membership
    email = normalise_email(claims.get("email", ""))
    domains = domains_of(config)  # none only on a connection migrated from the old setting: members only
    if (not email or claims.get("email_verified") is not True or (domains and email_domain(email) not in domains)
            or (not domains and config.jit_enabled)):
        raise SsoError("Your identity provider did not confirm an address this workspace accepts.")
    user = db.session.scalar(select(User).where(User.email == email))
    membership = user and db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    created = False
    if membership is not None:
        if db.session.scalar(select(SsoIdentity.id).where(SsoIdentity.connection_id == config.id,
                                                           SsoIdentity.membership_id == membership.id)):
            raise SsoError("This account is already linked to another identity at your provider.")
    elif config.jit_enabled and config.jit_role in jit_roles(config.partner_id):
        if user is not None and not user.active:
            raise SsoError("This account is disabled.")
        if user is None:
            user = User(id=uuid.uuid4(), email=email, name=str(claims.get("name") or "")[:200])
            db.session.add(user)
            db.session.flush()
        membership = Membership(id=uuid.uuid4(), user_id=user.id, role=config.jit_role, partner_id=config.partner_id)
        db.session.add(membership)
        db.session.flush()
        created = True
        record("membership.create", membership, actor=(None, "system:sso"),
               after={"email": email, "role": membership.role, "partner_id": membership.partner_id},
               summary=f"{email} joined as {membership.role} on first single sign-on")
    else:
        raise SsoError("You have no access to this workspace. Ask its administrator for an invitation.")
    _check_entry(config, membership)
    identity = SsoIdentity(connection_id=config.id, issuer=config.issuer, subject=subject, user_id=membership.user_id,
                           membership_id=membership.id, last_login_at=utcnow())
    db.session.add(identity)
    db.session.flush()
    record("sso.identity_link", object_type="membership", object_id=membership.id, actor=(None, "system:sso"),
           after={"issuer": config.issuer, "subject": subject, "connection_id": config.id, "created": created},
           summary=f"{email} linked to their single sign-on identity")
    return membership


def _check_entry(config: SsoConnection, membership: Membership | None) -> None:
    # The connection speaks for one organisation only: the vendor's staff, or one partner's.
    if membership is None or membership.partner_id != config.partner_id:
        raise SsoError("This identity provider does not sign in members of your organisation.")
    user = db.session.get(User, membership.user_id)
    if not membership.active or user is None or not user.active:
        raise SsoError("You have no access to this workspace. Ask its administrator for an invitation.")


def password_allowed(membership: Membership, sso_connection_id: str | None = None) -> bool:
    """Whether a session may enter this membership: its organisation allows passwords, or the
    session came through that organisation's own connection (run in the membership's tenant)."""
    if membership.role == roles.VENDOR_ADMIN:
        return True  # break-glass: a broken provider must not lock the workspace's admins out
    config = connection_of(membership.partner_id)
    if config is None or not config.enabled or config.password_allowed:
        return True
    return sso_connection_id == str(config.id)
