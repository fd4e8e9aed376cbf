"""Opportunities and deal registration through the API and the services: the checks against the
database, decisions by role, the protection clock, wins, visibility per sharing level, bad input,
overdue notices and the flow a new user would try."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.support.accounts_world import build, set_level  # noqa: I001  (imports app.auth first)
from app.accounts.insights import success_chain
from app.accounts.models import Account, ConflictResolution, Insight
from app.audit.models import AuditEvent
from app.auth.context import Actor
from app.auth.models import Membership, User
from app.extensions import db
from app.notifications.models import Notification
from app.opportunities import services
from app.opportunities.models import DealRegistration, Opportunity
from app.partners.models import Partner
from app.sharing.models import PARTNER_TO_VENDOR, VENDOR_TO_PARTNER
from app.tenancy import tenant_scope
from app.tenants.models import Tenant
from tests.conftest import csrf_from, login

LATER = (date.today() + timedelta(days=45)).isoformat()


@pytest.fixture
def world(app, make):
    w = build(make)
    with tenant_scope(w.tenant_id):
        partner = db.session.get(Partner, (w.tenant_id, w.a_id))
        partner.channel_manager_id = w.members["channel_manager"].id
        for owner, domain, employees, segment in (
                (w.a_id, "bigcorp.example", 5000, "enterprise"), (w.a_id, "bshared.example", 6, "smb")):
            account = Account(owner_key=str(owner), owner_partner_id=owner, name=f"A {domain}", domain=domain,
                              employees=employees, segment=segment)
            db.session.add(account)
            db.session.flush()
            w.ids[("a", domain)] = str(account.id)
        db.session.commit()
    w.other_cm = make.member(w.tenant, "channel_manager", email="other-cm@vendor.example")
    w.tokens["other_cm"] = make.token(w.other_cm)
    _TENANT[0] = w.tenant_id
    return w


def actor_of(world, role) -> Actor:
    m = db.session.get(Membership, (world.tenant_id, world.members[role].id))
    return Actor(user=db.session.get(User, m.user_id), tenant=db.session.get(Tenant, world.tenant_id), membership=m)


def _opp(world, client, who, account, **extra):
    body = {"account_id": account, "kind": "upsell", "product": "Analytics", "amount": "1000.00", "currency": "EUR",
            "expected_close": LATER, **extra}
    response = world.api(client, who, "POST", "/opportunities", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _register(world, client, who, account, **extra):
    body = {"account_id": account, "kind": "cross_sell", "product": "Deal", "amount": "5000", "currency": "EUR",
            "expected_close": LATER, **extra}
    response = world.api(client, who, "POST", "/registrations", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _count(model) -> int:
    with tenant_scope(_TENANT[0]):
        return db.session.scalar(select(func.count()).select_from(model))


_TENANT: list = [None]


# -- the registration check against the database, a table of cases -------------------------------

def _nothing(world, client):
    pass


def _b_registered_shared(world, client):
    _register(world, client, "b_user", world.ids[("b", "shared.example")])


def _b_registered_then_rejected(world, client):
    reg = _register(world, client, "b_user", world.ids[("b", "shared.example")])
    assert world.api(client, "vendor_admin", "POST", f"/registrations/{reg['id']}/reject",
                     json={"note": "Not this one"}).status_code == 200


def _vendor_opportunity_on_shared(world, client):
    _opp(world, client, "vendor_admin", world.ids[("v", "shared.example")])


def _vendor_opportunity_lost(world, client):
    opp = _opp(world, client, "vendor_admin", world.ids[("v", "shared.example")])
    assert world.api(client, "vendor_admin", "PATCH", f"/opportunities/{opp['id']}",
                     json={"stage": "lost", "version": opp["version"]}).status_code == 200


def _resolved_for_a(world, client):
    with tenant_scope(world.tenant_id):
        db.session.add(ConflictResolution(domain="bigcorp.example", resolution="partner", owner_partner_id=world.a_id))
        db.session.commit()


DB_CASES = [
    # (name, setup, A's account, outcome, reason codes)
    ("own smb account nobody else has", _nothing, ("a", "aonly.example"), "clear", []),
    ("own mid-market account (co-sell)", _nothing, ("a", "shared.example"), "clear", ["co_sell_segment"]),
    ("the vendor's shared account (co-sell segment)", _nothing, ("v", "shared.example"), "clear", ["co_sell_segment"]),
    ("own enterprise account: vendor-led segment", _nothing, ("a", "bigcorp.example"), "conflict", ["vendor_led_segment"]),
    ("enterprise account resolved for A", _resolved_for_a, ("a", "bigcorp.example"), "clear", ["resolved_for_you"]),
    ("B also claims the smb domain partner-led", _nothing, ("a", "bshared.example"), "conflict", ["channel_conflict"]),
    ("B registered the same customer first", _b_registered_shared, ("a", "shared.example"), "conflict",
     ["registered_by_other", "co_sell_segment"]),
    ("B's registration was rejected", _b_registered_then_rejected, ("a", "shared.example"), "clear", ["co_sell_segment"]),
    ("the vendor works an open opportunity there", _vendor_opportunity_on_shared, ("a", "shared.example"), "conflict",
     ["vendor_opportunity", "co_sell_segment"]),
    ("the vendor's opportunity there was lost", _vendor_opportunity_lost, ("a", "shared.example"), "clear",
     ["co_sell_segment"]),
]


@pytest.mark.parametrize("name, setup, account, outcome, codes", DB_CASES, ids=[c[0] for c in DB_CASES])
def test_registration_check_against_the_database(client, world, name, setup, account, outcome, codes):
    setup(world, client)
    reg = _register(world, client, "partner_user", world.ids[account])
    assert reg["status"] == "pending"
    assert reg["check"]["outcome"] == outcome
    assert [r["code"] for r in reg["check"]["reasons"]] == codes
    body = str(reg)
    assert "Beta" not in body and str(world.b_id) not in body  # never the other partner, not even in a conflict
    for r in reg["check"]["reasons"]:
        assert r["with"] in ("vendor", "another partner") and "partners" not in r


def test_vendor_staff_see_whom_a_conflict_is_with(client, world):
    _register(world, client, "b_user", world.ids[("b", "shared.example")])
    reg = _register(world, client, "partner_user", world.ids[("a", "shared.example")])
    vendor = world.api(client, "channel_manager", "GET", f"/registrations/{reg['id']}").get_json()
    reason = vendor["check"]["reasons"][0]
    assert reason["code"] == "registered_by_other"
    assert reason["partners"] == [{"id": str(world.b_id), "name": "Beta Partner"}]
    assert vendor["partner"]["name"] == "Alpha Partner"


# -- bad input writes nothing ----------------------------------------------------------------------

@pytest.mark.parametrize("field, value", [
    ("amount", "NaN"), ("amount", "Infinity"), ("amount", -5), ("amount", "1e20"), ("amount", "lots"),
    ("amount", "10000000000000"), ("amount", "9999999999999.995"),
    ("currency", "EURO"), ("currency", "XXX"), ("expected_close", (date.today() - timedelta(days=1)).isoformat()),
    ("expected_close", "2027-02-30"), ("kind", "resale"), ("stage", "dreaming"), ("product", "")])
def test_bad_opportunity_input_answers_422_with_the_field_and_writes_nothing(client, world, field, value):
    before = (_count(Opportunity), _count(AuditEvent))
    for path in ("/opportunities", "/registrations"):
        body = {"account_id": world.ids[("a", "aonly.example")], "kind": "upsell", "product": "X", "amount": "1",
                "currency": "EUR", "expected_close": LATER, field: value}
        response = world.api(client, "partner_user", "POST", path, json=body)
        assert response.status_code == 422, (path, response.get_json())
        assert field in response.get_json()["error"]["fields"]
    assert (_count(Opportunity), _count(AuditEvent), _count(DealRegistration)) == before + (0,)


def test_the_largest_amount_the_column_holds_is_accepted_and_kept_to_the_cent(client, world):
    """Numeric(15, 2): PostgreSQL refuses 10**13, so that is where the rules and the document stop."""
    body = {"account_id": world.ids[("a", "aonly.example")], "kind": "upsell", "product": "Big", "currency": "EUR",
            "expected_close": LATER, "amount": "9999999999999.99"}
    response = world.api(client, "partner_user", "POST", "/opportunities", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["amount"] == 9999999999999.99


def test_an_edit_cannot_blank_the_product(client, world):
    opp = _opp(world, client, "partner_user", world.ids[("a", "aonly.example")])
    for blank in ("", "   "):
        response = world.api(client, "partner_user", "PATCH", f"/opportunities/{opp['id']}",
                             json={"product": blank, "version": opp["version"]})
        assert response.status_code == 422 and "product" in response.get_json()["error"]["fields"]
    assert world.api(client, "partner_user", "GET", f"/opportunities/{opp['id']}").get_json()["product"] == "Analytics"


def test_an_account_the_partner_cannot_see_answers_404_and_a_second_registration_409(client, world):
    for account in (world.ids[("b", "bonly.example")], world.ids[("v", "vendoronly.example")], str(uuid.uuid4())):
        response = world.api(client, "partner_user", "POST", "/registrations", json={
            "account_id": account, "kind": "upsell", "product": "X", "amount": "1", "currency": "EUR",
            "expected_close": LATER})
        assert response.status_code == 404
        assert "Beta" not in response.get_data(as_text=True)
    assert _count(Opportunity) == 0 and _count(DealRegistration) == 0
    reg = _register(world, client, "partner_user", world.ids[("a", "aonly.example")])
    opp_id = reg["opportunity"]["id"]
    again = world.api(client, "partner_admin", "POST", "/registrations", json={"opportunity_id": opp_id})
    assert again.status_code == 409
    assert world.api(client, "partner_admin", "POST", f"/opportunities/{opp_id}/registration").status_code == 409
    assert _count(DealRegistration) == 1


# -- decisions by role ----------------------------------------------------------------------------

def test_approve_and_reject_by_role(client, world):
    reg = _register(world, client, "partner_user", world.ids[("a", "aonly.example")])
    path = f"/registrations/{reg['id']}"
    for who in ("partner_user", "partner_admin", "vendor_viewer", "other_cm"):
        for action, body in (("approve", {}), ("reject", {"note": "no"}), ("extend", {}),
                             ("resolve", {"resolution": "co_sell"})):
            assert world.api(client, who, "POST", f"{path}/{action}", json=body).status_code == 403, (who, action)
    assert world.api(client, "b_admin", "POST", f"{path}/approve", json={}).status_code == 404
    assert world.api(client, "channel_manager", "POST", f"{path}/reject", json={"note": "  "}).status_code == 422
    approved = world.api(client, "channel_manager", "POST", f"{path}/approve", json={"note": "Go"})
    assert approved.status_code == 200
    body = approved.get_json()
    assert body["status"] == "approved"
    assert body["protected_until"] == (date.today() + timedelta(days=90)).isoformat()
    assert world.api(client, "vendor_admin", "POST", f"{path}/approve", json={}).status_code == 409
    assert world.api(client, "vendor_admin", "POST", f"{path}/reject", json={"note": "late"}).status_code == 409
    other = _register(world, client, "partner_user", world.ids[("a", "shared.example")])
    rejected = world.api(client, "vendor_admin", "POST", f"/registrations/{other['id']}/reject",
                         json={"note": "The vendor has this one"})
    assert rejected.get_json()["status"] == "rejected"
    with tenant_scope(world.tenant_id):
        actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("registration.%"))))
        # The partner user who registered was told both decisions.
        subjects = set(db.session.scalars(select(Notification.subject).where(
            Notification.membership_id == world.members["partner_user"].id)))
    assert {"registration.create", "registration.approve", "registration.reject"} <= actions
    assert any("approved" in s for s in subjects) and any("rejected" in s for s in subjects)


def test_a_conflict_cannot_be_approved_until_resolved_through_the_channel_conflict_resolution(client, world):
    reg = _register(world, client, "partner_user", world.ids[("a", "bigcorp.example")])
    assert reg["check"]["outcome"] == "conflict"
    path = f"/registrations/{reg['id']}"
    assert world.api(client, "channel_manager", "POST", f"{path}/approve", json={}).status_code == 409
    assert world.api(client, "channel_manager", "POST", f"{path}/resolve",
                     json={"resolution": "sometimes"}).status_code == 422
    resolved = world.api(client, "channel_manager", "POST", f"{path}/resolve",
                         json={"resolution": "partner", "note": "Alpha has run this account for years"}).get_json()
    assert resolved["check"]["outcome"] == "clear"
    with tenant_scope(world.tenant_id):
        row = db.session.scalar(select(ConflictResolution).where(ConflictResolution.domain == "bigcorp.example"))
    assert (row.resolution, row.owner_partner_id) == ("partner", world.a_id)
    assert world.api(client, "channel_manager", "POST", f"{path}/approve", json={}).get_json()["status"] == "approved"


# -- the clock ------------------------------------------------------------------------------------

def test_protection_is_extended_once_and_expires_by_the_clock(app, world):
    day0 = date(2027, 1, 4)
    with tenant_scope(world.tenant_id):
        partner = actor_of(world, "partner_user")
        manager = actor_of(world, "channel_manager")
        opp = services.create_opportunity(partner, {"account_id": world.ids[("a", "aonly.example")], "kind": "upsell",
                                                    "product": "P", "amount": "10", "currency": "USD",
                                                    "expected_close": LATER})
        reg = services.register(partner, opp, on=day0)
        assert reg.decision_due == date(2027, 1, 6)  # two business days
        services.approve(manager, reg, on=day0)
        assert reg.protected_until == day0 + timedelta(days=90)
        services.extend(manager, reg, on=day0 + timedelta(days=80))
        assert reg.protected_until == day0 + timedelta(days=180)
        with pytest.raises(Exception) as once:
            services.extend(manager, reg, on=day0 + timedelta(days=81))
        assert once.value.code == 409
        last = day0 + timedelta(days=180)
        from app.opportunities.views import registration_view
        assert registration_view(partner, reg, today=last)["status"] == "approved"
        assert registration_view(partner, reg, today=last + timedelta(days=1))["status"] == "expired"
        with pytest.raises(Exception) as late:
            services.record_outcome(partner, reg, "won", on=last + timedelta(days=1))
        assert late.value.code == 409
        assert services.sweep(last).expired == 0
        assert services.sweep(last + timedelta(days=1)).expired == 1
        assert reg.status == "expired"
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "registration.expire")) == 1
        db.session.rollback()


def test_overdue_registrations_stand_out_and_notify_the_channel_manager_once(app, client, world):
    from app.opportunities.rules import add_business_days

    submitted = date.today() - timedelta(days=14)
    due = add_business_days(submitted, 2)
    with tenant_scope(world.tenant_id):
        partner = actor_of(world, "partner_user")
        opp = services.create_opportunity(partner, {"account_id": world.ids[("a", "aonly.example")], "kind": "upsell",
                                                    "product": "P", "amount": "10", "currency": "USD",
                                                    "expected_close": LATER})
        reg = services.register(partner, opp, on=submitted)
        db.session.commit()
        cm = world.members["channel_manager"].id
        before = db.session.scalar(select(func.count()).select_from(Notification).where(Notification.membership_id == cm))
        assert services.sweep(due).overdue_notified == 0  # due that day: not yet overdue
        assert services.sweep(due + timedelta(days=1)).overdue_notified == 1
        assert services.sweep(due + timedelta(days=2)).overdue_notified == 0  # once
        after = db.session.scalar(select(func.count()).select_from(Notification).where(Notification.membership_id == cm))
        assert after == before + 1
        db.session.commit()
        reg_id = reg.id
        from app.core.registry import work_items
        with app.test_request_context():  # other features' items build their links with url_for
            items = [i for i in work_items(actor_of(world, "channel_manager")) if i.kind == "registration_to_decide"]
            assert [(i.urgent, i.link) for i in items] == [(True, f"/opportunities/registrations/{reg_id}")]
            assert [i for i in work_items(actor_of(world, "vendor_viewer")) if i.kind == "registration_to_decide"] == []
    assert world.api(client, "channel_manager", "GET", f"/registrations/{reg_id}").get_json()["overdue"] is True


def test_a_won_registration_adds_a_renewal_link_to_the_success_chain(client, world):
    reg = _register(world, client, "partner_user", world.ids[("a", "aonly.example")], amount="7500.50")
    path = f"/registrations/{reg['id']}"
    assert world.api(client, "partner_user", "POST", f"{path}/outcome", json={"outcome": "won"}).status_code == 409
    world.api(client, "channel_manager", "POST", f"{path}/approve", json={})
    assert world.api(client, "vendor_viewer", "POST", f"{path}/outcome", json={"outcome": "won"}).status_code == 403
    won = world.api(client, "partner_user", "POST", f"{path}/outcome", json={"outcome": "won"}).get_json()
    assert won["status"] == "won" and won["opportunity"]["stage"] == "won"
    with tenant_scope(world.tenant_id):
        renewals = list(db.session.scalars(select(Insight).where(
            Insight.account_id == uuid.UUID(world.ids[("a", "aonly.example")]), Insight.kind == "renewal")))
    chain = success_chain([i.data for i in renewals])
    assert [(link.due, link.status, link.amount) for link in chain] == [
        (date.today() + timedelta(days=365), "upcoming", "7500.50")]


# -- visibility -----------------------------------------------------------------------------------

def test_opportunities_cross_sides_only_as_the_sharing_levels_allow(client, world):
    vendor_direct = _opp(world, client, "vendor_admin", world.ids[("v", "shared.example")])
    for_a = _opp(world, client, "channel_manager", world.ids[("v", "shared.example")], partner_id=str(world.a_id))
    a_own = _opp(world, client, "partner_user", world.ids[("a", "aonly.example")])

    def ids(who):
        return {o["id"] for o in world.api(client, who, "GET", "/opportunities").get_json()["items"]}
    assert ids("partner_user") == {for_a["id"], a_own["id"]}  # overlaps: not the vendor's direct opportunity
    assert ids("vendor_viewer") == {vendor_direct["id"], for_a["id"]}  # counts: not A's unregistered one
    assert ids("b_user") == set()
    set_level(world, world.a_id, VENDOR_TO_PARTNER, "fields", ["opportunity"])
    set_level(world, world.a_id, PARTNER_TO_VENDOR, "full")
    assert ids("partner_user") == {vendor_direct["id"], for_a["id"], a_own["id"]}
    assert ids("vendor_viewer") == {vendor_direct["id"], for_a["id"], a_own["id"]}
    assert ids("b_user") == set()
    set_level(world, world.a_id, PARTNER_TO_VENDOR, "counts")
    assert a_own["id"] not in ids("vendor_admin")  # revoked at the next request
    _register(world, client, "partner_user", world.ids[("a", "aonly.example")], opportunity_id=a_own["id"])
    assert a_own["id"] in ids("vendor_admin")  # registering shares the deal with the vendor
    assert world.api(client, "vendor_viewer", "PATCH", f"/opportunities/{a_own['id']}",
                     json={"stage": "qualified", "version": 1}).status_code == 403


def test_a_partner_never_sees_another_partners_registrations_or_opportunities(client, world):
    b_reg = _register(world, client, "b_user", world.ids[("b", "shared.example")], product="Beta secret deal")
    a_reg = _register(world, client, "partner_user", world.ids[("a", "shared.example")])
    assert a_reg["check"]["outcome"] == "conflict"
    secrets = ["Beta Partner", "Beta secret deal", str(world.b_id), b_reg["id"], b_reg["opportunity"]["id"],
               "Shared B"]
    for path in ("/opportunities", "/registrations", f"/registrations/{a_reg['id']}", "/pipeline",
                 f"/partners/{world.a_id}/pipeline", f"/opportunities/{a_reg['opportunity']['id']}"):
        response = world.api(client, "partner_user", "GET", path)
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert not [s for s in secrets if s in text], path
    assert "another partner" in str(a_reg["check"]["reasons"])
    for path in (f"/registrations/{b_reg['id']}", f"/opportunities/{b_reg['opportunity']['id']}",
                 f"/partners/{world.b_id}/pipeline"):
        assert world.api(client, "partner_user", "GET", path).status_code == 404
    login(client, world.emails["partner_user"])
    for path in ("/opportunities/", f"/opportunities/registrations/{a_reg['id']}", "/home"):
        page = client.get(path)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        assert not [s for s in secrets if s in html], path
    assert client.get(f"/opportunities/registrations/{b_reg['id']}").status_code == 404


# -- the flow a new user would try --------------------------------------------------------------

def test_register_on_a_shared_enterprise_account_resolve_approve_and_see_it_in_pipelines_and_the_review(client, world):
    with tenant_scope(world.tenant_id):
        account = Account(owner_key="vendor", owner_partner_id=None, name="Enterprise Shared", domain="aonly.example",
                          employees=4000, segment="enterprise")  # the vendor has A's customer as an enterprise account
        db.session.add(account)
        db.session.commit()
    login(client, world.emails["partner_user"])
    page = client.get("/opportunities/new").get_data(as_text=True)
    assert "Enterprise Shared" in page
    bad = client.post("/opportunities/new", data={"csrf_token": csrf_from(page), "account_id": str(account.id),
                                                  "kind": "upsell", "product": "Rollout", "amount": "-3",
                                                  "currency": "EUR", "expected_close": LATER, "stage": "proposal"})
    assert bad.status_code == 422 and "non-negative" in bad.get_data(as_text=True)
    response = client.post("/opportunities/new", data={
        "csrf_token": csrf_from(page), "account_id": str(account.id), "kind": "upsell", "product": "Rollout",
        "amount": "25000", "currency": "EUR", "expected_close": LATER, "stage": "proposal", "register": "1"})
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Conflict" in detail and "enterprise segment, which the vendor leads" in detail
    reg_path = response.headers["Location"]
    client.post("/auth/logout", data={"csrf_token": csrf_from(detail)})
    login(client, world.emails["channel_manager"])
    page = client.get(reg_path).get_data(as_text=True)
    assert "Alpha Partner" in page and "Resolve" in page
    refused = client.post(reg_path + "/approve", data={"csrf_token": csrf_from(page)})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    client.post(reg_path + "/resolve", data={"csrf_token": csrf_from(page), "resolution": "partner", "note": "A's"})
    page = client.get(reg_path).get_data(as_text=True)
    assert client.post(reg_path + "/approve", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert "Approved" in client.get(reg_path).get_data(as_text=True)
    vendor_pipe = world.api(client, "vendor_admin", "GET", "/pipeline").get_json()
    partner_pipe = world.api(client, "partner_user", "GET", "/pipeline").get_json()
    for pipe in (vendor_pipe, partner_pipe):
        assert {"stage": "proposal", "label": "Proposal", "currency": "EUR", "count": 1, "amount": 25000.0} in pipe["by_stage"]
    from app.opportunities.review import build
    from app.health.periods import period_for
    with tenant_scope(world.tenant_id):
        section = build(db.session.get(Partner, (world.tenant_id, world.a_id)), str(period_for(date.today())), "vendor")
    assert [(i["product"], i["status"]) for i in section["items"]] == [("Rollout", "approved")]
    partner_client = client.application.test_client()
    login(partner_client, world.emails["partner_user"])
    home = partner_client.get("/home").get_data(as_text=True)
    assert "Deal registrations" in home and "Rollout" in home
    review = world.api(client, "channel_manager", "POST", f"/partners/{world.a_id}/reviews",
                       json={"period": str(period_for(date.today()))})
    assert review.status_code == 201, review.get_json()
    page = partner_client.get(f"/reviews/{review.get_json()['id']}").get_data(as_text=True)
    assert "Registered deals and pipeline" in page and "Rollout" in page and "25000.00 EUR" in page


def test_lists_and_the_pipeline_take_the_same_number_of_statements_for_3_or_30_registrations(client, world):
    from sqlalchemy import event

    def statements(who, path):
        seen = []

        def count(*_a, **_k):
            seen.append(1)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert world.api(client, who, "GET", path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    def add(n):
        for i in range(n):
            _register(world, client, "partner_user", world.ids[("a", "aonly.example")], product=f"Deal {i}")
    add(3)
    paths = [("vendor_admin", "/registrations"), ("partner_user", "/registrations"), ("vendor_admin", "/opportunities"),
             ("partner_user", "/opportunities"), ("vendor_admin", "/pipeline"), ("partner_user", "/pipeline")]
    for who, path in paths:  # each token's first use records last_used_at (once a minute): not a list's cost
        world.api(client, who, "GET", path)
    few = [statements(who, path) for who, path in paths]
    add(27)
    assert [statements(who, path) for who, path in paths] == few


def test_the_partner_home_and_page_take_the_same_statements_with_no_or_twelve_registrations(client, world):
    """The registrations panel reads its rows, their opportunities and accounts with the pipeline's sums:
    a partnership with deals costs no statement more than one without (issue 15's budget of 15)."""
    from sqlalchemy import event

    pages = {"partner_user": "/home", "vendor_admin": f"/partners/{world.a_id}"}
    clients = {}
    for who in pages:
        clients[who] = client.application.test_client()
        login(clients[who], world.emails[who])

    def statements(who):
        seen = []

        def count(*_a, **_k):
            seen.append(1)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = clients[who].get(pages[who])
            assert page.status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen), page.get_data(as_text=True)

    for who in pages:  # the first request of a session records its sign-in touches: not the page's cost
        statements(who)
    none = {who: statements(who)[0] for who in pages}
    for i in range(12):
        _register(world, client, "partner_user", world.ids[("a", "aonly.example")], product=f"Deal {i}")
    for who in pages:
        count, html = statements(who)
        assert count == none[who], (who, pages[who])
        panel = html[html.find("<h2>Deal registrations</h2>"):].split("</section>", 1)[0]
        assert panel.count("<li>") == 10, who  # ten of the twelve, the latest decisions due first
        assert panel.count("</a> · A Only · Pending") == 10, panel  # each with its account and status


