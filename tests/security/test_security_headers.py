"""Security headers on every HTML page, cookie flags, and when a sign-in session ends."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app import create_app
from app.auth.models import LoginSession, Membership, User
from app.core.db import utcnow
from app.extensions import db
from tests.conftest import PASSWORD, csrf_from, login

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"\sstyle=", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def header_problems(response, production: bool = False) -> list[str]:
    """What is missing or weak in one response's security headers."""
    h = response.headers
    problems = []
    csp = _directives(h.get("Content-Security-Policy", ""))
    script_src = csp.get("script-src", csp.get("default-src"))
    if script_src is None:
        problems.append("no script-src or default-src")
    elif {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(script_src):
        problems.append(f"script-src allows {script_src}")
    if csp.get("frame-ancestors") != ["'none'"]:
        problems.append("frame-ancestors is not 'none'")
    if csp.get("object-src") != ["'none'"]:
        problems.append("object-src is not 'none'")
    if h.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if h.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin", "strict-origin-when-cross-origin"):
        problems.append(f"Referrer-Policy {h.get('Referrer-Policy')!r}")
    hsts = h.get("Strict-Transport-Security")
    if production and not (hsts and re.search(r"max-age=(\d+)", hsts) and int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 15552000):
        problems.append("no HSTS of at least 180 days in production")
    if not production and hsts:
        problems.append("HSTS outside production")
    return problems


def cookie_problems(response, production: bool = False) -> list[str]:
    problems = []
    for cookie in response.headers.getlist("Set-Cookie"):
        flags = {f.strip().split("=")[0].lower(): f.strip() for f in cookie.split(";")[1:]}
        name = cookie.split("=", 1)[0]
        if "httponly" not in flags:
            problems.append(f"{name} not HttpOnly")
        if flags.get("samesite", "").lower() != "samesite=lax":
            problems.append(f"{name} not SameSite=Lax")
        if production != ("secure" in flags):
            problems.append(f"{name} Secure={'secure' in flags} in {'production' if production else 'development'}")
    return problems


def markup_problems(html: str) -> list[str]:
    problems = []
    for pattern, what in ((INLINE_SCRIPT, "inline <script>"), (INLINE_STYLE, "style= attribute"),
                          (INLINE_HANDLER, "on*= handler")):
        found = pattern.search(html)
        if found:
            problems.append(f"{what}: {found.group(0)[:80]}")
    return problems


def _html_get_routes(app):
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and not rule.rule.startswith("/api/") and rule.endpoint != "static":
            yield rule


def test_every_html_page_has_the_security_headers_and_no_inline_code(app, make, capsys):
    from tests.isolation.framework import KINDS
    from tests.isolation.world import build_world
    from tests.isolation.test_isolation_matrix import _build_url, _load_specs

    specs = _load_specs()
    world = build_world(make)
    objects = {name: build(world) for name, build in KINDS.items()}
    clients = {"anonymous": app.test_client()}
    for role in ("vendor_admin", "partner_admin"):
        clients[role] = app.test_client()
        login(clients[role], world.emails[role])
    failures, pages = [], 0
    for rule in _html_get_routes(app):
        route = specs[rule.endpoint]
        ids = {var: str(objects[kind]["own"]) for var, kind in route.params.items()}
        url = _build_url(app, rule, route, ids)
        for who, client in clients.items():
            response = client.get(url)
            pages += 1
            problems = header_problems(response) + cookie_problems(response)
            if response.mimetype == "text/html":
                problems += markup_problems(response.get_data(as_text=True))
            response.close()  # finish streamed bodies (CSV exports) inside this test
            failures += [f"GET {url} as {who} ({response.status_code}): {p}" for p in problems]
    with capsys.disabled():
        print(f"\nheaders: {pages} HTML responses checked, {len(failures)} problems")
    assert not failures, "\n".join(failures)


def test_error_pages_and_redirects_carry_the_headers_too(client, make):
    make.tenant("hdr")
    responses = [client.get("/no-such-page"), client.get("/partners/")]
    login(client, "admin@hdr.example")
    responses += [client.get("/partners/00000000-0000-0000-0000-000000000000"), client.post("/settings/", data={})]
    assert [r.status_code for r in responses] == [404, 302, 404, 400]
    for response in responses:
        assert header_problems(response) == [], response.status_code


def test_sign_in_cookie_is_httponly_and_samesite_lax_but_not_secure_in_development(client, make):
    make.tenant("devcookie")
    page = client.get("/auth/login")
    response = client.post("/auth/login", data={"email": "admin@devcookie.example", "password": PASSWORD,
                                                "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert response.headers.getlist("Set-Cookie") and cookie_problems(response) == []


@pytest.fixture
def production_app(database_url, app_database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret-for-this-test-only")
    prod = create_app("production", {"SQLALCHEMY_DATABASE_URI": database_url, "APP_DATABASE_URL": app_database_url,
                                     "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
                                     "ARGON2_PARAMS": {"time_cost": 2, "memory_cost": 19456, "parallelism": 1}})
    return prod


def test_production_sends_hsts_and_a_secure_session_cookie(app, production_app, make):
    make.tenant("prodcookie")
    with production_app.app_context():
        client = production_app.test_client()
        page = client.get("https://localhost/auth/login")
        assert header_problems(page, production=True) == []
        response = client.post("https://localhost/auth/login", data={
            "email": "admin@prodcookie.example", "password": PASSWORD,
            "csrf_token": csrf_from(page.get_data(as_text=True))},
            headers={"Referer": "https://localhost/auth/login"})  # over HTTPS, CSRF also checks the referrer
        assert response.status_code == 302
        assert response.headers.getlist("Set-Cookie") and cookie_problems(response, production=True) == []
        home = client.get("https://localhost/auth/tenants", follow_redirects=True)
        assert home.status_code == 200 and header_problems(home, production=True) == []
        db.session.remove()


def test_production_refuses_the_development_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


# --- when a session ends -------------------------------------------------------------------

def _session_of(email: str) -> LoginSession:
    return db.session.scalar(select(LoginSession).join(User, User.id == LoginSession.user_id)
                             .where(User.email == email))


def _age(email: str, **fields) -> None:
    db.session.execute(update(LoginSession).where(LoginSession.id == _session_of(email).id).values(**fields))
    db.session.commit()


def _signed_out(response) -> bool:
    return response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.fixture
def signed_in(client, make):
    tenant = make.tenant("timeouts")
    login(client, "admin@timeouts.example")
    assert client.get("/partners/").status_code == 200
    return tenant


def test_idle_timeout_ends_the_session(app, client, signed_in):
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    _age("admin@timeouts.example", last_seen_at=utcnow() - idle + timedelta(minutes=2))
    assert client.get("/partners/").status_code == 200  # still within the idle window
    _age("admin@timeouts.example", last_seen_at=utcnow() - idle - timedelta(minutes=1))
    assert _signed_out(client.get("/partners/"))
    assert _session_of("admin@timeouts.example") is None  # ended on the server, not just ignored
    assert _signed_out(client.get("/partners/"))


def test_absolute_timeout_ends_an_active_session(app, client, signed_in):
    limit = app.config["SESSION_ABSOLUTE_TIMEOUT"]
    _age("admin@timeouts.example", created_at=utcnow() - limit + timedelta(minutes=5), last_seen_at=utcnow())
    assert client.get("/partners/").status_code == 200
    _age("admin@timeouts.example", created_at=utcnow() - limit - timedelta(minutes=1), last_seen_at=utcnow())
    assert _signed_out(client.get("/partners/"))
    assert _session_of("admin@timeouts.example") is None


def test_activity_keeps_the_idle_clock_running(app, client, signed_in):
    _age("admin@timeouts.example", last_seen_at=utcnow() - timedelta(minutes=30))
    assert client.get("/partners/").status_code == 200
    assert utcnow() - _session_of("admin@timeouts.example").last_seen_at < timedelta(minutes=1)


def test_deactivating_a_user_ends_their_sessions_at_the_next_request(app, client, signed_in):
    db.session.execute(update(User).where(User.email == "admin@timeouts.example").values(active=False))
    db.session.commit()
    assert _signed_out(client.get("/partners/"))
    assert _session_of("admin@timeouts.example") is None
    login_page = client.get("/auth/login")
    refused = client.post("/auth/login", data={"email": "admin@timeouts.example", "password": PASSWORD,
                                               "csrf_token": csrf_from(login_page.get_data(as_text=True))})
    assert refused.status_code == 401


def test_revoking_a_membership_ends_its_sessions_and_tokens(app, client, make, signed_in):
    victim_membership = make.member(signed_in, "channel_manager", email="victim@timeouts.example")
    token = make.token(victim_membership)
    victim = app.test_client()
    login(victim, "victim@timeouts.example")
    assert victim.get("/partners/").status_code == 200
    users_page = client.get("/users/").get_data(as_text=True)
    done = client.post(f"/users/{victim_membership.id}/deactivate", data={"csrf_token": csrf_from(users_page)})
    assert done.status_code == 302
    assert _signed_out(victim.get("/partners/"))
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401


def test_a_membership_revoked_behind_the_sessions_back_loses_the_tenant(app, client, make, signed_in):
    """Even without the session being deleted, the next request re-checks the membership."""
    other = make.member(signed_in, "vendor_viewer", email="viewer@timeouts.example")
    viewer = app.test_client()
    login(viewer, "viewer@timeouts.example")
    assert viewer.get("/partners/").status_code == 200
    from app.tenancy import tenant_scope
    with tenant_scope(signed_in.id):
        db.session.execute(update(Membership).where(Membership.id == other.id).values(active=False))
        db.session.commit()
    response = viewer.get("/partners/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/tenants")
    assert "Timeouts" not in viewer.get("/auth/tenants").get_data(as_text=True)
