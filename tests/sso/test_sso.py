"""Single sign-on against a real OpenID Connect provider (node-oidc-provider) on 127.0.0.1."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.sso.models import SsoConfig
from app.tenancy import tenant_scope
from tests.conftest import csrf_from, login

pytestmark = pytest.mark.browser
OIDC_DIR = Path(__file__).parents[1] / "oidc"
CLIENT_ID, CLIENT_SECRET = "tandem-test", "a-client-secret-for-tests-only"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def provider(live_server):
    if not shutil.which("node") or not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        if os.environ.get("TANDEM_REQUIRE_BROWSER") == "1":
            pytest.fail("node and tests/oidc/node_modules are needed (make test installs them)")
        pytest.skip("oidc-provider is not installed (npm ci --prefix tests/oidc)")
    port = _free_port()
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
           "OIDC_REDIRECT_URI": f"{live_server}/auth/sso/callback", "MAX_SECONDS": "300"}
    log = open(os.devnull, "w")  # the provider's development-mode warnings
    proc = subprocess.Popen(["node", "provider.mjs"], cwd=OIDC_DIR, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline()  # the provider prints one line when it listens
    if not line.startswith("ready"):
        proc.kill()
        pytest.fail(f"oidc-provider did not start: {line!r}")
    yield f"http://127.0.0.1:{port}"
    proc.stdin.close()
    proc.wait(timeout=10)
    log.close()


def _configure(tenant, issuer, domains=()):
    with tenant_scope(tenant.id):
        db.session.add(SsoConfig(issuer=issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                 allowed_domains=list(domains)))
        db.session.commit()
        db.session.expunge_all()


def _sso_sign_in(page, base, slug, login_name):
    page.goto(f"{base}/auth/login")
    page.click("a:has-text('SSO')")
    page.fill("input[name=workspace]", slug)
    page.click("button:has-text('Continue')")
    page.wait_for_selector("input[name=login]")  # handed over to the provider
    page.fill("input[name=login]", login_name)
    page.fill("input[name=password]", "anything")
    page.click("button:has-text('Sign-in')")
    if page.locator("button:has-text('Continue')").count():
        page.click("button:has-text('Continue')")  # the provider's consent screen
    page.wait_for_load_state()


def test_member_signs_in_through_the_identity_provider(page, live_server, provider, make):
    tenant = make.tenant("acme", "Acme Software")
    make.member(tenant, "channel_manager", email="cm@acme.example")
    _configure(tenant, provider, domains=["acme.example"])
    _sso_sign_in(page, live_server, "acme", "cm@acme.example")
    assert page.url == f"{live_server}/", page.url
    assert "Your partners" in page.content() and "Acme Software" in page.content()  # the manager's cockpit
    with tenant_scope(tenant.id):
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.sso_login")).actor == "cm@acme.example"


def test_people_without_a_membership_or_a_verified_allowed_address_are_refused(browser, live_server, provider, make):
    tenant = make.tenant("acme", "Acme Software")
    make.member(tenant, "vendor_viewer", email="viewer@elsewhere.example")
    make.member(tenant, "vendor_viewer", email="unverified@acme.example")
    _configure(tenant, provider, domains=["acme.example"])
    for login_name, message in (("stranger@acme.example", "You have no access to this workspace"),
                                ("viewer@elsewhere.example", "did not confirm an address this workspace accepts"),
                                ("unverified@acme.example", "did not confirm an address this workspace accepts")):
        context = browser.new_context()  # a fresh browser: no session at the provider either
        page = context.new_page()
        _sso_sign_in(page, live_server, "acme", login_name)
        assert message in page.content(), login_name
        page.goto(f"{live_server}/partners/")
        assert "/auth/login" in page.url  # nobody got signed in
        context.close()


def test_forged_or_replayed_callback_is_refused(app, live_server, provider, make):
    tenant = make.tenant("acme")
    _configure(tenant, provider)
    c = app.test_client()
    assert c.get("/auth/sso/callback?code=abc&state=forged").status_code == 400
    start = c.get("/auth/sso/acme")
    assert start.status_code == 302 and start.headers["Location"].startswith(provider)
    assert "code_challenge_method=S256" in start.headers["Location"] and "nonce=" in start.headers["Location"]
    assert c.get("/auth/sso/callback?code=abc&state=wrong").status_code == 400
    assert c.get("/auth/sso/nope").status_code == 404


def test_vendor_admin_configures_sso_and_the_secret_stays_out_of_the_audit_trail(app, make):
    tenant = make.tenant("acme")
    c = app.test_client()
    login(c, "admin@acme.example")
    page = c.get("/settings/sso").get_data(as_text=True)
    bad = c.post("/settings/sso", data={"issuer": "http://idp.example.com", "client_id": "x", "client_secret": "s",
                                        "csrf_token": csrf_from(page)})
    assert bad.status_code == 422 and "https://" in bad.get_data(as_text=True)
    good = c.post("/settings/sso", data={"issuer": "https://idp.example.com", "client_id": "tandem",
                                         "client_secret": "super-secret-value", "allowed_domains": "Acme.example, @acme.io",
                                         "enabled": "y", "csrf_token": csrf_from(page)})
    assert good.status_code == 302
    with tenant_scope(tenant.id):
        config = db.session.scalar(select(SsoConfig))
        assert config.allowed_domains == ["acme.example", "acme.io"]
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.sso"))
    assert "super-secret-value" not in str(event.after)
    viewer = make.member(tenant, "vendor_viewer", email="v@acme.example")
    v = app.test_client()
    login(v, "v@acme.example")
    assert v.get("/settings/sso").status_code == 403 and viewer
