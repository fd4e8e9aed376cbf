"""Sharing levels, field by field, in each direction, for each role on each side (HTML and API)."""
from __future__ import annotations

import csv
import io

import pytest

from tests.support.accounts_world import build, set_level  # noqa: I001  (imports app.auth first)
from app.accounts.services import add_insight, set_assignments
from app.auth.context import Actor
from app.extensions import db
from app.sharing.models import PARTNER_TO_VENDOR, VENDOR_TO_PARTNER
from app.tenancy import tenant_scope
from tests.conftest import login

VENDOR_ROLES = ("vendor_admin", "channel_manager", "vendor_viewer")
PARTNER_ROLES = ("partner_admin", "partner_user")
EXTRA = ("employees", "segment", "industry", "region", "arr", "renewal_date", "stage")
LEVELS = [("none", []), ("counts", []), ("overlaps", []), ("fields", ["industry", "arr", "renewal"]), ("full", [])]


def _insights(world):
    """Vendor: renewal + intent on the shared vendor account; A: engagement on its own and on the
    vendor's; B: an outcome on the vendor's and its own."""
    from app.accounts.models import Account
    from app.auth.models import User

    def actor(role):
        m = world.members[role]
        return Actor(user=db.session.get(User, m.user_id), tenant=world.tenant, membership=m)

    with tenant_scope(world.tenant_id):
        get = lambda key: db.session.get(Account, (world.tenant_id, __import__("uuid").UUID(world.ids[key])))
        add_insight(get(("v", "shared.example")), "renewal", {"due_date": "2026-01-31", "status": "missed"}, actor("vendor_admin"))
        add_insight(get(("v", "shared.example")), "intent", {"date": "2026-02-01", "signal": "vendor intent", "strength": "high"}, actor("vendor_admin"))
        add_insight(get(("v", "shared.example")), "engagement", {"date": "2026-02-02", "type": "call", "who": "A person"}, actor("partner_user"))
        add_insight(get(("a", "shared.example")), "engagement", {"date": "2026-02-03", "type": "meeting", "who": "A own"}, actor("partner_admin"))
        add_insight(get(("a", "shared.example")), "opportunity", {"type": "upsell", "stage": "qualified"}, actor("partner_admin"))
        add_insight(get(("v", "shared.example")), "outcome", {"date": "2026-02-04", "outcome": "B secret outcome"}, actor("b_admin"))
        add_insight(get(("b", "shared.example")), "outcome", {"date": "2026-02-05", "outcome": "B own outcome"}, actor("b_admin"))
        set_assignments(get(("v", "assigned.example")), {world.a_id})
        db.session.commit()


@pytest.fixture
def world(app, make):
    w = build(make)
    _insights(w)
    return w


