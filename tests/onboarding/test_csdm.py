"""The CS Development Manager (issue 14): a policy table of every write it might try (refused:
tiers, margins, closes, agreements, registrations, partner edits; allowed: its region's checklists),
its regions (API, page, audit), its book, and the same answers over HTTP."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.support.accounts_world import build  # noqa: I001  (imports app.auth first)
from app.accounts.models import Account
from app.audit.models import AuditEvent
from app.auth.context import Actor
from app.auth.models import Membership, User
from app.extensions import db
from app.health.models import Agreement
from app.opportunities.models import DealRegistration, Opportunity
from app.partners.models import Partner, RegionAssignment
from app.tenancy import tenant_scope
from app.tenants.models import Tenant
from app.termchanges.models import KINDS as TERM_KINDS
from tests.conftest import csrf_from, login

CSDM = "cs_development_manager"


@pytest.fixture
def world(app, make):
    """Partner A in EMEA (the CSDM's region, managed by the channel manager), partner B in NA."""
    w = build(make, with_accounts=False)
    w.members[CSDM] = make.member(w.tenant, CSDM, email="csdm@vendor.example")
    w.emails[CSDM] = "csdm@vendor.example"
    w.tokens[CSDM] = make.token(w.members[CSDM])
    with tenant_scope(w.tenant_id):
        a = db.session.get(Partner, (w.tenant_id, w.a_id))
        b = db.session.get(Partner, (w.tenant_id, w.b_id))
        a.region, b.region = "emea", "na"
        a.channel_manager_id = w.members["channel_manager"].id
        db.session.add(RegionAssignment(membership_id=w.members[CSDM].id, region="emea"))
        db.session.commit()
    return w


def actor_of(world, role) -> Actor:
    m = db.session.get(Membership, (world.tenant_id, world.members[role].id))
    return Actor(user=db.session.get(User, m.user_id), tenant=db.session.get(Tenant, world.tenant_id), membership=m)


def _policies():
    """(name, check(actor, partner)) for every write a vendor person might try on a partnership."""
    from app.accounts import policies as accounts
    from app.auth import policies as auth
    from app.commplan import policies as commplan
    from app.enhancements import policies as enhancements
    from app.health import policies as health
    from app.ipp import policies as ipp
    from app.onboarding import policies as onboarding
    from app.opportunities import policies as opportunities
    from app.partners import policies as partners
    from app.reviews import policies as reviews
    from app.sharing import policies as sharing
    from app.termchanges import policies as termchanges
    from app.tiers import policies as tiers

    def reg(p):
        return DealRegistration(partner_id=p.id, opportunity_id=uuid.uuid4(), account_id=uuid.uuid4())

    table = [
        ("tiers: edit the programme", lambda a, p: tiers.can_edit_programme(a)),
        ("tiers: close a quarter", tiers.can_close),
        ("tiers: close all", lambda a, p: tiers.can_close_all(a)),
        ("tiers: override tier or margin", lambda a, p: tiers.can_override(a)),
        ("health: propose or accept an agreement", health.can_negotiate),
        ("health: accept the partner's proposal",
         lambda a, p: health.can_accept(a, Agreement(partner_id=p.id, proposed_by="partner"), p)),
        ("health: record measurements", health.can_record_measurements),
        ("health: metric catalogue", lambda a, p: health.can_manage_catalogue(a)),
        ("registrations: approve, reject, extend", lambda a, p: opportunities.can_decide(a, reg(p))),
        ("registrations: record the outcome", lambda a, p: opportunities.can_record_outcome(a, reg(p))),
        ("opportunities: create", lambda a, p: opportunities.can_create(a)),
        ("opportunities: edit the vendor's",
         lambda a, p: opportunities.can_edit(a, Opportunity(side="vendor", partner_id=p.id))),
        ("partners: create", lambda a, p: partners.can_create_partner(a)),
        ("partners: edit", partners.can_edit_partner),
        ("partners: assign the channel manager", lambda a, p: partners.can_assign_manager(a)),
        ("partners: assign regions", lambda a, p: partners.can_assign_regions(a)),
        ("sharing: change the vendor's level", lambda a, p: sharing.can_change_sharing(a, p, "vendor_to_partner")),
        ("sharing: ask for more data", sharing.can_request_data),
        ("ipp: vendor assessment", ipp.can_assess_vendor),
        ("ipp: edit profiles", lambda a, p: ipp.can_edit_profiles(a)),
        ("reviews: sign", reviews.can_sign),
        ("reviews: edit", reviews.can_edit),
        *[(f"term changes: {kind}", lambda a, p, kind=kind: termchanges.can_act(a, p, kind)) for kind in TERM_KINDS],
        ("communication plan: edit", commplan.can_edit),
        ("enhancements: triage", lambda a, p: enhancements.can_triage(a)),
        ("accounts: import vendor accounts", lambda a, p: accounts.can_import(a)),
        ("accounts: add insight on the partner's account",
         lambda a, p: accounts.can_add_insight(a, Account(owner_partner_id=p.id, owner_key=str(p.id), name="x"))),
        ("users: manage", lambda a, p: auth.can_manage_users(a)),
        ("onboarding: edit the template", lambda a, p: onboarding.can_edit_template(a)),
    ]
    return table, onboarding


def test_the_csdm_may_not_write_what_managers_write(world):
    """Every write of the table is refused to the CSDM, in its region and outside it. The vendor
    admin is allowed nearly all of them, so the refusals are about the role (the table can fail)."""
    table, _ = _policies()
    with tenant_scope(world.tenant_id):
        a = db.session.get(Partner, (world.tenant_id, world.a_id))
        b = db.session.get(Partner, (world.tenant_id, world.b_id))
        csdm, admin = actor_of(world, CSDM), actor_of(world, "vendor_admin")
        allowed_to_csdm = [(name, p.name) for name, check in table for p in (a, b) if check(csdm, p) is not False]
        assert allowed_to_csdm == []
        refused_to_admin = [name for name, check in table if not check(admin, a)]
        # The admin never records a partner's own win/loss unless it decides (it does), so all pass.
        assert refused_to_admin == [], refused_to_admin


@pytest.mark.parametrize("role, in_region, outside", [
    (CSDM, True, False),
    ("vendor_admin", True, True),
    ("channel_manager", True, False),  # manages A only
    ("vendor_viewer", False, False),
    ("partner_admin", False, False),
    ("partner_user", False, False),
])
def test_who_runs_the_checklist(world, role, in_region, outside):
    _, onboarding = _policies()
    with tenant_scope(world.tenant_id):
        a = db.session.get(Partner, (world.tenant_id, world.a_id))
        b = db.session.get(Partner, (world.tenant_id, world.b_id))
        me = actor_of(world, role)
        assert onboarding.can_run(me, a) is in_region
        assert onboarding.can_run(me, b) is outside
        # Reading: every vendor person, and partner staff their own partnership only.
        assert onboarding.can_read(me, a) is True
        assert onboarding.can_read(me, b) is (role not in ("partner_admin", "partner_user"))


def test_book_is_the_partners_of_its_regions(world, make):
    from app.partners.policies import book_for, in_book

    with tenant_scope(world.tenant_id):
        csdm = actor_of(world, CSDM)
        book = book_for(csdm)
        assert book.regions == ("emea",)
        names = db.session.scalars(in_book(select(Partner.name), book)).all()
        assert names == ["Alpha Partner"]
        # Without a region the book is empty, not the programme.
        db.session.execute(RegionAssignment.__table__.delete().where(
            RegionAssignment.tenant_id == world.tenant_id))
        assert db.session.scalars(in_book(select(Partner.name), book_for(csdm))).all() == []
        db.session.rollback()


# -- regions: API and page ----------------------------------------------------------------------

def test_regions_api_sets_lists_and_audits(world, client):
    mid = world.members[CSDM].id
    r = world.api(client, "vendor_admin", "PUT", f"/memberships/{mid}/regions", json={"regions": ["na", "emea", "na"]})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["regions"] == ["emea", "na"]
    listed = world.api(client, "vendor_viewer", "GET", "/region-assignments").get_json()["items"]
    assert [(i["email"], i["regions"]) for i in listed] == [("csdm@vendor.example", ["emea", "na"])]
    with tenant_scope(world.tenant_id):
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "membership.regions"))
        assert event.before == {"regions": ["emea"]} and event.after == {"regions": ["emea", "na"]}
    # Only the vendor admin changes them.
    assert world.api(client, CSDM, "PUT", f"/memberships/{mid}/regions", json={"regions": []}).status_code == 403
    assert world.api(client, "channel_manager", "PUT", f"/memberships/{mid}/regions",
                     json={"regions": []}).status_code == 403


