"""People's view: sign in through a real browser, every core page renders, no CSP violations, phone width."""
from __future__ import annotations

import os

import pytest

from app.demo import DEMO_PASSWORD
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("TANDEM_SCREENSHOTS")  # set to a folder to keep screenshots for a look


def _sign_in(page, base, email, password=PASSWORD):
    page.goto(f"{base}/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_vendor_admin_walks_the_core_pages(page, live_server, make):
    tenant = make.tenant("acme", "Acme Software")
    for name in ("Alpha Partners", "Beta Consulting"):
        make.partner(tenant, name, region="emea")
    _sign_in(page, live_server, "admin@acme.example")
    assert page.url.endswith("/")
    assert "Acme Software partner programme" in page.content()
    _shot(page, "vendor-dashboard")
    for path, text in (("/partners/", "Alpha Partners"), ("/users/", "admin@acme.example"),
                       ("/audit/", "partner.create"), ("/settings/", "Workspace name")):
        page.goto(live_server + path)
        assert text in page.content(), path
        _shot(page, path.strip("/").replace("/", "-") or "home")
    page.goto(live_server + "/partners/")
    page.click("a:has-text('Alpha Partners')")
    page.click("a:has-text('Edit')")
    page.fill("input[name=name]", "")
    page.click("button:has-text('Save partner')")
    assert "This field is required." in page.content()
    page.fill("input[name=name]", "Alpha Partners Group")
    page.click("button:has-text('Save partner')")
    assert "Partner saved." in page.content() and "Alpha Partners Group" in page.content()
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors


def test_partner_user_home_fits_a_phone(browser, live_server, make):
    tenant = make.tenant("acme", "Acme Software")
    partner = make.partner(tenant, "Alpha Partners")
    make.member(tenant, "partner_user", partner, email="pu@alpha.example")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _sign_in(page, live_server, "pu@alpha.example")
    assert page.url.endswith("/home")
    assert "Alpha Partners" in page.content()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the phone"
    _shot(page, "partner-home-phone")
    context.close()


def test_demo_tenant_in_the_browser(page, live_server, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    _sign_in(page, live_server, "manager@northwind.example", DEMO_PASSWORD)
    assert "Your partners" in page.content() and "Acme Consulting" in page.content()
    _shot(page, "demo-channel-manager")


@pytest.mark.parametrize("email", ["manager@northwind.example", "admin@northwind.example",
                                   "admin@acme-consulting.example"])
def test_demo_cockpits_fit_a_phone_and_the_menu_opens_without_javascript(browser, live_server, runner, email):
    """Issue 18: the cockpit reads at 390 px (no horizontal overflow) and the folded menu opens (CSS only)."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, live_server, email, DEMO_PASSWORD)
    assert "What needs you today" in page.content()
    assert not page.is_visible("ul.nav-links")
    page.click("label[for=nav-toggle]")
    assert page.is_visible("ul.nav-links")
    page.click("summary:has-text('Programme')")
    page.click("ul.nav-links a:has-text('Health')")
    page.wait_for_load_state()
    assert "/health" in page.url
    _shot(page, "phone-menu-" + email.split("@")[0])
    context.close()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _sign_in(page, live_server, email, DEMO_PASSWORD)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the cockpit is {overflow}px wider than the phone"
    _shot(page, "phone-cockpit-" + email.split("@")[0])
    context.close()