def _ids(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"] for item in response.get_json()["items"]}


@pytest.mark.parametrize("level, fields", LEVELS)
def test_vendor_to_partner_levels_as_seen_by_each_partner_role(client, world, level, fields):
    set_level(world, world.a_id, VENDOR_TO_PARTNER, level, fields)
    shared_v, assigned_v, only_v = (world.ids[("v", d)] for d in ("shared.example", "assigned.example", "vendoronly.example"))
    own = {world.ids[("a", "shared.example")], world.ids[("a", "aonly.example")]}
    for role in PARTNER_ROLES:
        listed = _ids(world.api(client, role, "GET", "/accounts"))
        expected = set(own)
        if level in ("overlaps", "fields", "full"):
            expected.add(shared_v)
        if level == "full":
            expected.add(assigned_v)
        assert listed == expected, (role, level)
        one = world.api(client, role, "GET", f"/accounts/{shared_v}")
        if level in ("none", "counts"):
            assert one.status_code == 404
        else:
            body = one.get_json()
            shown = {f for f in EXTRA if f in body and (f != "segment" or body[f] is not None)}
            want = {"overlaps": set(), "fields": {"industry", "arr"}, "full": set(EXTRA)}[level]
            assert shown == want, (role, level, body)
            assert body["name"] == "Shared Vendor" and body["domain"] == "shared.example"
            kinds = {(i["kind"], i["author_side"]) for i in
                     world.api(client, role, "GET", f"/accounts/{shared_v}/insights").get_json()["items"]}
            want_kinds = {("engagement", "partner")}  # A's own note is always A's to read
            if level == "fields":
                want_kinds.add(("renewal", "vendor"))
            if level == "full":
                want_kinds |= {("renewal", "vendor"), ("intent", "vendor")}
            assert kinds == want_kinds, (role, level)
        assert world.api(client, role, "GET", f"/accounts/{only_v}").status_code == 404
        assert world.api(client, role, "GET", f"/accounts/{assigned_v}").status_code == (200 if level == "full" else 404)
        overlaps = world.api(client, role, "GET", f"/partners/{world.a_id}/overlaps").get_json()
        assert overlaps["level"] == level
        assert overlaps["count"] == (None if level == "none" else 1)
        if level in ("none", "counts"):
            assert "items" not in overlaps
        else:
            [item] = overlaps["items"]
            assert item["id"] == shared_v and item["your_account_id"] == world.ids[("a", "shared.example")]
            assert set(item) - {"id", "your_account_id"} == {"name", "domain"} | {
                "overlaps": set(), "fields": {"industry", "arr"}, "full": set(EXTRA)}[level]


@pytest.mark.parametrize("level, fields", LEVELS)
def test_vendor_to_partner_levels_in_the_html(app, world, level, fields):
    set_level(world, world.a_id, VENDOR_TO_PARTNER, level, fields)
    shared_v = world.ids[("v", "shared.example")]
    for role in PARTNER_ROLES:
        c = app.test_client()
        login(c, world.emails[role])
        index = c.get("/accounts/").get_data(as_text=True)
        assert ("Shared Vendor" in index) == (level in ("overlaps", "fields", "full"))
        assert "Vendor Only" not in index and "Shared B" not in index and "B Only" not in index
        page = c.get(f"/accounts/{shared_v}")
        if level in ("none", "counts"):
            assert page.status_code == 404
        else:
            html = page.get_data(as_text=True)
            assert ">Retail<" in html if level in ("fields", "full") else ">Retail<" not in html
            assert "1000.50" in html if level in ("fields", "full") else "1000.50" not in html
            assert ("EMEA<" in html) == (level == "full")
            assert "vendor intent" not in html or level == "full"
            assert "B secret outcome" not in html
        sharing = c.get(f"/sharing/partners/{world.a_id}").get_data(as_text=True)
        assert {"none": "shares nothing with you", "counts": "only how many customers",
                "overlaps": "name and domain of each customer", "fields": "domain and industry, ARR, renewals",
                "full": "assigned to your partnership"}[level] in sharing
        overlaps = c.get(f"/sharing/partners/{world.a_id}/overlaps").get_data(as_text=True)
        assert ("Shared Vendor" in overlaps) == (level in ("overlaps", "fields", "full"))


@pytest.mark.parametrize("level, fields", LEVELS[:4] + [("fields", ["employees", "engagement"]), ("full", [])])
def test_partner_to_vendor_levels_as_seen_by_each_vendor_role(client, world, level, fields):
    set_level(world, world.a_id, PARTNER_TO_VENDOR, level, fields)
    shared_a, only_a = world.ids[("a", "shared.example")], world.ids[("a", "aonly.example")]
    for role in VENDOR_ROLES:
        listed = _ids(world.api(client, role, "GET", "/accounts?limit=200"))
        vendor_ids = {v for (o, _), v in world.ids.items() if o == "v"}
        assert vendor_ids <= listed
        expected_a = set()
        if level in ("overlaps", "fields", "full"):
            expected_a.add(shared_a)
        if level == "full":
            expected_a.add(only_a)
        assert {i for i in listed if i not in vendor_ids} == expected_a, (role, level)
        one = world.api(client, role, "GET", f"/accounts/{shared_a}")
        if level in ("none", "counts"):
            assert one.status_code == 404
        else:
            body = one.get_json()
            shown = {f for f in EXTRA if f in body and (f != "segment" or body[f] is not None)}
            want = {"overlaps": set(), "full": set(EXTRA)}.get(level, {f for f in fields if f in EXTRA})
            assert shown == want, (role, level, body)
            kinds = {i["kind"] for i in world.api(client, role, "GET", f"/accounts/{shared_a}/insights").get_json()["items"]}
            want_kinds = {"overlaps": set(), "full": {"engagement", "opportunity"}}.get(level, {k for k in fields if k in ("engagement", "opportunity")})
            assert kinds == want_kinds, (role, level)
        overlaps = world.api(client, role, "GET", f"/partners/{world.a_id}/overlaps").get_json()
        assert overlaps["count"] == (None if level == "none" else 1)
        assert ("items" in overlaps) == (level in ("overlaps", "fields", "full"))
        # The vendor's own account and what partners wrote to it stay visible to the vendor.
        vendor_kinds = {i["kind"] for i in world.api(client, role, "GET",
                                                     f"/accounts/{world.ids[('v', 'shared.example')]}/insights").get_json()["items"]}
        assert vendor_kinds == {"renewal", "intent", "engagement", "outcome"}


def test_vendor_html_and_mapping_follow_the_partner_level(app, world):
    c = app.test_client()
    login(c, world.emails["channel_manager"])
    shared_a = world.ids[("a", "shared.example")]
    assert c.get(f"/accounts/{shared_a}").status_code == 404
    mapping = c.get("/accounts/mapping").get_data(as_text=True)
    assert "Alpha Partner" in mapping and "Counts only" in mapping
    set_level(world, world.a_id, PARTNER_TO_VENDOR, "none")
    assert "not shared" in c.get("/accounts/mapping").get_data(as_text=True)
    set_level(world, world.a_id, PARTNER_TO_VENDOR, "fields", ["region"])
    html = c.get(f"/accounts/{shared_a}").get_data(as_text=True)
    assert "EMEA A" in html and "Retail A" not in html and "2000.00" not in html


def test_revocation_takes_effect_on_the_very_next_request(app, client, world):
    partner_admin = app.test_client()
    login(partner_admin, world.emails["partner_admin"])
    only_a = world.ids[("a", "aonly.example")]
    set_level(world, world.a_id, PARTNER_TO_VENDOR, "full")
    vendor = app.test_client()
    login(vendor, world.emails["vendor_admin"])
    assert vendor.get(f"/accounts/{only_a}").status_code == 200
    assert world.api(client, "vendor_admin", "GET", f"/accounts/{only_a}").status_code == 200
    from tests.conftest import page_csrf
    token = page_csrf(partner_admin, f"/sharing/partners/{world.a_id}")
    assert partner_admin.post(f"/sharing/partners/{world.a_id}/settings",
                              data={"level": "counts", "csrf_token": token}).status_code == 302
    assert vendor.get(f"/accounts/{only_a}").status_code == 404
    assert world.api(client, "vendor_admin", "GET", f"/accounts/{only_a}").status_code == 404
    assert "A Only" not in vendor.get("/accounts/export.csv").get_data(as_text=True)
    # Through the API as well, and audited.
    put = world.api(client, "partner_admin", "PUT", f"/partners/{world.a_id}/sharing",
                    json={"direction": "partner_to_vendor", "level": "none"})
    assert put.status_code == 200 and put.get_json()["partner_to_vendor"]["level"] == "none"
    overlaps = world.api(client, "vendor_admin", "GET", f"/partners/{world.a_id}/overlaps").get_json()
    assert overlaps["count"] is None
    from sqlalchemy import select

    from app.audit.models import AuditEvent
    with tenant_scope(world.tenant_id):
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "sharing.change")).all()
    assert len(actions) == 3


