"""Single sign-on against a real OpenID Connect provider (node-oidc-provider) on 127.0.0.1."""
from __future__ import annotations

import html
import os
import re
import shutil
import socket
import subprocess
import json
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from sqlalchemy import select, text

from app.audit.models import AuditEvent
from app.auth.models import Membership, User
from app.extensions import db
from app.sso.models import SsoConnection, SsoIdentity
from app.sso.sealed import SealError, unseal
from app.sso.services import SsoError, discover, save_connection, start, verify_id_token
from app.tenancy import tenant_scope
from tests.conftest import PASSWORD, csrf_from, login

pytestmark = pytest.mark.browser
OIDC_DIR = Path(__file__).parents[1] / "oidc"
CLIENT_ID, CLIENT_SECRET = "tandem-test", "a-client-secret-for-tests-only"
CLIENTS = {"workspace": (CLIENT_ID, CLIENT_SECRET), "a": ("tandem-partner-a", "partner-a-secret-for-tests-only"),
           "b": ("tandem-partner-b", "partner-b-secret-for-tests-only")}
TEST_CLIENT_CALLBACK = "http://localhost/auth/sso/callback"  # where url_for points under the test client


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_provider(redirect_uris: list[str]):
    if not shutil.which("node") or not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        if os.environ.get("TANDEM_REQUIRE_BROWSER") == "1":
            pytest.fail("node and tests/oidc/node_modules are needed (make test installs them)")
        pytest.skip("oidc-provider is not installed (npm ci --prefix tests/oidc)")
    port = _free_port()
    clients = [{"client_id": cid, "client_secret": secret} for cid, secret in CLIENTS.values()]
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENTS": json.dumps(clients),
           "OIDC_REDIRECT_URI": ",".join(redirect_uris), "MAX_SECONDS": "300"}
    log = open(os.environ.get("OIDC_LOG") or os.devnull, "w")  # its development-mode warnings (OIDC_LOG: keep them)
    proc = subprocess.Popen(["node", "provider.mjs"], cwd=OIDC_DIR, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline()  # the provider prints one line when it listens
    if not line.startswith("ready"):
        proc.kill()
        pytest.fail(f"oidc-provider did not start: {line!r}")
    return proc, log, f"http://127.0.0.1:{port}"


def _stop(proc, log):
    proc.stdin.close()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture
def provider(live_server):
    """The provider, for the browser tests against the live server."""
    proc, log, issuer = _start_provider([f"{live_server}/auth/sso/callback", TEST_CLIENT_CALLBACK])
    yield issuer
    _stop(proc, log)


@pytest.fixture
def idp(app):
    """The provider, for flows driven through the test client (no browser)."""
    proc, log, issuer = _start_provider([TEST_CLIENT_CALLBACK])
    yield issuer
    _stop(proc, log)


def _configure(tenant, issuer, domains=(), partner=None, client="workspace", jit_role=None, password_allowed=True):
    client_id, secret = CLIENTS[client]
    with tenant_scope(tenant.id):
        save_connection(partner.id if partner else None, issuer=issuer, client_id=client_id, secret=secret,
                        domains=list(domains), jit_enabled=jit_role is not None, jit_role=jit_role,
                        password_allowed=password_allowed, enabled=True, actor=(None, "test"))
        db.session.commit()
        db.session.expunge_all()


def _at_provider(url: str, login_name: str, until: str) -> str:
    """Sign in at the provider's own login and consent pages; the URL it sends the browser back to."""
    s = requests.Session()
    response = s.get(url, allow_redirects=False, timeout=10)
    for _ in range(12):
        location = response.headers.get("Location")
        if response.status_code in (302, 303) and location:
            location = urljoin(response.url, location)
            if location.startswith(until):
                return location
            response = s.get(location, allow_redirects=False, timeout=10)
            continue
        page = response.text
        form = re.search(r"<form[^>]*action=\"([^\"]+)\"", page)
        assert form, (response.status_code, re.sub(r"(?s)<style.*?</style>", "", page)[:1500])
        action = html.unescape(form.group(1))
        prompt = re.search(r'name="prompt" value="(\w+)"', page).group(1)
        data = {"prompt": prompt, **({"login": login_name, "password": "anything"} if prompt == "login" else {})}
        response = s.post(urljoin(response.url, action), data=data, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back")


def _enter(c, slug: str, email: str) -> str:
    """Post the sign-in form; the provider URL of the hand-over page."""
    page = c.get("/auth/sso").get_data(as_text=True)
    answer = c.post("/auth/sso", data={"workspace": slug, "email": email, "csrf_token": csrf_from(page)})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:400]
    return html.unescape(re.search(r'<a href="([^"]+)" role="button"', answer.get_data(as_text=True)).group(1))


def _sso(c, slug: str, email: str, login_name: str | None = None):
    """The whole flow through the test client and the real provider; the callback's answer."""
    back = _at_provider(_enter(c, slug, email), login_name or email, until=TEST_CLIENT_CALLBACK)
    return c.get("/auth/sso/callback?" + urlparse(back).query)


def _memberships(tenant, email):
    with tenant_scope(tenant.id):
        user = db.session.scalar(select(User).where(User.email == email))
        found = [] if user is None else list(db.session.scalars(select(Membership).where(Membership.user_id == user.id)))
        db.session.expunge_all()  # detached, loaded: a later request's commit cannot expire them
        return found


# --- browser -------------------------------------------------------------------------------

def _sso_sign_in(page, base, slug, login_name, email=None):
    page.goto(f"{base}/auth/login")
    page.click("a:has-text('SSO')")
    page.fill("input[name=workspace]", slug)
    page.fill("input[name=email]", email or login_name)
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
        _sso_sign_in(page, live_server, "acme", login_name, email="someone@acme.example")
        assert message in page.content(), login_name
        page.goto(f"{live_server}/partners/")
        assert "/auth/login" in page.url  # nobody got signed in
        context.close()


# --- partner connections, JIT, and what is refused ---------------------------------------------

def test_partner_connection_creates_a_partner_user_of_that_partner_only(app, idp, make):
    tenant = make.tenant("acme", "Acme Software")
    other_tenant = make.tenant("globex")
    reseller, rival = make.partner(tenant, "Reseller One"), make.partner(tenant, "Rival Two")
    _configure(tenant, idp, domains=["reseller.example"], partner=reseller, client="a", jit_role="partner_user")
    c = app.test_client()
    answer = _sso(c, "acme", "newbie@reseller.example")
    assert answer.status_code == 302 and answer.headers["Location"] == "/", answer.get_data(as_text=True)[:300]
    home = c.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Reseller One" in home and "Rival Two" not in home
    (membership,) = _memberships(tenant, "newbie@reseller.example")
    assert (membership.partner_id, membership.role, membership.active) == (reseller.id, "partner_user", True)
    assert _memberships(other_tenant, "newbie@reseller.example") == []
    assert c.get(f"/partners/{rival.id}").status_code == 404  # signed in as the reseller's, nothing more
    with tenant_scope(tenant.id):
        identity = db.session.scalar(select(SsoIdentity))
        assert (identity.issuer, identity.subject, identity.membership_id) == (idp, "newbie@reseller.example", membership.id)
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"membership.create", "sso.identity_link", "auth.sso_login"} <= actions
    # The second sign-in finds the same membership by (issuer, subject) and creates nothing.
    again = app.test_client()
    assert _sso(again, "acme", "newbie@reseller.example").status_code == 302
    assert len(_memberships(tenant, "newbie@reseller.example")) == 1
    # A new issuer drops the links (subjects are per issuer); the member is matched again once.
    _configure(tenant, idp + "/", domains=["reseller.example"], partner=reseller, client="a", jit_role="partner_user")
    with tenant_scope(tenant.id):
        assert db.session.scalar(select(SsoIdentity)) is None