@pytest.mark.parametrize("target, body, field", [
    (CSDM, {"regions": ["mars"]}, "regions"),  # a bad item is named under its list
    (CSDM, {"regions": "emea"}, "regions"),
    (CSDM, {}, "regions"),
    ("channel_manager", {"regions": ["emea"]}, "membership_id"),  # only CSDMs have regions
    ("partner_user", {"regions": ["emea"]}, "membership_id"),
])
def test_bad_region_input_writes_nothing(world, client, target, body, field):
    before = _count(world, RegionAssignment), _count(world, AuditEvent)
    r = world.api(client, "vendor_admin", "PUT", f"/memberships/{world.members[target].id}/regions", json=body)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["fields"], r.get_json()
    assert (_count(world, RegionAssignment), _count(world, AuditEvent)) == before


def test_regions_page(world, app):
    admin, csdm = app.test_client(), app.test_client()
    login(admin, world.emails["vendor_admin"])
    page = admin.get("/partners/regions")
    assert page.status_code == 200 and "Save regions" in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    r = admin.post("/partners/regions", data={"csrf_token": token, "membership_id": str(world.members[CSDM].id),
                                               "regions": ["apac", "latam"]})
    assert r.status_code == 302
    with tenant_scope(world.tenant_id):
        assert sorted(db.session.scalars(select(RegionAssignment.region))) == ["apac", "latam"]
    bad = admin.post("/partners/regions", data={"csrf_token": token, "membership_id": str(world.members[CSDM].id),
                                                 "regions": ["atlantis"]})
    assert bad.status_code == 422 and "Unknown region" in bad.get_data(as_text=True)
    login(csdm, world.emails[CSDM])
    seen = csdm.get("/partners/regions")
    assert seen.status_code == 200 and "Save regions" not in seen.get_data(as_text=True)
    assert csdm.post("/partners/regions", data={"csrf_token": csrf_from(seen.get_data(as_text=True)),
                                                "membership_id": str(world.members[CSDM].id)}).status_code == 403


