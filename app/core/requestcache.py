"""What several panels of one page read, read once per request.

    per_request(("tiers.programme",), get_programme_uncached)

A composed page (the cockpit, the partner page, the partner home) asks several packages for their
panels and work items; more than one of them reads the same row (the tier programme, a partner's
agreements). `per_request` keeps the first answer on the current request and hands it to the
others, so the page's statement count does not add up the same read. Outside a request (commands,
jobs, the quarter close) it simply computes. The key must name everything the answer depends on
(the tenant is added here); a service that changes what was read calls `forget(key)`.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from flask import has_request_context, request

from app.tenancy import current_tenant_id

T = TypeVar("T")
_ATTR = "_tandem_per_request"


def _cache() -> dict | None:
    if not has_request_context():
        return None
    cache = getattr(request, _ATTR, None)
    if cache is None:
        cache = {}
        setattr(request, _ATTR, cache)
    return cache


def per_request(key: tuple, compute: Callable[[], T]) -> T:
    cache = _cache()
    if cache is None:
        return compute()
    full = (current_tenant_id(), *key)
    if full not in cache:
        cache[full] = compute()
    return cache[full]


def forget(key: tuple) -> None:
    """Drop a cached answer (after the request changed what it was computed from)."""
    cache = _cache()
    if cache is not None:
        cache.pop((current_tenant_id(), *key), None)
