"""The OpenID Connect authorization-code flow with PKCE, state and nonce (authlib + joserfc)."""
from __future__ import annotations

import time
from dataclasses import dataclass

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from app.sso.models import SsoConfig

TIMEOUT = 10
CLIENT_AUTH_METHOD = "client_secret_basic"  # the OAuth method's name, not a credential
_DISCOVERY_TTL = 300
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


def start(config: SsoConfig, redirect_uri: str) -> Start:
    """Where to send the browser, and the secrets to keep in the session until it returns."""
    metadata = discover(config.issuer)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    client = OAuth2Session(config.client_id, config.client_secret, scope="openid email profile",
                           redirect_uri=redirect_uri, code_challenge_method="S256")
    url, _ = client.create_authorization_url(metadata["authorization_endpoint"], state=state,
                                             code_verifier=verifier, nonce=nonce)
    return Start(url, state, nonce, verifier)


def finish(config: SsoConfig, redirect_uri: str, code: str, nonce: str, code_verifier: str) -> dict:
    """Exchange the code, verify the ID token, and return the verified identity claims."""
    metadata = discover(config.issuer)
    client = OAuth2Session(config.client_id, config.client_secret, redirect_uri=redirect_uri,
                           token_endpoint_auth_method=CLIENT_AUTH_METHOD)
    try:
        token = client.fetch_token(metadata["token_endpoint"], code=code, code_verifier=code_verifier,
                                   grant_type="authorization_code", timeout=TIMEOUT)
    except Exception as exc:  # authlib raises several error types for a refused code
        raise SsoError("the identity provider refused the sign-in code") from exc
    id_claims = _verify_id_token(config, metadata, token.get("id_token"), nonce)
    try:
        userinfo = client.get(metadata["userinfo_endpoint"], timeout=TIMEOUT).json()
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise SsoError("the identity provider did not return the user's profile") from exc
    if userinfo.get("sub") != id_claims["sub"]:
        raise SsoError("the profile does not belong to the signed-in subject")
    return {**userinfo, "sub": id_claims["sub"]}


def _verify_id_token(config: SsoConfig, metadata: dict, id_token: str | None, nonce: str) -> dict:
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


def email_allowed(config: SsoConfig, email: str) -> bool:
    domains = [d.lower() for d in (config.allowed_domains or [])]
    return not domains or email.rsplit("@", 1)[-1].lower() in domains
