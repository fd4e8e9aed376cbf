"""The demo's joint review in two browsers: the channel manager and the partner admin sign, both packs download twice
identically, and the signed quarter can no longer be closed."""
from __future__ import annotations

import hashlib

import pytest

from app.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page, base, email):
    page.goto(f"{base}/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _pdf(page) -> str:
    with page.expect_download() as download:
        page.click("a:has-text('PDF pack')")
    return hashlib.sha256(open(download.value.path(), "rb").read()).hexdigest()


def test_channel_manager_and_partner_admin_hold_the_review_to_both_signatures(browser, live_server, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    manager = browser.new_context(accept_downloads=True).new_page()
    partner = browser.new_context(accept_downloads=True).new_page()
    errors = []
    for p in (manager, partner):
        p.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _sign_in(manager, live_server, "manager@northwind.example")
    _sign_in(partner, live_server, "admin@acme-consulting.example")
    # The signed previous quarter: the dispute shown with both values, settled; the hash.
    manager.goto(f"{live_server}/reviews/?period=2026-Q3")
    manager.click("a:text-is('Open')")
    q3 = manager.content()
    assert "Disputed" in q3 and "Settled in this review" in q3 and "SHA-256" in q3
    # The quarter in progress: carried items; the manager adds one and signs.
    manager.goto(f"{live_server}/reviews/")
    manager.click("a:text-is('Open')")
    url = manager.url
    assert manager.locator(".badge:text-is('carried')").count() == 2
    manager.fill("input[name=title]", "Agree the 2027 joint plan")
    manager.fill("input[name=due_date]", "2027-01-20")
    manager.click("button:has-text('Add action item')")
    manager.click("button:has-text('Sign for the vendor side')")
    assert "waits for the other side" in manager.content()
    partner.goto(f"{live_server}/home")
    assert "Waiting for the other side" in partner.content()
    partner.goto(url)
    assert "Agree the 2027 joint plan" in partner.content()
    partner.click("button:has-text('Sign for the partner side')")
    assert "this page shows the frozen snapshot" in partner.content()
    manager.reload()
    assert "this page shows the frozen snapshot" in manager.content()
    assert _pdf(manager) == _pdf(manager)
    assert _pdf(partner) == _pdf(partner)
    assert not [e for e in errors if "Content Security Policy" in e], errors