def test_without_jit_an_unknown_person_is_not_created(app, idp, make):
    tenant = make.tenant("acme")
    reseller = make.partner(tenant, "Reseller One")
    _configure(tenant, idp, domains=["reseller.example"], partner=reseller, client="a")
    answer = _sso(app.test_client(), "acme", "newbie@reseller.example")
    assert answer.status_code == 403 and "Ask its administrator" in answer.get_data(as_text=True)
    assert _memberships(tenant, "newbie@reseller.example") == []


def test_a_subject_of_one_partner_never_enters_another_partner(app, idp, make):
    tenant = make.tenant("acme")
    one, two = make.partner(tenant, "Reseller One"), make.partner(tenant, "Rival Two")
    _configure(tenant, idp, domains=["one.example"], partner=one, client="a", jit_role="partner_user")
    _configure(tenant, idp, domains=["two.example"], partner=two, client="b", jit_role="partner_admin")
    requests.post(f"{idp}/test/address", params={"sub": "alice", "email": "alice@one.example"}, timeout=10)
    assert _sso(app.test_client(), "acme", "alice@one.example", "alice").status_code == 302
    # The same subject comes back through the other partner's connection, with an address that matches it.
    requests.post(f"{idp}/test/address", params={"sub": "alice", "email": "alice@two.example"}, timeout=10)
    refused = _sso(app.test_client(), "acme", "alice@two.example", "alice")
    assert refused.status_code == 403 and "linked to another organisation" in refused.get_data(as_text=True)
    assert _memberships(tenant, "alice@two.example") == []
    # A member of partner one whose address sits at partner two's domain, with a new subject: refused too.
    make.member(tenant, "partner_user", partner=one, email="dave@two.example")
    refused = _sso(app.test_client(), "acme", "dave@two.example")
    assert refused.status_code == 403 and "does not sign in members of your organisation" in refused.get_data(as_text=True)
    (dave,) = _memberships(tenant, "dave@two.example")
    assert dave.partner_id == one.id
    with tenant_scope(tenant.id):
        assert db.session.scalar(select(SsoIdentity).where(SsoIdentity.membership_id == dave.id)) is None
    # Vendor staff are not the partner's to sign in either.
    make.member(tenant, "vendor_viewer", email="vera@one.example")
    refused = _sso(app.test_client(), "acme", "vera@one.example")
    assert refused.status_code == 403 and "does not sign in members of your organisation" in refused.get_data(as_text=True)
    # Nor does the link count in another workspace that trusts the same provider and domain.
    globex = make.tenant("globex")
    _configure(globex, idp, domains=["one.example"])
    requests.post(f"{idp}/test/address", params={"sub": "alice", "email": "alice@one.example"}, timeout=10)
    refused = _sso(app.test_client(), "globex", "alice@one.example", "alice")
    assert refused.status_code == 403 and "no access to this workspace" in refused.get_data(as_text=True)
    assert _memberships(globex, "alice@one.example") == []