def test_the_workspace_sets_its_stages_sla_and_protection(client, world):
    from app.opportunities.rules import add_business_days

    current = world.api(client, "partner_user", "GET", "/opportunity-settings").get_json()
    assert (current["sla_business_days"], current["protection_days"]) == (2, 90)
    body = {"stages": [{"key": "lead", "outcome": "open"}, {"key": "commit", "label": "Commit", "outcome": "open"},
                       {"key": "signed", "outcome": "won"}, {"key": "gone", "outcome": "lost"}],
            "sla_business_days": 5, "protection_days": 30, "version": current["version"]}
    for who in ("channel_manager", "partner_admin"):
        assert world.api(client, who, "PUT", "/opportunity-settings", json=body).status_code == 403
    for bad, field in (({"stages": body["stages"][:3]}, "stages"), ({"sla_business_days": 0}, "sla_business_days"),
                       ({"protection_days": 1000}, "protection_days"),
                       ({"stages": [{"key": "Lead!", "outcome": "open"}] + body["stages"][1:]}, "stages.0.key")):
        response = world.api(client, "vendor_admin", "PUT", "/opportunity-settings", json={**body, **bad})
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"], bad
    saved = world.api(client, "vendor_admin", "PUT", "/opportunity-settings", json=body)
    assert saved.status_code == 200, saved.get_json()
    assert world.api(client, "vendor_admin", "PUT", "/opportunity-settings", json=body).status_code == 409  # stale
    reg = _register(world, client, "partner_user", world.ids[("a", "aonly.example")], stage="commit")
    assert reg["decision_due"] == add_business_days(date.today(), 5).isoformat()
    old_stage = world.api(client, "partner_user", "POST", "/opportunities", json={
        "account_id": world.ids[("a", "aonly.example")], "kind": "upsell", "product": "X", "amount": "1",
        "currency": "EUR", "expected_close": LATER, "stage": "proposal"})
    assert old_stage.status_code == 422 and "stage" in old_stage.get_json()["error"]["fields"]
    approved = world.api(client, "channel_manager", "POST", f"/registrations/{reg['id']}/approve", json={}).get_json()
    assert approved["protected_until"] == (date.today() + timedelta(days=30)).isoformat()
    dropped = {"stages": [s for s in body["stages"] if s["key"] != "commit"], "sla_business_days": 5, "protection_days": 30}
    response = world.api(client, "vendor_admin", "PUT", "/opportunity-settings", json=dropped)
    assert response.status_code == 422 and "commit" in response.get_json()["error"]["fields"]["stages"]
    with tenant_scope(world.tenant_id):
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "opportunities.settings")) == 1


