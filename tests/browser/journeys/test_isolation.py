"""Journey 4, isolation in the browser: a partner's admin pastes the addresses of another partner's account, review,
health agreement, deal registration and its sharing and term-change requests, and gets the 404 page with nothing
of that partner. Enhancement requests are the one thing other partners may open (DESIGN: they support them and see
counts only): that page must not say who filed it."""
from __future__ import annotations

import re

import pytest

from tests.browser.journeys.helpers import OTHER_PARTNER_ADMIN, PARTNER_ADMIN, new_page, sign_in

pytestmark = pytest.mark.browser


def _first(page, base, path, pattern) -> tuple[str, str]:
    """(address, title) of the first link like pattern on path, and the h1 of the page it opens."""
    page.goto(base + path)
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
    href = next(h for h in hrefs if re.search(pattern, h))
    response = page.goto(base + href)
    assert response.status == 200, href
    return href, page.locator("main h1").inner_text().strip()


def test_another_partners_addresses_answer_404_with_nothing_of_it(stack, browser):
    owner = new_page(browser)
    sign_in(owner, stack.base, PARTNER_ADMIN)
    targets = {
        "account": _first(owner, stack.base, "/accounts/?owner=own", r"^/accounts/[0-9a-f-]{36}$"),
        "review": _first(owner, stack.base, "/home", r"^/reviews/[0-9a-f-]{36}$"),
        "agreement": _first(owner, stack.base, "/health/me", r"^/health/agreements/[0-9a-f-]{36}$"),
        "registration": _first(owner, stack.base, "/home", r"^/opportunities/registrations/[0-9a-f-]{36}$"),
        "sharing requests": _first(owner, stack.base, "/home", r"^/sharing/partners/[0-9a-f-]{36}$"),
        "term-change requests": _first(owner, stack.base, "/home", r"^/terms/partners/[0-9a-f-]{36}$"),
    }
    enhancement = _first(owner, stack.base, "/enhancements/", r"^/enhancements/[0-9a-f-]{36}$")
    secrets = {"Acme Consulting", "acme-consulting"} | {title.split(": ", 1)[-1] for _, title in targets.values()}
    owner.context.close()

    other = new_page(browser)
    sign_in(other, stack.base, OTHER_PARTNER_ADMIN)
    for kind, (href, title) in targets.items():
        response = other.goto(stack.base + href)
        assert response.status == 404, f"{kind} {href} answered {response.status}"
        body = other.content()
        assert "404" in other.locator("main").inner_text() or "not found" in body.lower(), kind
        leaked = [s for s in secrets if s and s.lower() in body.lower()]
        assert not leaked, f"the 404 for the {kind} shows {leaked}"
        other.screenshot(path=str(stack.shots / f"isolation-404-{kind.replace(' ', '-')}.png"))
    response = other.goto(stack.base + enhancement[0])
    assert response.status == 200 and enhancement[1] in other.content()
    main = other.locator("main").inner_text()
    assert "Acme" not in main and "acme-consulting" not in main, main
    other.context.close()