def test_tampered_state_or_nonce_is_refused(app, idp, make):
    tenant = make.tenant("acme")
    make.member(tenant, "channel_manager", email="cm@acme.example")
    _configure(tenant, idp, domains=["acme.example"])
    c = app.test_client()
    back = _at_provider(_enter(c, "acme", "cm@acme.example"), "cm@acme.example", until=TEST_CLIENT_CALLBACK)
    query = parse_qs(urlparse(back).query)
    forged = c.get(f"/auth/sso/callback?code={query['code'][0]}&state={query['state'][0]}x")
    assert forged.status_code == 400
    assert c.get(f"/auth/sso/callback?code={query['code'][0]}&state={query['state'][0]}").status_code == 400  # flow used up
    c2 = app.test_client()
    back = _at_provider(_enter(c2, "acme", "cm@acme.example"), "cm@acme.example", until=TEST_CLIENT_CALLBACK)
    with c2.session_transaction() as s:
        flow = s["sso_flow"]
        s["sso_flow"] = {**flow, "nonce": flow["nonce"] + "x"}
    answer = c2.get("/auth/sso/callback?" + urlparse(back).query)
    assert answer.status_code == 403 and "ID token could not be verified" in answer.get_data(as_text=True)
    assert c2.get("/partners/").status_code == 302  # not signed in
    # The untouched flow signs in: the refusals above are the tampering's doing.
    c3 = app.test_client()
    assert _sso(c3, "acme", "cm@acme.example").status_code == 302


