"""Rate limits per API token (API_RATE_LIMIT), counted in RATELIMIT_STORAGE_URI's store.

The key is the digest of the bearer token the request presents (no database read before the
limit is checked); requests without one are counted per address. Every API answer carries
RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (seconds until the window ends, as the
IETF RateLimit header draft says) and RateLimit-Policy; a 429 also carries Retry-After.
"""
from __future__ import annotations

import hashlib
import math
import time

from flask import current_app, request
from flask_limiter.util import get_remote_address

from app.api import ratestore  # noqa: F401  (registers the tandem+db:// store with limits)
from app.extensions import limiter


def token_key() -> str:
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        return "token:" + hashlib.sha256(raw.strip().encode()).hexdigest()[:32]
    return "addr:" + (get_remote_address() or "unknown")


def api_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "300 per minute")


def install(bp) -> None:
    """Limit every route of the API blueprint, and add the RateLimit headers to its answers."""
    # One budget per token across every route of the API (a shared limit, not one per route).
    limiter.shared_limit(api_limit, scope="api", key_func=token_key)(bp)

    @bp.after_request
    def _ratelimit_headers(response):
        current = limiter.current_limit
        if current is None:
            return response
        window = current.limit.get_expiry()
        reset = min(window, max(0, math.ceil(current.reset_at - time.time())))
        response.headers["RateLimit-Limit"] = str(current.limit.amount)
        response.headers["RateLimit-Remaining"] = str(max(0, current.remaining))
        response.headers["RateLimit-Reset"] = str(reset)
        response.headers["RateLimit-Policy"] = f"{current.limit.amount};w={window}"
        if response.status_code == 429:
            response.headers["Retry-After"] = str(max(1, reset))
        return response