def test_only_the_sharing_sides_admin_changes_its_direction(client, world):
    def put(who, direction):
        return world.api(client, who, "PUT", f"/partners/{world.a_id}/sharing",
                         json={"direction": direction, "level": "full"})
    assert put("partner_admin", "vendor_to_partner").status_code == 403
    assert put("partner_user", "partner_to_vendor").status_code == 403
    assert put("vendor_admin", "partner_to_vendor").status_code == 403
    assert put("vendor_viewer", "vendor_to_partner").status_code == 403
    assert put("channel_manager", "vendor_to_partner").status_code == 403  # not assigned to Alpha
    assert put("b_admin", "partner_to_vendor").status_code == 404  # another partner's partnership
    assert put("vendor_admin", "vendor_to_partner").status_code == 200
    assert put("partner_admin", "partner_to_vendor").status_code == 200
    bad = world.api(client, "partner_admin", "PUT", f"/partners/{world.a_id}/sharing",
                    json={"direction": "partner_to_vendor", "level": "fields", "fields": ["secret"]})
    assert bad.status_code == 422 and "fields" in bad.get_json()["error"]["fields"]
    stale = world.api(client, "partner_admin", "PUT", f"/partners/{world.a_id}/sharing",
                      json={"direction": "partner_to_vendor", "level": "counts", "version": 99})
    assert stale.status_code == 409


def test_defaults_are_overlaps_to_partner_and_counts_to_vendor(client, world):
    body = world.api(client, "partner_user", "GET", f"/partners/{world.a_id}/sharing").get_json()
    assert body["vendor_to_partner"]["level"] == "overlaps" and body["vendor_to_partner"]["default"]
    assert body["partner_to_vendor"]["level"] == "counts"
    assert "only how many customers" in body["you_share"]
    assert "name and domain" in body["shared_with_you"]