def test_invitations_can_give_the_role(world, app):
    admin = app.test_client()
    login(admin, world.emails["vendor_admin"])
    page = admin.get("/users/invite")
    assert 'value="cs_development_manager"' in page.get_data(as_text=True)


# -- the same refusals over HTTP ------------------------------------------------------------------

def _count(world, model) -> int:
    with tenant_scope(world.tenant_id):
        return db.session.scalar(select(func.count()).select_from(model))


def test_http_refuses_the_csdm_managers_writes(world, client):
    a = world.a_id
    later = (date.today() + timedelta(days=40)).isoformat()
    # A registration by partner A on its own account, for the decision routes.
    with tenant_scope(world.tenant_id):
        account = Account(owner_key=str(a), owner_partner_id=a, name="Solo", domain="solo.example", employees=10,
                          segment="smb")
        db.session.add(account)
        db.session.commit()
        account_id = str(account.id)
    reg = world.api(client, "partner_admin", "POST", "/registrations", json={
        "account_id": account_id, "kind": "cross_sell", "product": "Deal", "amount": "5000", "currency": "EUR",
        "expected_close": later})
    assert reg.status_code == 201, reg.get_json()
    rid = reg.get_json()["id"]
    before = _count(world, AuditEvent)
    refused = [
        ("POST", f"/registrations/{rid}/approve", {}),
        ("POST", f"/registrations/{rid}/reject", {"note": "not ours"}),
        ("POST", f"/partners/{a}/quarters/2026-Q3/override", {"tier": "Gold", "reason": "because we said so"}),
        ("POST", f"/partners/{a}/quarters/2026-Q3/close", {}),
        ("PUT", "/tier-program", {"tiers": []}),
        ("POST", f"/partners/{a}/agreements", {"period": "2026-Q4", "metrics": []}),
        ("PATCH", f"/partners/{a}", {"version": 1, "name": "Renamed"}),
        ("POST", "/opportunities", {"account_id": account_id, "kind": "upsell", "product": "X", "amount": "1",
                                    "currency": "EUR", "expected_close": later}),
    ]
    for method, path, body in refused:
        r = world.api(client, CSDM, method, path, json=body)
        assert r.status_code == 403, (method, path, r.status_code, r.get_json())
    assert _count(world, AuditEvent) == before
    # It reads like vendor staff, in its region and outside it.
    assert world.api(client, CSDM, "GET", f"/partners/{world.b_id}").status_code == 200
    assert world.api(client, CSDM, "GET", f"/registrations/{rid}").status_code == 200
    # The channel manager of A approves (so the refusal above is about the role, not the request).
    assert world.api(client, "channel_manager", "POST", f"/registrations/{rid}/approve", json={}).status_code == 200
