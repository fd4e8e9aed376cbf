"""Journey 1, partner staff: from the invitation e-mail to a registered deal, in one browser. Its key steps are
done with the keyboard alone (Tab, Enter, Space and typing): the admin's sign-in and invitation form, the new
person's password form and sign-in, and the user menu that signs out; every element passed shows a focus ring."""
from __future__ import annotations

import re

import pytest

from tests.browser.journeys.helpers import (
    PARTNER_ADMIN, keyboard_sign_in, keyboard_sign_out, link_in, mail_to, new_page, press, tab_to,
)

pytestmark = pytest.mark.browser
CSV = ("name,domain,employees,industry,region,arr,renewal_date,stage\n"
       "Tailspin Toys,tailspin-toys.example,120,Retail,EMEA,48000,2027-03-31,customer\n"
       "Wingtip Travel,wingtip-travel.example,300,Travel,EMEA,90000,2027-06-30,customer\n"
       "Fourth Coffee,fourth-coffee.example,45,Food,EMEA,12000,2027-02-28,prospect\n")


def test_partner_staff_from_invitation_to_a_registered_deal(stack, browser, tmp_path):
    rings: list = []
    admin = new_page(browser)
    keyboard_sign_in(admin, stack.base, PARTNER_ADMIN, rings=rings)
    admin.goto(stack.base + "/users/invite")
    tab_to(admin, lambda f: f["name"] == "email", rings=rings)
    admin.keyboard.type("sam@acme-consulting.example")
    tab_to(admin, lambda f: f["name"] == "name", rings=rings)
    admin.keyboard.type("Sam Staff")
    tab_to(admin, lambda f: f["tag"] == "select" and f["name"] == "role", rings=rings)
    admin.keyboard.type("Partner user")  # a focused select picks the option its typed label starts
    assert admin.locator("select[name=role] option:checked").inner_text() == "Partner user"
    tab_to(admin, lambda f: f["tag"] == "button" and f["text"] == "Send invitation", rings=rings)
    press(admin, "Enter")
    assert "sam@acme-consulting.example" in admin.locator("main").inner_text()
    admin.context.close()

    mail = mail_to(stack.outbox, "sam@acme-consulting.example")
    page = new_page(browser)
    page.goto(link_in(mail["body"]))
    assert "sam@acme-consulting.example" in page.content()
    tab_to(page, lambda f: f["name"] == "password", rings=rings)
    page.keyboard.type("sam-staff-password-2026")
    tab_to(page, lambda f: f["name"] == "confirm", rings=rings)
    page.keyboard.type("sam-staff-password-2026")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Set password", rings=rings)
    press(page, "Space")
    assert "/auth/login" in page.url and "Sign in with your new password" in page.content()
    keyboard_sign_in(page, stack.base, "sam@acme-consulting.example", "sam-staff-password-2026", rings=rings)
    page.goto(stack.base + "/home")
    assert page.locator("h1").inner_text() == "Acme Consulting"

    # Upload the customer list; the job page follows it to the end.
    (tmp_path / "customers.csv").write_text(CSV)
    page.goto(stack.base + "/accounts/import")
    page.get_by_label(re.compile("file", re.I)).set_input_files(str(tmp_path / "customers.csv"))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r"/jobs/"))
    page.locator(".job-state:text-is('succeeded')").wait_for(timeout=60_000)
    assert page.locator(".job-done").inner_text() == "3"
    page.goto(stack.base + "/accounts/?owner=own&q=tailspin")
    assert "Tailspin Toys" in page.content()

    # The overlaps sharing allows, and an insight on a shared account.
    page.goto(stack.base + "/home")
    page.get_by_role("link", name=re.compile("Sharing and shared customers")).click()
    page.get_by_role("link", name=re.compile("See the list")).click()
    assert "Shared customers" in page.locator("h1").inner_text()
    page.locator("main a[href^='/accounts/']").first.click()
    account = page.locator("h1").inner_text()
    form = page.locator("form[action$='/insights']")
    form.get_by_label("Date").fill("2026-11-20")
    form.get_by_label("Type").select_option("workshop")
    form.get_by_label("Who").fill("Sam Staff")
    form.get_by_label("Notes (optional)").fill("Adoption workshop with the ops team")
    form.get_by_role("button", name="Add insight").click()
    page.wait_for_load_state()
    assert "Adoption workshop with the ops team" in page.content(), account

    # An enhancement request.
    page.goto(stack.base + "/enhancements/new")
    page.get_by_label("Title").fill("Bulk-edit renewal dates")
    page.get_by_label("The problem").fill("We update forty renewal dates by hand every quarter.")
    page.get_by_label("The business outcome it would unlock").fill("Renewals prepared a month earlier.")
    page.get_by_label("Urgency").select_option(label="High")
    page.get_by_label("Or how many customers it affects").fill("12")
    page.get_by_role("button", name="File the request").click()
    page.wait_for_url(re.compile(r"/enhancements/[0-9a-f-]{36}$"))
    assert "Bulk-edit renewal dates" in page.content()

    # Register a deal on the freshly imported account.
    page.goto(stack.base + "/opportunities/new")
    page.get_by_label("Account").select_option(label="Tailspin Toys (tailspin-toys.example)")
    page.get_by_label("Kind").select_option(label="Upsell")
    page.get_by_label("Product or service").fill("Analytics add-on")
    page.get_by_label("Amount").fill("24000")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_label("Expected close").fill("2027-03-15")
    page.get_by_label("Register this deal for protection now").check()
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_load_state()
    assert "Opportunity added and registered:" in page.locator("main .flash-success").inner_text()
    page.goto(stack.base + "/home")
    assert page.locator("main a[href^='/opportunities/registrations/']", has_text="Analytics add-on").count() == 1
    keyboard_sign_out(page, "Sam Staff", rings=rings)
    page.goto(stack.base + "/home")
    assert "/auth/login" in page.url
    assert not rings, f"focused without a visible focus ring: {rings}"
    assert not page.errors, page.errors
    page.context.close()