def _real_id_token(app, config: SsoConnection, login_name: str) -> tuple[str, str]:
    """An ID token the provider issued to config's client for login_name, and its nonce."""
    flow = start(config, TEST_CLIENT_CALLBACK)
    back = _at_provider(flow.url, login_name, until=TEST_CLIENT_CALLBACK)
    code = parse_qs(urlparse(back).query)["code"][0]
    metadata = discover(config.issuer)
    client_id, secret = next(v for v in CLIENTS.values() if v[0] == config.client_id)
    token = requests.post(metadata["token_endpoint"], auth=(client_id, secret), timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": TEST_CLIENT_CALLBACK,
        "code_verifier": flow.code_verifier}).json()
    return token["id_token"], flow.nonce


def test_id_token_for_another_audience_or_issuer_is_refused(app, idp, make):
    tenant = make.tenant("acme")
    partner = make.partner(tenant, "Reseller One")
    _configure(tenant, idp, domains=["one.example"], partner=partner, client="a")
    with tenant_scope(tenant.id):
        config = db.session.scalar(select(SsoConnection))
        id_token, nonce = _real_id_token(app, config, "alice@one.example")
        metadata = discover(idp)
        assert verify_id_token(config, metadata, id_token, nonce)["sub"] == "alice@one.example"
        db.session.expunge(config)
    config.client_id = CLIENTS["b"][0]  # a token issued to client a, presented to b's connection
    with pytest.raises(SsoError, match="could not be verified"):
        verify_id_token(config, metadata, id_token, nonce)
    config.client_id, config.issuer = CLIENTS["a"][0], idp.replace("127.0.0.1", "localhost")
    with pytest.raises(SsoError, match="could not be verified"):
        verify_id_token(config, metadata, id_token, nonce)
    # A provider whose discovery document names another issuer than the connection's is not used.
    other = make.tenant("globex")
    _configure(other, idp + "/", domains=["globex.example"])
    c = app.test_client()
    page = c.get("/auth/sso").get_data(as_text=True)
    answer = c.post("/auth/sso", data={"workspace": "globex", "email": "x@globex.example", "csrf_token": csrf_from(page)})
    assert answer.status_code == 502 and "names a different issuer" in answer.get_data(as_text=True)


def test_password_sign_in_is_refused_where_the_organisation_requires_sso(app, idp, make):
    tenant = make.tenant("acme")
    strict, relaxed = make.partner(tenant, "Strict One"), make.partner(tenant, "Relaxed Two")
    _configure(tenant, idp, domains=["strict.example"], partner=strict, client="a", password_allowed=False)
    _configure(tenant, idp, domains=["relaxed.example"], partner=relaxed, client="b", password_allowed=True)
    make.member(tenant, "partner_user", partner=strict, email="pat@strict.example")
    make.member(tenant, "partner_user", partner=relaxed, email="rob@relaxed.example")
    c = app.test_client()
    page = c.get("/auth/login").get_data(as_text=True)
    refused = c.post("/auth/login", data={"email": "pat@strict.example", "password": PASSWORD,
                                          "csrf_token": csrf_from(page)})
    assert refused.status_code == 403 and "signs in with single sign-on" in refused.get_data(as_text=True)
    assert c.get("/partners/").status_code == 302 and c.get("/auth/tenants").status_code == 302  # not signed in
    login(c, "rob@relaxed.example")
    assert c.get("/").status_code in (200, 302) and c.get("/auth/account").status_code == 200
    # Someone in two workspaces keeps the one that allows passwords, and cannot choose the other.
    other = make.tenant("globex")
    make.member(other, "vendor_viewer", email="pat@strict.example")
    both = app.test_client()
    login(both, "pat@strict.example", choose=False)
    choices = both.get("/auth/tenants")
    assert choices.status_code == 302  # only globex is left, entered at once
    with tenant_scope(tenant.id):
        (strict_membership,) = db.session.scalars(select(Membership).where(Membership.partner_id == strict.id)).all()
    html_page = both.get("/auth/account").get_data(as_text=True)
    assert both.post("/auth/tenants", data={"membership_id": str(strict_membership.id),
                                            "csrf_token": csrf_from(html_page)}).status_code == 404
    # Single sign-on through the partner's own provider does enter it.
    sso = app.test_client()
    assert _sso(sso, "acme", "pat@strict.example").status_code == 302
    assert "Strict One" in sso.get("/", follow_redirects=True).get_data(as_text=True)


