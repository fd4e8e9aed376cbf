"""Production behind a TLS-terminating proxy: PROXY_FIX_* decides whether X-Forwarded-Proto counts."""
from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db
from tests.conftest import PASSWORD, csrf_from

SECRET = "a-long-random-production-secret-for-this-test-only"


def _production(database_url, app_database_url, tmp_path, monkeypatch, **overrides):
    monkeypatch.setenv("SECRET_KEY", SECRET)
    return create_app("production", {"SQLALCHEMY_DATABASE_URI": database_url, "APP_DATABASE_URL": app_database_url,
                                     "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
                                     "ARGON2_PARAMS": {"time_cost": 2, "memory_cost": 19456, "parallelism": 1},
                                     **overrides})


def _sign_in(prod, headers):
    with prod.app_context():
        client = prod.test_client()
        page = client.get("http://portal.example/auth/login", headers=headers)
        response = client.post("http://portal.example/auth/login", headers={
            **headers, "Referer": "https://portal.example/auth/login"}, data={
            "email": "admin@proxied.example", "password": PASSWORD,
            "csrf_token": csrf_from(page.get_data(as_text=True))})
        db.session.remove()
    return page, response


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers.getlist("Set-Cookie")
    return cookies[-1].lower()


def test_default_is_off():
    from config import Config

    assert Config.PROXY_FIX_X_FOR == 0 and Config.PROXY_FIX_X_PROTO == 0 and Config.PROXY_FIX_X_HOST == 0


def test_with_proxy_fix_on_forwarded_https_gives_hsts_and_secure_cookies(app, make, database_url,
                                                                          app_database_url, tmp_path, monkeypatch):
    make.tenant("proxied")
    prod = _production(database_url, app_database_url, tmp_path, monkeypatch, PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1)
    page, response = _sign_in(prod, {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.status_code == 302 and response.headers["Strict-Transport-Security"]
    cookie = _session_cookie(response)
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    # Redirects built from the request stay on https.
    assert response.headers["Location"].startswith(("/", "https://"))


def test_with_proxy_fix_off_the_forwarded_header_is_ignored(app, make, database_url, app_database_url,
                                                             tmp_path, monkeypatch):
    make.tenant("proxied")
    prod = _production(database_url, app_database_url, tmp_path, monkeypatch)
    with prod.app_context():
        page = prod.test_client().get("http://portal.example/auth/login", headers={"X-Forwarded-Proto": "https"})
        db.session.remove()
    assert page.status_code == 200
    assert "Strict-Transport-Security" not in page.headers  # plain http: the forged header is not believed
    # The cookie stays Secure in production whatever the scheme (config, not the request, decides).
    page, response = _sign_in(prod, {"X-Forwarded-Proto": "https"})
    cookies = [c.lower() for c in response.headers.getlist("Set-Cookie")]
    assert all("secure" in c and "httponly" in c and "samesite=lax" in c for c in cookies if c.startswith("session="))


@pytest.mark.parametrize("key", ["PROXY_FIX_X_FOR", "PROXY_FIX_X_PROTO"])
def test_proxy_fix_wraps_only_when_asked(database_url, app_database_url, tmp_path, monkeypatch, key):
    from werkzeug.middleware.proxy_fix import ProxyFix

    off = _production(database_url, app_database_url, tmp_path, monkeypatch)
    on = _production(database_url, app_database_url, tmp_path, monkeypatch, **{key: 1})
    assert not isinstance(off.wsgi_app, ProxyFix) and isinstance(on.wsgi_app, ProxyFix)
