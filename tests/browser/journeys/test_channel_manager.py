"""Journey 2, the vendor's channel manager: rank partners by fit, assess one, propose a health agreement,
record measurements, close the quarter, read the tier, margin and what-if, approve a deal registration.
Its key steps are done with the keyboard alone (Tab, Enter, Space and typing): the sign-in, the ranking's filter
form, the Customers menu that leads to the pipeline, and resolving and approving the registration; every element
passed shows a focus ring."""
from __future__ import annotations

import re

import pytest

from tests.browser.journeys.helpers import VENDOR_MANAGER, keyboard_open_menu, keyboard_sign_in, new_page, press, tab_to

pytestmark = pytest.mark.browser
PARTNER = "Umbrella Digital"  # one of the manager's partners in the demo, with an open 2026-Q3


def test_channel_manager_runs_a_partners_quarter(stack, browser):
    rings: list = []
    page = new_page(browser)
    keyboard_sign_in(page, stack.base, VENDOR_MANAGER, rings=rings)
    assert "Your partners" in page.content()

    # Rank by fit: best first, and the band filter (keyboard only) narrows the list.
    page.goto(stack.base + "/ipp/ranking")
    scores = [float(s) for s in page.locator("main a[href^='/ipp/assessments/']").all_inner_texts() if s.strip()]
    assert len(scores) >= 5 and scores == sorted(scores, reverse=True), scores
    tab_to(page, lambda f: f["tag"] == "select" and f["name"] == "band", rings=rings)
    page.keyboard.type("Not a fit")  # a focused select picks the option its typed label starts
    assert page.locator("select[name=band] option:checked").inner_text() == "Not a fit"
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Filter", rings=rings)
    press(page, "Enter")
    assert "band=" in page.url
    assert PARTNER in page.content() and "Initech Services" not in page.locator("main table").inner_text()

    # Assess the partner: the new score shows on its page.
    page.get_by_role("link", name=PARTNER).click()
    partner_url = page.url.split("#")[0]
    partner_id = re.search(r"/partners/([0-9a-f-]{36})", partner_url).group(1)
    page.goto(f"{stack.base}/ipp/partners/{partner_id}/assess")
    for fieldset in page.locator("main form fieldset").all():
        yes = fieldset.get_by_label("Yes", exact=True)
        if yes.count():
            yes.check()
        elif fieldset.get_by_label("4", exact=True).count():
            fieldset.get_by_label("4", exact=True).check()
    page.locator("select[name=a-region]").select_option("apac")
    page.locator("select[name=a-segments]").select_option("smb")
    page.locator("input[name=a-certified_consultants]").fill("6")
    page.locator("input[name=a-cs_headcount]").fill("4")
    page.locator("input[name=a-services_revenue_share]").fill("30")
    page.get_by_role("button", name="Finish assessment").click()
    page.wait_for_load_state()
    assert "/ipp/assessments/" in page.url, page.content()[:3000]
    assert "ideal" in page.content().lower() or "strong" in page.content().lower()

    # Propose next quarter's health agreement.
    page.goto(f"{stack.base}/health/partners/{partner_id}")
    page.locator("main a", has_text="Propose metrics").click()
    assert page.get_by_label("Quarter", exact=False).input_value() == "2026-Q4"
    page.get_by_label("Note to the other side").fill("Same metrics, NPS weighted higher from Q4.")
    page.get_by_role("button", name="Send proposal").click()
    page.wait_for_load_state()
    assert "2026-Q4" in page.content() and "Same metrics, NPS weighted higher" in page.content()

    # Record the open quarter's measurements, then close it.
    page.goto(f"{stack.base}/health/partners/{partner_id}")
    page.locator("main a[href^='/health/agreements/']", has_text="2026-Q3").first.click()
    page.locator("input[name=value-nps]").fill("41")
    page.locator("input[name=value-product_adoption]").fill("66")
    page.get_by_label("Source").fill("Q3 customer survey")
    page.get_by_role("button", name="Save measurements").click()
    page.wait_for_load_state()
    assert page.locator("input[name=value-nps]").input_value() == "41"
    page.locator("main a", has_text="Back to the health page").click()
    page.get_by_role("button", name="Close 2026-Q3").click()
    page.wait_for_load_state()
    flash = page.locator("main .flash-success").inner_text()
    assert re.match(r"2026-Q3 closed: health [\d.]+, .+ at [\d.]+% for 2026-Q4\.", flash), flash
    history = page.locator("main article", has_text="Margin history").locator("tbody tr").first.inner_text()
    assert history.startswith("2026-Q3") and "in 2026-Q4" in history and "%" in history, history

    # The tier and margin on the programme page, and the what-if.
    page.goto(f"{stack.base}/tiers/partners/{partner_id}/what-if")
    assert "What-if for " + PARTNER in page.content()
    page.get_by_label("What-if value of nps").fill("60")
    page.get_by_label("What-if value of gross_renewal_rate").fill("97")
    page.get_by_role("button", name="Recalculate").click()
    page.wait_for_load_state()
    assert "margin" in page.content().lower()
    assert page.get_by_label("What-if value of nps").input_value() == "60"

    # Approve a pending deal registration: the Customers menu leads to the pipeline, keyboard only.
    page.goto(stack.base + "/")
    keyboard_open_menu(page, "Customers", "Space", rings=rings)
    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Pipeline", rings=rings)
    press(page, "Enter")
    assert page.url == stack.base + "/opportunities/"
    links = page.eval_on_selector_all("main a[href^='/opportunities/registrations/']", "els => [...new Set(els.map(e => e.getAttribute('href')))]")
    for href in links:
        page.goto(stack.base + href)
        if page.get_by_role("button", name="Approve", exact=True).count():
            if page.get_by_role("button", name="Resolve", exact=True).count():  # a conflict: settle ownership first
                tab_to(page, lambda f: f["tag"] == "select" and f["name"] == "resolution", rings=rings)
                page.keyboard.type("Co-sell")
                assert page.locator("select[name=resolution] option:checked").inner_text() == "Co-sell"
                tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Resolve", rings=rings)
                press(page, "Enter")
            tab_to(page, lambda f: f["tag"] == "input" and page.evaluate("document.activeElement.id") == "approve-note",
                   rings=rings)
            page.keyboard.type("Co-sell agreed; protected for 90 days.")
            tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Approve", rings=rings)
            press(page, "Space")
            main = page.locator("main").inner_text()
            assert "Status: Approved" in main and "protected until" in main, main
            break
    else:
        pytest.fail(f"no registration waits for approval among {links}")
    assert not rings, f"focused without a visible focus ring: {rings}"
    assert not page.errors, page.errors
    page.context.close()