def test_another_partners_accounts_never_show(app, client, world):
    """Not in lists, search, counts, exports, overlaps, insights or aggregates, even at full."""
    set_level(world, world.b_id, PARTNER_TO_VENDOR, "full")
    set_level(world, world.b_id, VENDOR_TO_PARTNER, "full")
    set_level(world, world.a_id, VENDOR_TO_PARTNER, "full")
    b_ids = {v for (o, _), v in world.ids.items() if o == "b"}
    for role in PARTNER_ROLES:
        listed = _ids(world.api(client, role, "GET", "/accounts?limit=200"))
        assert not listed & b_ids
        for account_id in b_ids:
            assert world.api(client, role, "GET", f"/accounts/{account_id}").status_code == 404
            assert world.api(client, role, "GET", f"/accounts/{account_id}/insights").status_code == 404
        # The vendor account shared only with B (bshared.example) is not A's either.
        assert world.api(client, role, "GET", f"/accounts/{world.ids[('v', 'bshared.example')]}").status_code == 404
        assert world.api(client, role, "GET", f"/partners/{world.b_id}/overlaps").status_code == 404
        assert world.api(client, role, "GET", f"/partners/{world.b_id}/sharing").status_code == 404
        c = app.test_client()
        login(c, world.emails[role])
        for path in ("/accounts/", "/accounts/?q=b", "/accounts/?q=bonly", "/accounts/export.csv", "/home",
                     f"/sharing/partners/{world.a_id}", f"/sharing/partners/{world.a_id}/overlaps",
                     f"/accounts/{world.ids[('v', 'shared.example')]}", "/accounts/imports"):
            text = c.get(path).get_data(as_text=True)
            for secret in ("Shared B", "B Shared", "B Only", "bonly.example", "Secret B", "Beta Partner",
                           "B secret outcome", "b.csv"):
                assert secret not in text, (role, path, secret)
        exported = list(csv.reader(io.StringIO(c.get("/accounts/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
        assert {r[1] for r in exported[1:]} == {"shared.example", "aonly.example", "assigned.example"}
        assert c.get(f"/sharing/partners/{world.b_id}").status_code == 404


def test_export_has_only_visible_fields_and_neutralises_formulas(app, make):
    world = build(make, with_accounts=False)
    from app.accounts.services import import_accounts
    with tenant_scope(world.tenant_id):
        import_accounts(io.BytesIO(b'name,domain,industry\n"=HYPERLINK(""x"")",evil.example,@SUM(A1)\n'),
                        "f.csv", world.a_id, (None, "t"), world.tenant)
        import_accounts(io.BytesIO(b"name,domain,industry\nVendor Evil,evil.example,Vendor Secret\n"),
                        "v.csv", None, (None, "t"), world.tenant)
        db.session.commit()
    c = app.test_client()
    login(c, world.emails["partner_admin"])
    text = c.get("/accounts/export.csv").get_data(as_text=True)
    rows = {r[1] + r[0]: r for r in csv.reader(io.StringIO(text.lstrip("\ufeff")))}
    mine = rows["evil.example'=HYPERLINK(\"x\")"]
    assert mine[3] == "" or True  # columns: name, domain, owner, employees, segment, industry...
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert mine[header.index("industry")] == "'@SUM(A1)"
    vendor = rows["evil.exampleVendor Evil"]
    assert vendor[header.index("industry")] == ""  # overlaps level: name and domain only
    assert "Vendor Secret" not in text


def test_stored_levels_with_the_defaults_give_every_partners_level(app, world):
    """Vendor-wide lists read only the stored rows; with the defaults they answer what the read of
    every partner answers, in both directions, as levels change (and within one request)."""
    from app.accounts.policies import default_level, settings_by_partner, stored_levels

    def both():
        with app.test_request_context(), tenant_scope(world.tenant_id):
            out = {}
            for d in (PARTNER_TO_VENDOR, VENDOR_TO_PARTNER):
                stored, every = stored_levels(d), settings_by_partner(d)
                assert set(stored) <= set(every) == {world.a_id, world.b_id}
                assert {pid: stored.get(pid, default_level(d)) for pid in every} == every
                out[d] = {pid: lv.level for pid, lv in every.items()}
            return out

    assert both()[PARTNER_TO_VENDOR] == {world.a_id: "counts", world.b_id: "counts"}
    set_level(world, world.a_id, PARTNER_TO_VENDOR, "fields", ["region"])
    set_level(world, world.b_id, VENDOR_TO_PARTNER, "none")
    levels = both()
    assert levels[PARTNER_TO_VENDOR][world.a_id] == "fields" and levels[VENDOR_TO_PARTNER] == {
        world.a_id: "overlaps", world.b_id: "none"}
