"""Journey 3, the quarterly review in two browsers: the channel manager opens it, both sides add action items and
sign in turn, the review freezes and its PDF pack downloads and opens. The partner side uses the keyboard alone
(Tab, Enter, Space and typing), and every element it passes shows a focus ring."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.browser.journeys.helpers import VENDOR_MANAGER, OTHER_PARTNER_ADMIN, keyboard_sign_in, new_page, sign_in, tab_to

pytestmark = pytest.mark.browser
PARTNER = "Globex Partners"


def test_both_sides_hold_the_review_to_two_signatures_and_the_pack_opens(stack, browser):
    manager = new_page(browser)
    partner = new_page(browser, locale="en-US")
    sign_in(manager, stack.base, VENDOR_MANAGER)
    keyboard_sign_in(partner, stack.base, OTHER_PARTNER_ADMIN)

    # The channel manager opens the quarter's review of the partner and adds an action item.
    manager.goto(stack.base + "/reviews/?period=2026-Q4")
    manager.locator("main tr", has_text=PARTNER).get_by_role("link", name="Start").click()
    manager.get_by_label("Quarter").select_option("2026-Q4")
    manager.get_by_role("button", name="Open the review").click()
    manager.wait_for_url(re.compile(r"/reviews/[0-9a-f-]{36}$"))
    url = manager.url
    assert "2026-Q4" in manager.locator("h1").inner_text() or "2026-Q4" in manager.content()
    manager.get_by_label("Title").fill("Joint webinar for the Q1 launch")
    manager.get_by_label("Due").fill("2027-01-29")
    manager.get_by_role("button", name="Add action item").click()
    manager.wait_for_load_state()
    assert "Joint webinar for the Q1 launch" in manager.content()

    # The partner admin, keyboard only: follows the link on its home page, adds an item, signs first.
    rings: list = []
    partner.goto(stack.base + "/home")
    tab_to(partner, lambda f: f["tag"] == "a" and "review" in f["text"].lower() and partner.evaluate(
        "document.activeElement.getAttribute('href')") == url.replace(stack.base, ""), rings=rings)
    with partner.expect_navigation():
        partner.keyboard.press("Enter")
    assert partner.url == url
    assert "Joint webinar for the Q1 launch" in partner.content()
    tab_to(partner, lambda f: f["name"] == "title", rings=rings)
    partner.keyboard.type("Send the customer references")
    tab_to(partner, lambda f: f["name"] == "due_date", rings=rings)
    partner.keyboard.type("02152027")
    tab_to(partner, lambda f: f["tag"] == "button" and f["text"] == "Add action item", rings=rings)
    with partner.expect_navigation():
        partner.keyboard.press("Enter")
    assert "Send the customer references" in partner.content()
    tab_to(partner, lambda f: f["tag"] == "button" and f["text"] == "Sign for the partner side", rings=rings)
    with partner.expect_navigation():
        partner.keyboard.press("Space")
    assert "waits for the other side" in partner.content()

    # The manager sees both items and signs second: the review freezes.
    manager.reload()
    assert "Send the customer references" in manager.content()
    manager.get_by_role("button", name="Sign for the vendor side").click()
    manager.wait_for_load_state()
    assert "this page shows the frozen snapshot" in manager.content()
    assert manager.get_by_role("button", name="Add action item").count() == 0
    partner.reload()
    assert "this page shows the frozen snapshot" in partner.content()

    # Both sides' PDF packs download and open; they carry the items and the partner's name.
    for page in (manager, partner):
        with page.expect_download() as download:
            page.locator("main a", has_text="PDF pack").click()
        data = open(download.value.path(), "rb").read()
        assert data.startswith(b"%PDF")
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        assert PARTNER in text and "Joint webinar for the Q1 launch" in text and "Send the customer references" in text, text[:2000]
    assert not rings, f"focused without a visible focus ring: {rings}"
    assert not manager.errors and not partner.errors, manager.errors + partner.errors
    manager.context.close()
    partner.context.close()
