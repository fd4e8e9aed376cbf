"""Every main page, for the vendor and the partner side: a screenshot at 1366 and 390 px, no horizontal
overflow at phone width, every image and chart named, and no serious or critical axe-core violation at
either width."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.journeys.helpers import PARTNER_ADMIN, VENDOR_MANAGER, sign_in

pytestmark = pytest.mark.browser
VENDOR = Path(__file__).resolve().parents[1] / "vendor"
AXE = (VENDOR / "axe.min.js").read_text()
ADMIN = "admin@northwind.example"
CSDM = "success@northwind.example"  # the cs_development_manager of the demo's regions

# (name, path) or (name, list page, link pattern to follow from it): detail pages are reached as people reach them.
PAGES = {
    ADMIN: [("vendor-users", "/users/"), ("vendor-audit", "/audit/"), ("vendor-settings", "/settings/"),
            ("vendor-ipp-profiles", "/ipp/profiles"), ("vendor-courses", "/enablement/courses"),
            ("vendor-onboarding-template", "/onboarding/template"), ("vendor-sso", "/settings/sso"),
            ("vendor-regions", "/partners/regions"), ("vendor-pipeline-settings", "/opportunities/settings"),
            ("vendor-course-edit", "/enablement/courses", r"^/enablement/courses/[0-9a-f-]{36}/edit$")],
    VENDOR_MANAGER: [
        ("vendor-cockpit", "/"), ("vendor-partners", "/partners/"),
        ("vendor-partner", "/partners/", r"^/partners/[0-9a-f-]{36}$"),
        ("vendor-accounts", "/accounts/"), ("vendor-account", "/accounts/", r"^/accounts/[0-9a-f-]{36}$"),
        ("vendor-ipp-ranking", "/ipp/ranking"), ("vendor-ipp-portfolio", "/ipp/portfolio"),
        ("vendor-assessment", "/ipp/ranking", r"^/ipp/assessments/"),
        ("vendor-health", "/health/"), ("vendor-health-partner", "/health/", r"^/health/partners/"),
        ("vendor-agreement", "/health/", r"^/health/partners/", r"^/health/agreements/"),
        ("vendor-tiers", "/tiers/"), ("vendor-what-if", "/health/", r"^/health/partners/", r"/what-if$"),
        ("vendor-reviews", "/reviews/"), ("vendor-review", "/reviews/", r"^/reviews/[0-9a-f-]{36}$"),
        ("vendor-opportunities", "/opportunities/"),
        ("vendor-registration", "/opportunities/", r"^/opportunities/registrations/"),
        ("vendor-enhancements", "/enhancements/"), ("vendor-enhancement", "/enhancements/", r"^/enhancements/[0-9a-f-]{36}$"),
        ("vendor-sharing", "/sharing/"), ("vendor-plan", "/plan/"), ("vendor-jobs", "/jobs/"),
        ("vendor-notices", "/notifications/"),
        ("vendor-coverage", "/enablement/coverage"),
        ("vendor-touches", "/partners/", r"^/partners/[0-9a-f-]{36}$", r"^/enablement/partners/[0-9a-f-]{36}/touches$"),
        ("vendor-training", "/partners/", r"^/partners/[0-9a-f-]{36}$", r"^/enablement/partners/[0-9a-f-]{36}/training$"),
        ("vendor-onboarding", "/onboarding/"), ("vendor-checklist", "/onboarding/", r"^/onboarding/partners/"),
        ("vendor-new-opportunity", "/opportunities/new"),
        ("vendor-edit-opportunity", "/opportunities/", r"^/opportunities/[0-9a-f-]{36}/edit$"),
        ("vendor-regions-manager", "/partners/regions"),
    ],
    CSDM: [
        ("csdm-cockpit", "/"), ("csdm-partners", "/partners/"),
        ("csdm-partner", "/partners/", r"^/partners/[0-9a-f-]{36}$"), ("csdm-onboarding", "/onboarding/"),
        ("csdm-checklist", "/onboarding/", r"^/onboarding/partners/"),
        ("csdm-touches", "/", r"^/enablement/partners/[0-9a-f-]{36}/touches$"),
        ("csdm-training", "/", r"^/enablement/partners/[0-9a-f-]{36}/touches$", r"^/enablement/partners/[0-9a-f-]{36}/training$"),
        ("csdm-coverage", "/enablement/coverage"), ("csdm-regions", "/partners/regions"),
        ("csdm-opportunities", "/opportunities/"),
    ],
    PARTNER_ADMIN: [
        ("partner-home", "/home"), ("partner-accounts", "/accounts/"), ("partner-import", "/accounts/import"),
        ("partner-health", "/health/me"), ("partner-reviews", "/home", r"^/reviews/partners/"),
        ("partner-review", "/home", r"^/reviews/[0-9a-f-]{36}$"),
        ("partner-sharing", "/home", r"^/sharing/partners/[0-9a-f-]{36}$"),
        ("partner-opportunities", "/opportunities/"), ("partner-enhancements", "/enhancements/"),
        ("partner-new-enhancement", "/enhancements/new"), ("partner-new-opportunity", "/opportunities/new"),
        ("partner-self-assessment", "/home", r"/self-assessment$"), ("partner-account-settings", "/auth/account"),
        ("partner-touches", "/home", r"^/enablement/partners/[0-9a-f-]{36}/touches$"),
        ("partner-training", "/home", r"^/enablement/partners/[0-9a-f-]{36}/training$"),
        ("partner-courses", "/enablement/courses"),
        ("partner-registration", "/home", r"^/opportunities/registrations/"),
        ("partner-edit-opportunity", "/opportunities/", r"^/opportunities/[0-9a-f-]{36}/edit$"),
        ("partner-sso", "/settings/sso/partner"),
        ("partner-jobs", "/jobs/"), ("partner-job", "/jobs/", r"^/jobs/[0-9a-f-]{36}$"),
    ],
}

# An <img> needs an alt (empty only when it is decoration); an svg, canvas or role=img element needs a non-empty
# aria-label, an aria-labelledby that points at text, or (svg) a <title> child with text.
UNNAMED_GRAPHICS = """() => [...document.querySelectorAll('img, svg, canvas, [role=img]')].filter(e => {
  if (e.closest('[aria-hidden=true]') || ['presentation', 'none'].includes(e.getAttribute('role'))) return false;
  if (e.tagName === 'IMG') return !e.hasAttribute('alt');
  const text = s => (s || '').trim();
  const byIds = text((e.getAttribute('aria-labelledby') || '').split(/\\s+/).map(id => document.getElementById(id))
                     .filter(Boolean).map(t => t.textContent).join(' '));
  const title = e.tagName.toLowerCase() === 'svg' ? [...e.children].find(c => c.tagName.toLowerCase() === 'title') : null;
  return !(text(e.getAttribute('aria-label')) || byIds || (title && text(title.textContent)));
}).map(e => e.outerHTML.slice(0, 160))"""

AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(0, 3).join(' / '))}));
}"""


