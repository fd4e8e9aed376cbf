"""What every journey does: sign in and out through the forms, read the outbox, screenshot and check a page."""
from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path
import time

from app.demo import DEMO_PASSWORD

VENDOR_MANAGER = "manager@northwind.example"
PARTNER_ADMIN = "admin@acme-consulting.example"
OTHER_PARTNER_ADMIN = "admin@globex-partners.example"


def new_page(browser, width: int = 1366, **kw):
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True, **kw)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def sign_in(page, base: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/auth/login" not in page.url, page.content()[:2000]


def sign_out(page) -> None:
    page.locator("details.user-menu > summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert "/auth/login" in page.url or "Sign in" in page.content()


def mail_to(outbox: Path, address: str, timeout: float = 30.0) -> dict:
    """The newest message to address in the app's outbox (written by the job worker), waiting for it."""
    deadline = time.monotonic() + timeout
    while True:
        found = []
        for path in sorted(outbox.glob("*.eml")) if outbox.exists() else []:
            msg = message_from_bytes(path.read_bytes(), policy=policy.default)
            if address in (msg["To"] or ""):
                found.append({"to": msg["To"], "subject": msg["Subject"], "body": msg.get_body(("plain",)).get_content()})
        if found:
            return found[-1]
        assert time.monotonic() < deadline, f"no mail to {address} in {outbox}"
        time.sleep(0.2)


def link_in(body: str) -> str:
    return re.search(r"https?://\S+", body).group(0)


# The focused element matches :focus-visible (the browser shows keyboard focus) and its computed style there
# draws a ring: an outline or a box-shadow (Pico draws its softer focus ring with box-shadow).
FOCUS_RING = """() => { const e = document.activeElement; if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && s.outlineColor !== 'rgba(0, 0, 0, 0)';
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  // A date field's focus moves between segments inside the user agent's shadow tree, where :focus-visible
  // matches instead of on the input; the input then matches :focus or :focus-within (the app's
  // input:focus-within rule draws the ring there).
  const visible = e.matches(':focus-visible') || (e.tagName === 'INPUT' && e.matches(':focus, :focus-within'));
  return {tag: e.tagName.toLowerCase(), name: e.getAttribute('name'), text: (e.innerText || e.value || '').trim().slice(0, 60),
          ring: visible && (outline || !!shadow), visible, outline: s.outlineStyle + ' ' + s.outlineWidth, shadow: s.boxShadow}; }"""


def tab_to(page, matches, limit: int = 250, rings: list | None = None) -> dict:
    """Press Tab until the focused element satisfies matches(focused); every element passed on the way must
    show a focus ring (the ones without are collected into rings, or fail at once)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_RING)
        if focused is None:
            continue
        if not focused["ring"]:
            if rings is None:
                raise AssertionError(f"no visible focus ring on {focused}")
            rings.append(focused)
        if matches(focused):
            return focused
    raise AssertionError(f"Tab never reached the element after {limit} presses on {page.url}")


def keyboard_sign_in(page, base: str, email: str, password: str = DEMO_PASSWORD, rings: list | None = None) -> None:
    page.goto(f"{base}/auth/login")
    tab_to(page, lambda f: f["name"] == "email", rings=rings)
    page.keyboard.type(email)
    tab_to(page, lambda f: f["name"] == "password", rings=rings)
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/auth/login" not in page.url, page.locator("main").inner_text()


def press(page, key: str = "Enter") -> None:
    """Press a key that submits a form or follows a link, and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()


def keyboard_open_menu(page, label: str, key: str = "Space", rings: list | None = None) -> None:
    """Tab to a top-bar menu (a <details> summary) and open it with Space or Enter; it must open."""
    tab_to(page, lambda f: f["tag"] == "summary" and f["text"] == label, rings=rings)
    page.keyboard.press(key)
    opened = page.evaluate("document.activeElement.closest('details').open")
    assert opened, f"the {label} menu did not open with {key}"


def keyboard_sign_out(page, name: str, rings: list | None = None) -> None:
    """Open the user menu (under the person's name) with the keyboard, then Sign out with Enter."""
    keyboard_open_menu(page, name, rings=rings)
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Sign out", rings=rings)
    press(page, "Enter")
    assert "/auth/login" in page.url or "Sign in" in page.content()
