"""Onboarding checklists: the default template, starting from it, ticks with who and when (audited),
steps the portal sees done offered to confirm (never ticked silently), the template edited by vendor
admins, the progress view per book, and bad input that writes nothing."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from tests.support.accounts_world import build  # noqa: I001  (imports app.auth first)
from app.audit.models import AuditEvent
from app.commplan.models import CommContact
from app.extensions import db
from app.onboarding.models import DEFAULT_ITEMS, OnboardingItem, OnboardingTemplateItem
from app.partners.models import Partner, RegionAssignment
from app.tenancy import tenant_scope
from tests.conftest import csrf_from, login

CSDM = "cs_development_manager"


@pytest.fixture
def world(app, make):
    w = build(make, with_accounts=False)
    w.members[CSDM] = make.member(w.tenant, CSDM, email="csdm@vendor.example")
    w.emails[CSDM] = "csdm@vendor.example"
    w.tokens[CSDM] = make.token(w.members[CSDM])
    with tenant_scope(w.tenant_id):
        a = db.session.get(Partner, (w.tenant_id, w.a_id))
        b = db.session.get(Partner, (w.tenant_id, w.b_id))
        a.region, b.region = "emea", "na"
        db.session.add(RegionAssignment(membership_id=w.members[CSDM].id, region="emea"))
        db.session.commit()
    return w


def _count(world, model, *where) -> int:
    with tenant_scope(world.tenant_id):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_new_tenant_has_the_default_template(world, client):
    steps = world.api(client, "vendor_viewer", "GET", "/onboarding/template").get_json()["items"]
    assert [(s["key"], s["detector"]) for s in steps] == [(k, d) for k, _, d in DEFAULT_ITEMS]
    assert world.api(client, "partner_admin", "GET", "/onboarding/template").status_code == 403


def test_the_csdm_runs_its_regions_checklist(world, client):
    a, b = world.a_id, world.b_id
    started = world.api(client, CSDM, "POST", f"/partners/{a}/onboarding")
    assert started.status_code == 201, started.get_json()
    view = started.get_json()
    assert [i["key"] for i in view["items"]] == [k for k, _, _ in DEFAULT_ITEMS] and view["done"] == 0
    # A second start is a conflict and writes nothing.
    assert world.api(client, CSDM, "POST", f"/partners/{a}/onboarding").status_code == 409
    assert _count(world, OnboardingItem) == len(DEFAULT_ITEMS)
    # Outside its region it reads, but does not run.
    assert world.api(client, CSDM, "POST", f"/partners/{b}/onboarding").status_code == 403
    assert world.api(client, CSDM, "GET", f"/partners/{b}/onboarding").get_json()["started"] is False
    kick_off = view["items"][0]
    r = world.api(client, CSDM, "PUT", f"/onboarding/items/{kick_off['id']}", json={"done": True, "version": kick_off["version"]})
    assert r.status_code == 200, r.get_json()
    item = r.get_json()["items"][0]
    assert item["done"] is True and item["done_by"] == "csdm@vendor.example" and item["done_at"]
    assert r.get_json()["done"] == 1
    with tenant_scope(world.tenant_id):
        events = [e.action for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.action.like("onboarding.%")).order_by(AuditEvent.seq))]
    assert events == ["onboarding.start", "onboarding.tick"]
    # The version it read is stale now: 409, nothing changes.
    stale = world.api(client, CSDM, "PUT", f"/onboarding/items/{kick_off['id']}", json={"done": False, "version": kick_off["version"]})
    assert stale.status_code == 409
    # Unticking with the current version clears who and when.
    undone = world.api(client, "vendor_admin", "PUT", f"/onboarding/items/{kick_off['id']}",
                       json={"done": False, "version": item["version"]}).get_json()["items"][0]
    assert undone["done"] is False and undone["done_by"] is None
    # Viewers and partner staff read their view, never tick.
    assert world.api(client, "vendor_viewer", "PUT", f"/onboarding/items/{kick_off['id']}",
                     json={"done": True, "version": undone["version"]}).status_code == 403
    assert world.api(client, "partner_admin", "GET", f"/partners/{a}/onboarding").status_code == 200
    assert world.api(client, "partner_admin", "PUT", f"/onboarding/items/{kick_off['id']}",
                     json={"done": True, "version": undone["version"]}).status_code == 403
    # Another partner's staff do not see it at all.
    assert world.api(client, "b_admin", "GET", f"/partners/{a}/onboarding").status_code == 404
    assert world.api(client, "b_admin", "PUT", f"/onboarding/items/{kick_off['id']}",
                     json={"done": True, "version": undone["version"]}).status_code == 404


def test_seen_done_is_offered_never_ticked(world, client):
    a = world.a_id
    items = world.api(client, "vendor_admin", "POST", f"/partners/{a}/onboarding").get_json()["items"]
    plan = next(i for i in items if i["key"] == "communication_plan")
    assert plan["detected_at"] is None
    with tenant_scope(world.tenant_id):
        db.session.add(CommContact(partner_id=a, side="partner", role="cs_lead", name="Ada"))
        db.session.commit()
    view = world.api(client, "vendor_admin", "GET", f"/partners/{a}/onboarding").get_json()
    plan = next(i for i in view["items"] if i["key"] == "communication_plan")
    assert plan["detected_at"] is not None and plan["done"] is False
    assert view["suggested"] == 1 and view["done"] == 0
    progress = world.api(client, "vendor_admin", "GET", "/onboarding").get_json()["items"]
    assert {p["name"]: (p["done"], p["total"], p["suggested"]) for p in progress}["Alpha Partner"] == (0, 5, 1)


def test_progress_follows_the_book(world, client):
    world.api(client, "vendor_admin", "POST", f"/partners/{world.a_id}/onboarding")
    mine = world.api(client, CSDM, "GET", "/onboarding").get_json()["items"]
    assert [p["name"] for p in mine] == ["Alpha Partner"]
    everything = world.api(client, CSDM, "GET", "/onboarding?all=1").get_json()["items"]
    assert sorted(p["name"] for p in everything) == ["Alpha Partner", "Beta Partner"]
    assert {p["name"]: p["started"] for p in everything} == {"Alpha Partner": True, "Beta Partner": False}
    assert world.api(client, "partner_admin", "GET", "/onboarding").status_code == 403


def test_template_edits_reach_new_checklists_only(world, client):
    a, b = world.a_id, world.b_id
    world.api(client, "vendor_admin", "POST", f"/partners/{a}/onboarding")
    added = world.api(client, "vendor_admin", "POST", "/onboarding/template", json={"title": "Portal training"})
    assert added.status_code == 201 and added.get_json()["key"] == "portal_training"
    assert world.api(client, CSDM, "POST", "/onboarding/template", json={"title": "x"}).status_code == 403
    steps = world.api(client, "vendor_admin", "GET", "/onboarding/template").get_json()["items"]
    qbr = next(s for s in steps if s["key"] == "first_qbr")
    renamed = world.api(client, "vendor_admin", "PATCH", f"/onboarding/template/{qbr['id']}",
                        json={"version": qbr["version"], "title": "First QBR"})
    assert renamed.status_code == 200 and renamed.get_json()["title"] == "First QBR"
    assert world.api(client, "vendor_admin", "PATCH", f"/onboarding/template/{qbr['id']}",
                     json={"version": qbr["version"], "title": "Again"}).status_code == 409
    kick = next(s for s in steps if s["key"] == "kick_off")
    assert world.api(client, "vendor_admin", "DELETE", f"/onboarding/template/{kick['id']}").status_code == 200
    assert world.api(client, "vendor_admin", "DELETE", f"/onboarding/template/{kick['id']}").status_code == 409
    b_items = world.api(client, "vendor_admin", "POST", f"/partners/{b}/onboarding").get_json()["items"]
    assert [i["title"] for i in b_items][-2:] == ["First QBR", "Portal training"]
    assert "kick_off" not in [i["key"] for i in b_items]
    a_items = world.api(client, "vendor_admin", "GET", f"/partners/{a}/onboarding").get_json()["items"]
    assert [i["key"] for i in a_items] == [k for k, _, _ in DEFAULT_ITEMS]  # started before: unchanged


@pytest.mark.parametrize("method, path, body, field", [
    ("POST", "/onboarding/template", {"title": "   "}, "title"),
    ("POST", "/onboarding/template", {"title": "x" * 201}, "title"),
    ("POST", "/onboarding/template", {"title": "Ok", "detector": "telepathy"}, "detector"),
    ("POST", "/onboarding/template", {"title": 5}, "title"),
    ("POST", "/onboarding/template", {"title": "Ok", "extra": 1}, "extra"),
    ("PUT", "ITEM", {"done": "yes", "version": 1}, "done"),
    ("PUT", "ITEM", {"done": True}, "version"),
    ("PUT", "ITEM", {"done": True, "version": "1"}, "version"),
    ("PATCH", "STEP", {"title": "Renamed"}, "version"),
    ("PATCH", "STEP", {"version": 1, "title": ""}, "title"),
])
def test_bad_input_writes_nothing(world, client, method, path, body, field):
    items = world.api(client, "vendor_admin", "POST", f"/partners/{world.a_id}/onboarding").get_json()["items"]
    steps = world.api(client, "vendor_admin", "GET", "/onboarding/template").get_json()["items"]
    path = {"ITEM": f"/onboarding/items/{items[0]['id']}", "STEP": f"/onboarding/template/{steps[0]['id']}"}.get(path, path)
    before = (_count(world, AuditEvent), _count(world, OnboardingTemplateItem),
              _count(world, OnboardingItem, OnboardingItem.done_at.is_not(None)))
    r = world.api(client, "vendor_admin", method, path, json=body)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["fields"], r.get_json()
    after = (_count(world, AuditEvent), _count(world, OnboardingTemplateItem),
             _count(world, OnboardingItem, OnboardingItem.done_at.is_not(None)))
    assert after == before
    with tenant_scope(world.tenant_id):
        assert db.session.scalar(select(OnboardingTemplateItem.title).where(
            OnboardingTemplateItem.id == uuid.UUID(steps[0]["id"]))) == steps[0]["title"]


def test_pages_as_a_new_user_would(world, app):
    """The CSDM starts Alpha's onboarding from the partner page's panel, ticks the kick-off, and a bad
    tick re-renders with 422; the admin adds a step on the template page, a blank one is refused."""
    csdm = app.test_client()
    login(csdm, world.emails[CSDM])
    partner_page = csdm.get(f"/partners/{world.a_id}").get_data(as_text=True)
    assert "Start onboarding" in partner_page
    page = csdm.get(f"/onboarding/partners/{world.a_id}")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    assert csdm.post(f"/onboarding/partners/{world.a_id}/start", data={"csrf_token": token}).status_code == 302
    with tenant_scope(world.tenant_id):
        kick = db.session.scalar(select(OnboardingItem).where(OnboardingItem.key == "kick_off"))
        kick_id, version = kick.id, kick.version
    bad = csdm.post(f"/onboarding/items/{kick_id}", data={"csrf_token": token, "done": "1", "version": "x"})
    assert bad.status_code == 422 and "version" in bad.get_data(as_text=True).lower()
    assert _count(world, OnboardingItem, OnboardingItem.done_at.is_not(None)) == 0
    ok = csdm.post(f"/onboarding/items/{kick_id}", data={"csrf_token": token, "done": "1", "version": str(version)})
    assert ok.status_code == 302
    shown = csdm.get(f"/onboarding/partners/{world.a_id}").get_data(as_text=True)
    assert "by csdm@vendor.example" in shown
    assert "Alpha Partner" in csdm.get("/onboarding/").get_data(as_text=True)
    # Outside its region: the page reads, without buttons; a tick is refused.
    other = csdm.get(f"/onboarding/partners/{world.b_id}").get_data(as_text=True)
    assert "Start onboarding from the template" not in other
    assert csdm.post(f"/onboarding/partners/{world.b_id}/start", data={"csrf_token": token}).status_code == 403
    admin = app.test_client()
    login(admin, world.emails["vendor_admin"])
    tpl = admin.get("/onboarding/template").get_data(as_text=True)
    atoken = csrf_from(tpl)
    blank = admin.post("/onboarding/template", data={"csrf_token": atoken, "title": " "})
    assert blank.status_code == 422 and "Name the step." in blank.get_data(as_text=True)
    assert admin.post("/onboarding/template", data={"csrf_token": atoken, "title": "Joint webinar"}).status_code == 302
    assert "Joint webinar" in admin.get("/onboarding/template").get_data(as_text=True)
    assert csdm.post("/onboarding/template", data={"csrf_token": token, "title": "Mine"}).status_code == 403
