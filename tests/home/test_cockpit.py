"""The cockpit page: set-based (statement count flat in the number of partners), charts with
accessible names and table fallbacks, the manager filter, the activity feed in words, and the
demo's pending actions one click away (issue 18)."""
from __future__ import annotations

import re

from sqlalchemy import event

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.health import services as health
from app.partners.services import create_partner
from app.sharing import services as sharing
from app.tiers import services as tiers
from tests.conftest import login
from tests.home.world import GOOD, POOR, build


def _add_partners(w, count: int, start: int) -> None:
    """`count` partners of the channel manager, each with two closed quarters (every other one at
    risk after the second) and a pending request for more data."""
    with w.scope():
        cm = w.actor("cm").membership
        admin = w.actor("admin").membership
        made = []
        for i in range(start, start + count):
            partner = create_partner(name=f"Partner {i:03d}", status="active")
            partner.channel_manager_id = cm.id
            made.append(partner)
        db.session.flush()
        for i, partner in enumerate(made):
            for period, values in (("2025-Q1", GOOD), ("2025-Q2", POOR if i % 2 else GOOD)):
                proposal = health.propose(partner, period, health.default_terms(), cm)
                _accept_as_partner(proposal, partner)
                health.record_measurements(proposal, partner, values, "test", cm)
            sharing.request_data(partner, "vendor_to_partner", "overlaps", "partner", "someone@partner.example")
        for period in ("2025-Q1", "2025-Q2"):
            tiers.close_quarter(period, [p.id for p in made], admin)
        db.session.commit()


def _same_feed(w) -> None:
    """The feed shows the latest 40 events; end each stage with the same 40 so both pages phrase the
    same kinds of events (the feed is per event, not per partner; without this its few phrasing
    statements would follow which events happen to be latest)."""
    from app.audit.services import record
    with w.scope():
        for i in range(40):
            record("partner.note", object_type="partner", object_id=w.partners["Gamma"], summary=f"note {i}")
        db.session.commit()


def _accept_as_partner(proposal, partner):
    """The partner side's acceptance; the service records the side from the membership given."""
    from app.auth.models import Membership

    partner_side = Membership(partner_id=partner.id, role="partner_admin")  # transient: only its side is read
    health.accept(proposal, partner, partner_side)


def _statements(app, client, path: str) -> tuple[int, str]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen), response.get_data(as_text=True), seen


def test_cockpit_statement_count_does_not_grow_with_the_partners(app):
    w = build()
    _add_partners(w, 3, 0)
    clients = {}
    for label in ("admin", "cm", "alpha_admin"):
        clients[label] = app.test_client()
        login(clients[label], w.emails[label])
    path = {"admin": "/", "cm": "/", "alpha_admin": "/home"}
    _same_feed(w)
    small = {label: _statements(app, c, path[label]) for label, c in clients.items()}
    _add_partners(w, 27, 3)
    _same_feed(w)
    large = {label: _statements(app, c, path[label]) for label, c in clients.items()}
    print({label: (small[label][0], large[label][0]) for label in clients})
    for label in clients:
        assert small[label][0] == large[label][0], (label, small[label][0], large[label][0],
                                                     [x[:90] for x in small[label][2] if x not in large[label][2]],
                                                     [x[:90] for x in large[label][2] if x not in small[label][2]])
    # and the larger book is really on the page: 31 partners (Alpha and 30), 30 data requests, 14 at risk
    page = large["cm"][1]
    assert "31 partners" in page
    assert "and 22 more" in page and "and 6 more" in page  # 8 shown per kind
    assert "The book at a glance" in large["cm"][1]


def test_charts_have_accessible_names_and_tables(app):
    w = build()
    _add_partners(w, 2, 0)
    client = app.test_client()
    login(client, w.emails["admin"])
    html = client.get("/").get_data(as_text=True)
    svgs = re.findall(r"<svg[^>]*>", html)
    assert len(svgs) >= 3
    for tag in svgs:
        assert 'role="img"' in tag and ("aria-labelledby" in tag or "aria-label" in tag), tag
    for chart_id in ("chart-distribution", "chart-tiers", "chart-fit-health"):
        assert f'<title id="{chart_id}">' in html
    assert html.count("As a table") >= 2
    assert "Margin the programme pays, by tier and quarter" in html  # the programme view for admins


