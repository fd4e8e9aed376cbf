"""Rate limits per API token: RateLimit-* headers, 429 with Retry-After, a store shared by workers."""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from app import create_app
from app.api.ratestore import counters
from tests.conftest import owner_view


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def _limited_app(app, **config):
    # A second app on the same database, as a second gunicorn worker would be.
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config.get("OWNER_DATABASE_URL")
                                  or app.config["SQLALCHEMY_DATABASE_URI"],
                                  "APP_DATABASE_URL": app.config.get("APP_DATABASE_URL") if app.config.get("OWNER_DATABASE_URL") else None,
                                  "MAIL_OUTBOX_DIR": app.config["MAIL_OUTBOX_DIR"], **config})


def test_headers_then_429_with_retry_after_per_token(app, make):
    tenant = make.tenant("acme")
    one = make.token(make.admin_membership(tenant))
    two = make.token(make.member(tenant, "vendor_viewer"))
    limited = _limited_app(app, API_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    remaining = []
    for path in ("/api/v1/me", "/api/v1/partners", "/api/v1/me"):  # one budget across routes
        response = client.get(path, headers=_auth(one))
        assert response.status_code == 200
        assert response.headers["RateLimit-Limit"] == "3"
        remaining.append(int(response.headers["RateLimit-Remaining"]))
        assert 0 <= int(response.headers["RateLimit-Reset"]) <= 60
    assert remaining == [2, 1, 0]
    refused = client.get("/api/v1/me", headers=_auth(one))
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["RateLimit-Remaining"] == "0"
    # Another token has its own budget.
    assert client.get("/api/v1/me", headers=_auth(two)).status_code == 200


def test_the_database_store_is_shared_between_workers(app, make):
    token = make.token(make.admin_membership(make.tenant("acme")))
    config = {"API_RATE_LIMIT": "4 per minute", "RATELIMIT_STORAGE_URI": "tandem+db://"}
    first, second = _limited_app(app, **config), _limited_app(app, **config)
    with first.app_context():
        from app.extensions import limiter
        limiter.reset()
    a, b = first.test_client(), second.test_client()
    statuses = [c.get("/api/v1/me", headers=_auth(token)).status_code for c in (a, b, a, b)]
    assert statuses == [200, 200, 200, 200]
    assert a.get("/api/v1/me", headers=_auth(token)).status_code == 429
    assert b.get("/api/v1/me", headers=_auth(token)).status_code == 429
    with owner_view() as owner:  # the count lives in the database, not in either process
        counts = owner.execute(select(counters.c.key, counters.c.count)).all()
    assert [c for _k, c in counts if "token:" + hashlib.sha256(token.encode()).hexdigest()[:32] in _k] == [6]
    with first.app_context():
        from app.extensions import limiter
        limiter.reset()
