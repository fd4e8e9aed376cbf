"""The account list counts its matches only up to a cap: below it the exact total and page count,
past it "N+" and a next link while another page exists (the whole scope is never counted)."""
from __future__ import annotations

import io
import re

import pytest

from tests.support.accounts_world import build  # noqa: I001  (imports app.auth first)

from app.accounts import routes
from app.accounts.services import import_accounts
from app.extensions import db
from app.tenancy import tenant_scope
from tests.conftest import login

NAMES = [f"Company {i}" for i in range(7)]


@pytest.fixture
def world(app, make):
    world = build(make, with_accounts=False)
    with tenant_scope(world.tenant_id):
        csv = "name,domain\n" + "".join(f"{n},c{i}.example\n" for i, n in enumerate(NAMES))
        import_accounts(io.BytesIO(csv.encode()), "a.csv", world.a_id, (None, "t"), world.tenant)
        db.session.commit()
    return world


def _page(client, n):
    html = client.get(f"/accounts/?page={n}").get_data(as_text=True)
    return html, re.findall(r'">(Company \d)</a>', html)


def test_below_the_cap_the_list_shows_the_exact_total_and_pages(app, world, monkeypatch):
    monkeypatch.setattr(routes, "PAGE", 2)
    c = app.test_client()
    login(c, world.emails["partner_user"])
    html, names = _page(c, 1)
    assert '<small class="muted">7</small>' in html and "Page 1 of 4" in html and names == NAMES[:2]


def test_past_the_cap_the_list_says_more_and_pages_on_until_the_last(app, world, monkeypatch):
    monkeypatch.setattr(routes, "PAGE", 2)
    monkeypatch.setattr(routes, "COUNT_CAP", 4)
    c = app.test_client()
    login(c, world.emails["partner_user"])
    seen = []
    for n in range(1, 5):
        html, names = _page(c, n)
        assert '<small class="muted">4+</small>' in html and " of " not in html.split('class="pager"')[1]
        assert (f"page={n + 1}" in html) == (n < 4)  # a next link while another page exists
        seen += names
    assert seen == NAMES  # every account once, in name order
