"""The top bar: grouped menus (details/summary, no JavaScript), every entry still reachable per
role, the current section marked, the workspace switcher in the user menu, a CSS-only phone menu."""
from __future__ import annotations

import re

import pytest
from flask import url_for
from sqlalchemy import select

from app.auth import roles
from app.auth.context import actor_for_email
from app.extensions import db
from app.tenancy import tenant_scope, unscoped
from app.tenants.models import Tenant
from app.core.registry import NAV, NAV_GROUPS, nav_menus
from tests.conftest import login

ROLES = [roles.VENDOR_ADMIN, roles.CHANNEL_MANAGER, roles.VENDOR_VIEWER, roles.PARTNER_ADMIN, roles.PARTNER_USER]


def _top_bar(html: str) -> str:
    return html.split("<header", 1)[1].split("</header>", 1)[0]


@pytest.fixture
def people(app, make):
    tenant = make.tenant("navco")
    partner = make.partner(tenant, "Nav Partner")
    emails = {roles.VENDOR_ADMIN: "admin@navco.example"}
    for role in ROLES[1:]:
        make.member(tenant, role, partner if role in roles.PARTNER_ROLES else None, email=f"{role}@navco.example")
        emails[role] = f"{role}@navco.example"
    return emails


@pytest.mark.parametrize("role", ROLES)
def test_every_entry_of_the_role_is_in_a_menu_and_opens(app, people, role):
    client = app.test_client()
    login(client, people[role])
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    bar = _top_bar(html)
    hrefs = re.findall(r'<a href="([^"]+)"', bar)
    with unscoped("test: the tenant"):
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "navco"))
    with app.test_request_context(), tenant_scope(tenant.id):
        actor = actor_for_email(tenant, people[role])
        menus = nav_menus(actor)
        expected = [url_for(item.endpoint) for _, items in menus for item in items]
    assert expected, role
    for url in expected:
        assert url in hrefs, (role, url)
        assert client.get(url, follow_redirects=True).status_code == 200, (role, url)
    # grouped: no more than the dashboard and notices sit loose on the bar; the rest are menus
    loose = [items for group, items in menus if group is None]
    assert sum(len(i) for i in loose) <= 1
    summaries = re.findall(r"<summary[^>]*>([^<]+)</summary>", bar)
    assert [g for g, _ in menus if g] == [s for s in summaries if s in NAV_GROUPS]
    assert "/auth/tenants" in bar and "Switch workspace" in bar  # the workspace switcher, in the user menu
    assert 'id="nav-toggle"' in bar and 'for="nav-toggle"' in bar  # the phone menu, CSS only
    # the menus need no JavaScript; the page's one script (scroll-regions.js) only enhances tables
    assert "<script" not in bar


def test_the_current_section_is_marked(app, people):
    client = app.test_client()
    login(client, people[roles.VENDOR_ADMIN])
    bar = _top_bar(client.get("/tiers/").get_data(as_text=True))
    assert re.search(r'<summary aria-current="true" class="current">Programme</summary>', bar)
    assert 'href="/tiers/" aria-current="page"' in bar
    bar = _top_bar(client.get("/partners/").get_data(as_text=True))
    assert re.search(r'<summary aria-current="true" class="current">Partners</summary>', bar)


def test_every_entry_names_a_known_group_and_both_plan_entries_exist():
    assert all(item.group is None or item.group in NAV_GROUPS for item in NAV)
    # the vendor's and the partner's communication-plan entries share one endpoint; both are kept
    assert {i.label for i in NAV if i.endpoint == "commplan.index"} == {"Communication plan", "Communication plans"}