def test_forged_or_replayed_callback_is_refused(app, idp, make):
    tenant = make.tenant("acme")
    _configure(tenant, idp, domains=["acme.example"])
    c = app.test_client()
    assert c.get("/auth/sso/callback?code=abc&state=forged").status_code == 400
    begin = c.get("/auth/sso/acme")
    assert begin.status_code == 302 and begin.headers["Location"].startswith(idp)
    assert "code_challenge_method=S256" in begin.headers["Location"] and "nonce=" in begin.headers["Location"]
    assert c.get("/auth/sso/callback?code=abc&state=wrong").status_code == 400
    assert c.get("/auth/sso/nope").status_code == 404
    page = c.get("/auth/sso").get_data(as_text=True)
    unknown = c.post("/auth/sso", data={"workspace": "acme", "email": "x@nowhere.example", "csrf_token": csrf_from(page)})
    assert unknown.status_code == 422 and "No single sign-on is set up for that address" in unknown.get_data(as_text=True)


# --- settings pages ---------------------------------------------------------------------------

def test_vendor_admin_configures_sso_and_the_secret_is_sealed(app, make):
    tenant = make.tenant("acme")
    c = app.test_client()
    login(c, "admin@acme.example")
    page = c.get("/settings/sso").get_data(as_text=True)
    bad = c.post("/settings/sso", data={"issuer": "http://idp.example.com", "client_id": "x", "client_secret": "s",
                                        "allowed_domains": "acme.example", "csrf_token": csrf_from(page)})
    assert bad.status_code == 422 and "https://" in bad.get_data(as_text=True)
    no_role = c.post("/settings/sso", data={"issuer": "https://idp.example.com", "client_id": "x", "client_secret": "s",
                                            "allowed_domains": "acme.example", "jit_enabled": "y",
                                            "jit_role": "vendor_admin", "csrf_token": csrf_from(page)})
    assert no_role.status_code == 422  # a first sign-in never makes a vendor admin
    good = c.post("/settings/sso", data={"issuer": "https://idp.example.com", "client_id": "tandem",
                                         "client_secret": "super-secret-value", "allowed_domains": "Acme.example, @acme.io",
                                         "jit_enabled": "y", "jit_role": "vendor_viewer", "enabled": "y",
                                         "csrf_token": csrf_from(page)})
    assert good.status_code == 302
    shown = c.get("/settings/sso").get_data(as_text=True)
    assert "super-secret-value" not in shown and "acme.example, acme.io" in shown
    with tenant_scope(tenant.id):
        config = db.session.scalar(select(SsoConnection))
        assert (config.partner_id, config.jit_role, config.password_allowed) == (None, "vendor_viewer", False)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sso.connection_save"))
        # Raw SQL sees only the sealed value; it opens with this SECRET_KEY and no other.
        rows = db.session.execute(text("select * from sso_connections")).mappings().all()
        sealed = rows[0]["client_secret_sealed"]
    assert "super-secret-value" not in str(rows) and sealed.startswith("fernet1:")
    assert unseal(sealed, app.config["SECRET_KEY"]) == "super-secret-value"
    with pytest.raises(SealError):
        unseal(sealed, "another-secret-key-of-another-install")
    assert "super-secret-value" not in str(event.after) and event.after["allowed_domains"] == ["acme.example", "acme.io"]
    # Passwords are now refused for vendor staff, except vendor admins (break-glass), who stay signed in.
    make.member(tenant, "vendor_viewer", email="v@acme.example")
    v = app.test_client()
    page = v.get("/auth/login").get_data(as_text=True)
    assert v.post("/auth/login", data={"email": "v@acme.example", "password": PASSWORD,
                                       "csrf_token": csrf_from(page)}).status_code == 403
    assert c.get("/settings/sso").status_code == 200
    again = app.test_client()
    login(again, "admin@acme.example")
    assert again.get("/settings/sso").status_code == 200
    page = c.get("/settings/sso").get_data(as_text=True)
    assert c.post("/settings/sso", data={"issuer": "https://idp.example.com", "client_id": "tandem",
                                         "allowed_domains": "acme.example", "password_allowed": "y", "enabled": "y",
                                         "version": "1", "csrf_token": csrf_from(page)}).status_code == 302
    login(v, "v@acme.example")
    assert v.get("/settings/sso").status_code == 403


