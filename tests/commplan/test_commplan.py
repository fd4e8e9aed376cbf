"""Communication plans: each side edits its own contacts, the sharing summary follows the levels,
a plan not reviewed for two quarters is flagged, bad input writes nothing, panels on both homes."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.support.accounts_world import build, set_level  # noqa: I001  (imports app.auth first)
from app.audit.models import AuditEvent
from app.commplan.models import CommContact, CommMeeting
from app.commplan.rules import review_overdue
from app.extensions import db
from app.partners.models import Partner
from app.sharing.models import PARTNER_TO_VENDOR, VENDOR_TO_PARTNER
from app.sharing.words import describe_incoming, describe_outgoing
from app.tenancy import tenant_scope
from tests.conftest import csrf_from, login


@pytest.mark.parametrize("reviewed, today, overdue", [
    (None, date(2026, 12, 3), True),
    (date(2026, 12, 1), date(2026, 12, 3), False),   # this quarter
    (date(2026, 7, 1), date(2026, 12, 3), False),    # last quarter
    (date(2026, 6, 30), date(2026, 12, 3), True),    # two quarters ago
    (date(2025, 12, 31), date(2026, 3, 1), False),   # across the year boundary: last quarter
    (date(2025, 9, 30), date(2026, 1, 1), True),
])
def test_review_is_due_after_two_quarters(reviewed, today, overdue):
    assert review_overdue(reviewed, today) is overdue


@pytest.fixture
def world(app, make):
    w = build(make, with_accounts=False)
    with tenant_scope(w.tenant_id):
        partner = db.session.get(Partner, (w.tenant_id, w.a_id))
        partner.channel_manager_id = w.members["channel_manager"].id
        db.session.commit()
    return w


def _plan(world, client, who="partner_user"):
    response = world.api(client, who, "GET", f"/partners/{world.a_id}/communication-plan")
    assert response.status_code == 200
    return response.get_json()


def test_each_side_edits_only_its_own_contacts(client, world):
    add = lambda who, name: world.api(client, who, "POST", f"/partners/{world.a_id}/communication-plan/contacts",
                                      json={"role": "executive_sponsor", "name": name, "email": f"{name}@x.example"})
    assert add("partner_admin", "anna").status_code == 201
    assert add("channel_manager", "carlos").status_code == 201
    assert add("partner_user", "pat").status_code == 403
    assert add("vendor_viewer", "vik").status_code == 403
    assert add("b_admin", "bea").status_code == 404
    contacts = {c["name"]: c for c in _plan(world, client)["contacts"]}
    assert {n: c["side"] for n, c in contacts.items()} == {"anna": "partner", "carlos": "vendor"}
    remove = lambda who, name: world.api(client, who, "DELETE", f"/communication-plan/contacts/{contacts[name]['id']}")
    assert remove("partner_admin", "carlos").status_code == 403  # the vendor's contact
    assert remove("channel_manager", "anna").status_code == 403  # the partner's contact
    assert remove("b_admin", "anna").status_code == 404
    assert remove("partner_admin", "anna").status_code == 200
    assert [c["name"] for c in _plan(world, client)["contacts"]] == ["carlos"]
    with tenant_scope(world.tenant_id):
        actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("commplan.%"))
                                          .order_by(AuditEvent.seq)))
    assert actions == ["commplan.contact.add", "commplan.contact.add", "commplan.contact.remove"]


def test_sharing_summary_is_written_from_the_levels_in_force(client, world):
    plan = _plan(world, client, "partner_admin")
    vendor_name = world.tenant.name
    assert plan["sharing"]["you_share"] == describe_outgoing("counts", (), vendor_name, "partner")
    assert plan["sharing"]["you_see"] == describe_incoming("overlaps", (), vendor_name, "vendor")
    set_level(world, world.a_id, PARTNER_TO_VENDOR, "fields", ["industry", "arr"])
    set_level(world, world.a_id, VENDOR_TO_PARTNER, "none")
    plan = _plan(world, client, "partner_admin")
    assert plan["sharing"]["you_share"] == describe_outgoing("fields", ("industry", "arr"), vendor_name, "partner")
    assert "industry, ARR" in plan["sharing"]["you_share"]
    assert plan["sharing"]["you_see"] == describe_incoming("none", (), vendor_name, "vendor")
    vendor = _plan(world, client, "vendor_viewer")
    assert vendor["sharing"]["you_see"] == describe_incoming("fields", ("industry", "arr"), "Alpha Partner", "partner")


def test_unreviewed_plan_is_flagged_until_reviewed_and_shown_on_both_homes(client, world, app):
    assert _plan(world, client)["review_overdue"] is True
    world.api(client, "partner_admin", "POST", f"/partners/{world.a_id}/communication-plan/meetings",
              json={"kind": "qbr", "cadence": "quarterly", "next_date": "2027-01-20"})
    login(client, world.emails["partner_user"])
    home = client.get("/home").get_data(as_text=True)
    assert "Communication plan" in home and "not reviewed for two quarters" in home and "2027-01-20" in home
    vendor = app.test_client()
    login(vendor, world.emails["channel_manager"])
    page = vendor.get(f"/partners/{world.a_id}").get_data(as_text=True)
    assert "Communication plan" in page and "not reviewed for two quarters" in page
    plan_page = vendor.get(f"/plan/partners/{world.a_id}").get_data(as_text=True)
    assert vendor.post(f"/plan/partners/{world.a_id}/reviewed",
                       data={"csrf_token": csrf_from(plan_page)}).status_code == 302
    assert _plan(world, client)["review_overdue"] is False
    assert "not reviewed for two quarters" not in client.get("/home").get_data(as_text=True)
    overview = vendor.get("/plan/").get_data(as_text=True)
    assert "Alpha Partner" in overview and "Beta Partner" in overview


def test_bad_input_re_renders_with_field_errors_and_writes_nothing(client, world):
    for path, body, field in (
            ("contacts", {"role": "mascot", "name": "x"}, "role"),
            ("contacts", {"role": "billing", "name": ""}, "name"),
            ("contacts", {"role": "billing", "name": "x" * 201}, "name"),
            ("contacts", {"role": "billing", "name": "Bo", "email": "not-an-address"}, "email"),
            ("meetings", {"kind": "party", "cadence": "monthly"}, "kind"),
            ("meetings", {"kind": "qbr", "cadence": "hourly"}, "cadence"),
            ("meetings", {"kind": "qbr", "cadence": "monthly", "next_date": "31/01/2027"}, "next_date")):
        response = world.api(client, "partner_admin", "POST", f"/partners/{world.a_id}/communication-plan/{path}", json=body)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"], body
    bad = world.api(client, "partner_admin", "PUT", f"/partners/{world.a_id}/communication-plan",
                    json={"channels": ["pigeon"]})
    assert bad.status_code == 422
    with tenant_scope(world.tenant_id):
        assert db.session.scalar(select(func.count()).select_from(CommContact)) == 0
        assert db.session.scalar(select(func.count()).select_from(CommMeeting)) == 0
    login(client, world.emails["partner_admin"])
    page = client.get(f"/plan/partners/{world.a_id}").get_data(as_text=True)
    response = client.post(f"/plan/partners/{world.a_id}/contacts",
                           data={"csrf_token": csrf_from(page), "role": "billing", "name": "<i>x</i>" * 30})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "must be at most 200 characters" in html and "<i>x</i>" not in html
    ok = client.post(f"/plan/partners/{world.a_id}/contacts",
                     data={"csrf_token": csrf_from(page), "role": "billing", "name": "<i>Bill</i>"})
    assert ok.status_code == 302
    html = client.get(f"/plan/partners/{world.a_id}").get_data(as_text=True)
    assert "&lt;i&gt;Bill&lt;/i&gt;" in html and "<i>Bill</i>" not in html
    saved = world.api(client, "channel_manager", "PUT", f"/partners/{world.a_id}/communication-plan",
                      json={"channels": ["portal", "email"], "version": 0})
    assert saved.status_code == 200 and saved.get_json()["channels"] == ["email", "portal"]
    stale = world.api(client, "partner_admin", "PUT", f"/partners/{world.a_id}/communication-plan",
                      json={"channels": ["phone"], "version": 0})
    assert stale.status_code == 409