def _a_finished_import(page, base, tmp_path) -> None:
    """The partner's jobs pages need a job: upload a one-row customer list and wait for it to succeed."""
    csv = tmp_path / "a11y-customers.csv"
    csv.write_text("name,domain,employees,industry,region,arr,renewal_date,stage\n"
                   "Trey Research,trey-research.example,40,Research,EMEA,8000,2027-05-31,customer\n")
    page.goto(base + "/accounts/import")
    page.get_by_label(re.compile("file", re.I)).set_input_files(str(csv))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r"/jobs/"))
    page.locator(".job-state:text-is('succeeded')").wait_for(timeout=60_000)


SETUP = {PARTNER_ADMIN: _a_finished_import}


def _resolve(page, base, entry) -> str:
    """The path itself, or the first link like each pattern in turn, starting from the list page."""
    path = entry[1]
    for pattern in entry[2:]:
        page.goto(base + path)
        hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
        match = next((h for h in hrefs if re.search(pattern, h.split("?")[0])), None)
        assert match, f"{entry[0]}: no link like {pattern} on {path}"
        path = match
    return path


def check_page(page, phone, base, name, path, shots, problems) -> None:
    for p, width in ((page, 1366), (phone, 390)):
        response = p.goto(base + path)
        assert response.status == 200, f"{name} {path} answered {response.status}"
        p.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
        if width == 390:
            overflow = p.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                wide = p.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                    && !e.closest('.overflow-auto, pre, table')).slice(0, 3).map(e => e.tagName + '.' + e.className)""")
                problems.append(f"{name} {path}: {overflow}px wider than a 390px phone ({wide})")
        unnamed = p.evaluate(UNNAMED_GRAPHICS)
        if unnamed and width == 1366:
            problems.append(f"{name} {path}: images or charts without an accessible name: {unnamed[:3]}")
        p.evaluate(AXE)  # at both widths: the phone layout has its own menus, tables and contrast
        for v in p.evaluate(AXE_RUN):
            problems.append(f"{name} {path} at {width}px: axe {v['impact']} {v['id']} ({v['help']}): {v['nodes']}")


@pytest.mark.parametrize("email", list(PAGES))
def test_main_pages_screenshot_fit_a_phone_and_pass_axe(stack, browser, email, tmp_path):
    contexts = [browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True),
                browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, bypass_csp=True)]
    page, phone = (c.new_page() for c in contexts)
    for p in (page, phone):
        sign_in(p, stack.base, email)
    if email in SETUP:
        SETUP[email](page, stack.base, tmp_path)
    problems: list[str] = []
    for entry in PAGES[email]:
        check_page(page, phone, stack.base, entry[0], _resolve(page, stack.base, entry), stack.shots, problems)
    for c in contexts:
        c.close()
    print(f"\nscreenshots: {stack.shots}")
    assert not problems, "\n".join(problems)


def test_the_sign_in_and_not_found_pages(stack, browser):
    contexts = [browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True),
                browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, bypass_csp=True)]
    page, phone = (c.new_page() for c in contexts)
    problems: list[str] = []
    check_page(page, phone, stack.base, "sign-in", "/auth/login", stack.shots, problems)
    for p in (page, phone):
        sign_in(p, stack.base, PARTNER_ADMIN)
        assert p.goto(stack.base + "/partners/00000000-0000-0000-0000-000000000000").status == 404
    for p in (page, phone):
        p.evaluate(AXE)
        problems += [f"404 at {p.viewport_size['width']}px: axe {v['id']}: {v['nodes']}" for v in p.evaluate(AXE_RUN)]
    for c in contexts:
        c.close()
    assert not problems, "\n".join(problems)