def test_partner_admin_configures_their_partners_connection_and_domains_are_unique(app, make):
    tenant = make.tenant("acme")
    partner, rival = make.partner(tenant, "Reseller One"), make.partner(tenant, "Rival Two")
    make.member(tenant, "partner_admin", partner=partner, email="pa@reseller.example")
    make.member(tenant, "partner_user", partner=partner, email="pu@reseller.example")
    _configure(tenant, "https://idp.rival.example", domains=["rival.example"], partner=rival, client="b")
    c = app.test_client()
    login(c, "pa@reseller.example")
    page = c.get("/settings/sso/partner").get_data(as_text=True)
    assert "Partner user" in page and "Channel manager" not in page
    data = {"issuer": "https://idp.reseller.example", "client_id": "tandem", "client_secret": "reseller-secret-1",
            "allowed_domains": "reseller.example, rival.example", "jit_enabled": "y", "jit_role": "partner_user",
            "password_allowed": "y", "enabled": "y", "csrf_token": csrf_from(page)}
    taken = c.post("/settings/sso/partner", data=data)
    assert taken.status_code == 422 and "Already used by another connection" in taken.get_data(as_text=True)
    assert c.post("/settings/sso/partner", data={**data, "jit_role": "vendor_viewer"}).status_code == 422
    assert c.post("/settings/sso/partner", data={**data, "allowed_domains": "reseller.example"}).status_code == 302
    # Changing it later keeps the stored secret when the field stays empty.
    page = c.get("/settings/sso/partner").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    assert c.post("/settings/sso/partner", data={**data, "allowed_domains": "reseller.example", "client_secret": "",
                                                 "jit_enabled": "", "version": version,
                                                 "csrf_token": csrf_from(page)}).status_code == 302
    with tenant_scope(tenant.id):
        config = db.session.scalar(select(SsoConnection).where(SsoConnection.partner_id == partner.id))
        assert unseal(config.client_secret_sealed, app.config["SECRET_KEY"]) == "reseller-secret-1"
        assert config.jit_enabled is False and config.jit_role is None
    u = app.test_client()
    login(u, "pu@reseller.example")
    assert u.get("/settings/sso/partner").status_code == 403
    admin = app.test_client()
    login(admin, "admin@acme.example")
    assert admin.get("/settings/sso/partner").status_code == 403
    overview = admin.get("/settings/sso").get_data(as_text=True)
    assert "Reseller One" in overview and "reseller.example" in overview and "reseller-secret-1" not in overview