def test_manager_filter_narrows_the_admins_book_and_ignores_unknown_ids(app):
    w = build()
    _add_partners(w, 2, 0)  # the channel manager's; Beta is cm2's, Gamma nobody's
    client = app.test_client()
    login(client, w.emails["admin"])
    everything = client.get("/").get_data(as_text=True)
    assert "5 partners" in everything
    html = client.get("/").get_data(as_text=True)
    manager_id = re.search(r'<option value="([0-9a-f-]{36})"[^>]*>Cm</option>', html).group(1)
    mine = client.get(f"/?manager={manager_id}").get_data(as_text=True)
    assert "3 partners" in mine and "Partner 000" in mine and "Beta" not in mine.split("The book at a glance")[1]
    assert "Margin the programme pays" not in mine  # programme view only without a filter
    assert "5 partners" in client.get("/?manager=00000000-0000-0000-0000-000000000000").get_data(as_text=True)
    # another tenant's channel manager is no filter here: the list of managers is this tenant's
    from app.auth import roles
    from app.tenants.services import add_member
    with w.scope(w.other):
        foreign = add_member("cm@south.example", "correct-horse-battery", roles.CHANNEL_MANAGER, None, name="South CM")
        db.session.commit()
        foreign_id = foreign.id
    assert "5 partners" in client.get(f"/?manager={foreign_id}").get_data(as_text=True)
    assert "5 partners" in client.get("/?manager=not-a-uuid").get_data(as_text=True)


def test_channel_manager_sees_only_their_book(app):
    w = build()
    client = app.test_client()
    login(client, w.emails["cm"])
    html = client.get("/?manager=whatever").get_data(as_text=True)
    assert "1 partner" in html and 'id="manager"' not in html
    book = html.split("Latest activity")[0]  # the feed below is the tenant's, as the audit log is
    assert "Alpha" in book and "Beta" not in book and "Gamma" not in book


def test_activity_feed_names_people_and_metrics(app):
    w = build()
    from tests.home.world import agree

    agree(w, "Alpha", "2025-Q1", None)
    client = app.test_client()
    login(client, w.emails["cm"])
    from tests.conftest import page_csrf
    with w.scope():
        agreement_id = health.in_force(w.partners["Alpha"], "2025-Q1").id
    token = page_csrf(client, f"/health/agreements/{agreement_id}")
    form = {f"value-{k}": str(v) for k, v in GOOD.items()}
    response = client.post(f"/health/agreements/{agreement_id}/measurements",
                           data={**form, "source": "QBR", "csrf_token": token})
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:300]
    html = client.get("/").get_data(as_text=True)
    feed = html.split("Latest activity")[1]
    assert "Cm (North)" in feed
    assert "Net Promoter Score" in feed and "Time to value" in feed
    assert "active_user_share" not in feed and "gross_renewal_rate" not in feed
    assert f'href="/health/agreements/{agreement_id}"' in feed


def test_demo_cockpits_reach_every_pending_action_in_one_click(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    for email in ("manager@northwind.example", "admin@northwind.example", "admin@globex-partners.example",
                  "admin@soylent.example"):
        client = app.test_client()
        login(client, email, DEMO_PASSWORD)
        html = client.get("/", follow_redirects=True).get_data(as_text=True)
        queue = html.split('id="queue-heading"')[1].split("</section>")[0]
        links = re.findall(r'<li(?: class="urgent")?><a href="([^"]+)"', queue)
        assert links, email
        for link in links:
            assert client.get(link).status_code == 200, (email, link)
        if email == "manager@northwind.example":
            assert "Globex Partners is at risk in Silver" in queue
            lever = re.search(r"biggest lever: ([^<]+)", queue).group(1)
            assert "_" not in lever and lever[0].isupper()  # a metric's name, not its key
        if email == "admin@northwind.example":
            assert "margin exception" in queue and "Not placed yet: 1" in html and "Soylent Solutions" in html
        if email == "admin@soylent.example":
            assert "proposed health metrics for 2026-Q3" in queue
