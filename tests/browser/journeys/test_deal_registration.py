"""Issue 14's done-when, tried as a new user would, in two browser contexts: a partner user registers a deal on
a shared account, sees it flagged as a conflict with the vendor's own enterprise segment, the channel manager
resolves it and approves, the opportunity appears in both sides' pipeline and in the quarter's review, and the
partner's touch plan and certifications show on its home.

The demo's Litware Health is the vendor's account in the enterprise segment (vendor-led), shared with Acme
Consulting, with an open vendor opportunity on it; no other journey resolves its ownership."""
from __future__ import annotations

import re

import pytest

from tests.browser.journeys.helpers import VENDOR_MANAGER, new_page, sign_in

pytestmark = pytest.mark.browser
PARTNER_USER = "user@acme-consulting.example"
PARTNER = "Acme Consulting"
DEAL = "Clinical analytics for 12 hospitals"
OPEN = re.compile(r"([\d.,]+) EUR in (\d+) open")


def _open_eur(page) -> tuple[str, int]:
    """The pipeline page's open total in EUR and its count of open opportunities."""
    found = OPEN.search(page.locator("main h2:text-is('Open pipeline') + p").inner_text())
    assert found, page.locator("main").inner_text()[:1500]
    return found.group(1), int(found.group(2))


def test_a_partner_registers_a_deal_in_conflict_and_the_channel_manager_clears_and_approves_it(stack, browser):
    partner = new_page(browser)
    manager = new_page(browser)
    sign_in(partner, stack.base, PARTNER_USER)
    sign_in(manager, stack.base, VENDOR_MANAGER)

    # Where both sides start: the partnership's pipeline as the vendor sees it, the partner's own.
    manager.goto(stack.base + "/opportunities/")
    manager.get_by_label("Partnership").select_option(label=PARTNER)
    manager.get_by_role("button", name="Show").click()
    manager.wait_for_url(re.compile(r"partner_id="))
    partnership = manager.url
    vendor_before = _open_eur(manager)
    partner.goto(stack.base + "/opportunities/")
    partner_before = _open_eur(partner)
    assert DEAL not in partner.content() and DEAL not in manager.content()

    # The partner user finds the shared account (the vendor's row) and registers a deal on it.
    partner.goto(stack.base + "/accounts/?owner=shared&q=litware")
    partner.locator("main a[href^='/accounts/']", has_text="Litware Health").first.click()
    partner.wait_for_url(re.compile(r"/accounts/[0-9a-f-]{36}$"))
    account_id = partner.url.rsplit("/", 1)[1]
    partner.goto(stack.base + "/opportunities/new")
    partner.get_by_label("Account").select_option(value=account_id)
    partner.get_by_label("Kind").select_option(label="Cross-sell")
    partner.get_by_label("Product or service").fill(DEAL)
    partner.get_by_label("Amount").fill("64000")
    partner.get_by_label("Currency").select_option("EUR")
    partner.get_by_label("Expected close").fill("2026-12-18")
    partner.get_by_label("Next step").fill("Workshop with the CIO")
    partner.get_by_label("Register this deal for protection now").check()
    partner.get_by_role("button", name="Add", exact=True).click()
    partner.wait_for_url(re.compile(r"/opportunities/registrations/[0-9a-f-]{36}$"))
    registration = partner.url
    main = partner.locator("main").inner_text()
    assert "Opportunity added and registered: conflict." in main, main
    assert "Check: Conflict" in main and "Status: Pending" in main, main
    assert "The account is in the enterprise segment, which the vendor leads." in main, main
    assert partner.get_by_role("button", name="Approve").count() == 0  # the partner cannot approve its own

    # The channel manager opens it from the partnership's pipeline: conflict, so approval waits.
    manager.goto(partnership)
    row = manager.locator("main table tr", has_text=DEAL).first
    assert "Conflict" in row.inner_text() and "Pending" in row.inner_text(), row.inner_text()
    row.get_by_role("link", name=DEAL).click()
    manager.wait_for_url(registration)
    assert "registered by " + PARTNER in manager.locator("main").inner_text()
    manager.get_by_label("Note", exact=True).last.fill("Approving before the conflict is settled")
    manager.get_by_role("button", name="Approve", exact=True).click()
    manager.wait_for_load_state()
    assert "resolve the account's ownership first" in manager.locator("main").inner_text()
    assert "Status: Pending" in manager.locator("main").inner_text()
    assert manager.errors == ["Failed to load resource: the server responded with a status of 409 (CONFLICT)"]
    manager.errors.clear()  # the refusal answers 409, which the browser logs; nothing else may have failed

    # Resolve the account's ownership in the partner's favour (one conflict mechanism), then approve.
    manager.goto(registration)
    manager.get_by_label("Resolve the account's ownership").select_option(label="This partner owns it")
    manager.locator("#resolve-note").fill("Acme runs the hospital programme; the vendor steps back.")
    manager.get_by_role("button", name="Resolve", exact=True).click()
    manager.wait_for_url(registration)
    main = manager.locator("main").inner_text()
    assert "Check: Clear" in main and "resolved this account's ownership in your favour" in main, main
    manager.locator("#approve-note").fill("Protected for 90 days.")
    manager.get_by_role("button", name="Approve", exact=True).click()
    manager.wait_for_url(registration)
    main = manager.locator("main").inner_text()
    assert "Status: Approved" in main and "protected until" in main and "Protected for 90 days." in main, main

    # Both sides' pipelines carry the opportunity and its amount.
    manager.goto(partnership)
    vendor_after = _open_eur(manager)
    assert vendor_after[1] == vendor_before[1] + 1, (vendor_before, vendor_after)
    assert manager.locator("main table tr", has_text=DEAL).filter(has_text="Approved").count() == 1
    assert manager.locator("main table tr", has_text=DEAL).filter(has_text="64000").count() == 1
    partner.goto(stack.base + "/opportunities/")
    partner_after = _open_eur(partner)
    assert partner_after[1] == partner_before[1] + 1, (partner_before, partner_after)
    assert partner.locator("main table tr", has_text=DEAL).filter(has_text="Approved").count() == 1
    partner.goto(registration)
    assert "Status: Approved" in partner.locator("main").inner_text()

    # The quarter's review (2026-Q4, the expected close) shows the registered deal on both sides.
    partner.goto(stack.base + "/home")
    review = partner.eval_on_selector_all("main a[href^='/reviews/']", "els => els.map(e => e.getAttribute('href'))")
    reviews = [h for h in review if re.fullmatch(r"/reviews/[0-9a-f-]{36}", h)]
    found = []
    for href in reviews:
        partner.goto(stack.base + href)
        if "2026-Q4" in partner.locator("h1").inner_text():
            found.append(href)
    assert found, reviews
    for page in (partner, manager):
        page.goto(stack.base + found[0])
        row = page.locator("main section.review-opportunities tr", has_text=DEAL)
        assert row.count() == 1, page.locator("main").inner_text()[:3000]
        assert "64000" in row.inner_text() and "Approved" in row.inner_text() and "protected until" in row.inner_text()

    # The partner home: the deal under protection, the quarter's touch plan and the certifications.
    partner.goto(stack.base + "/home")
    regs = partner.locator("main section", has=partner.locator("h2:text-is('Deal registrations')"))
    assert regs.locator("li", has_text=DEAL).filter(has_text="Approved until").count() == 1, regs.inner_text()
    plan = partner.locator("main section", has=partner.locator("h2", has_text="Touch plan, 2026-Q4"))
    text = plan.inner_text()
    assert re.search(r"\d+ of \d+ touchpoints done", text), text
    assert re.search(r"Certifications: \d+ valid", text), text
    plan.get_by_role("link", name="Training and certifications").click()
    assert "Training" in partner.locator("h1").inner_text()
    assert not partner.errors and not manager.errors, partner.errors + manager.errors
    partner.context.close()
    manager.context.close()