def test_a_registration_whose_opportunity_closed_cannot_be_approved(client, world):
    reg = _register(world, client, "partner_user", world.ids[("a", "aonly.example")])
    opp = reg["opportunity"]
    lost = world.api(client, "partner_user", "PATCH", f"/opportunities/{opp['id']}",
                     json={"stage": "lost", "version": opp["version"]})
    assert lost.status_code == 200
    refused = world.api(client, "channel_manager", "POST", f"/registrations/{reg['id']}/approve", json={})
    assert refused.status_code == 409 and "lost" in refused.get_json()["error"]["message"]
    assert world.api(client, "channel_manager", "POST", f"/registrations/{reg['id']}/reject",
                     json={"note": "Lost before we decided"}).get_json()["status"] == "rejected"


def test_the_creating_side_updates_an_opportunity_in_the_page(client, world):
    opp = _opp(world, client, "partner_user", world.ids[("a", "aonly.example")], product="Page deal")
    login(client, world.emails["partner_user"])
    path = f"/opportunities/{opp['id']}/edit"
    page = client.get(path).get_data(as_text=True)
    assert "Page deal" in page
    form = {"csrf_token": csrf_from(page), "version": str(opp["version"]), "product": "Page deal", "amount": "-1",
            "currency": "EUR", "expected_close": LATER, "stage": "qualified", "next_step": "Call"}
    bad = client.post(path, data=form)
    assert bad.status_code == 422 and "non-negative" in bad.get_data(as_text=True)
    assert client.post(path, data={**form, "amount": "2500"}).status_code == 302
    stale = client.post(path, data={**form, "amount": "9"})  # the version read before the save
    assert stale.status_code == 409
    body = world.api(client, "partner_user", "GET", f"/opportunities/{opp['id']}").get_json()
    assert (body["stage"], body["amount"], body["next_step"], body["version"]) == ("qualified", 2500.0, "Call", 2)
    vendor = client.application.test_client()
    login(vendor, world.emails["vendor_admin"])
    assert vendor.get(path).status_code == 404  # not registered, partner -> vendor shows counts only


def test_the_vendors_partner_page_shows_that_partnerships_registrations(client, world):
    _register(world, client, "partner_user", world.ids[("a", "aonly.example")], product="Panel deal")
    _register(world, client, "b_user", world.ids[("b", "bonly.example")], product="Beta panel deal")
    login(client, world.emails["channel_manager"])
    page = client.get(f"/partners/{world.a_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Deal registrations" in html and "Panel deal" in html and "Beta panel deal" not in html
    assert f"/opportunities/?partner_id={world.a_id}" in html
