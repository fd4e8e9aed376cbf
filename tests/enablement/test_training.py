"""Courses, certifications and completions: who records, bad input writing nothing, expiry notices
once per expiry, the IPP suggestion shown but never applied, and no partner seeing another's."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.enablement import rules, services
from app.enablement.models import Completion
from app.extensions import db
from app.ipp.models import IppAssessment
from app.notifications.models import Notification
from app.tenancy import tenant_scope
from tests.conftest import csrf_from, login

TODAY = date.today()


def count(world, model, *where) -> int:
    with tenant_scope(world.tenant_id):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def course(world, client, name="Product certification", kind="certification", months=12):
    r = world.api(client, "vendor_admin", "POST", "/courses", json={"name": name, "kind": kind, "valid_months": months})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def complete(world, client, who, course_id, member="partner_user", on=TODAY, partner=None):
    pid = partner or world.a_id
    return world.api(client, who, "POST", f"/partners/{pid}/completions",
                     json={"course_id": course_id, "membership_id": str(world.members[member].id),
                           "completed_on": on.isoformat()})


def test_courses_are_managed_by_vendor_admins_only(world, client):
    course(world, client)
    for who in ("channel_manager", "vendor_viewer", "partner_admin"):
        assert world.api(client, who, "POST", "/courses", json={"name": "X", "kind": "course"}).status_code == 403
    assert [c["name"] for c in world.api(client, "partner_user", "GET", "/courses").get_json()["items"]] == [
        "Product certification"]
    dup = world.api(client, "vendor_admin", "POST", "/courses", json={"name": "product CERTIFICATION", "kind": "course"})
    assert dup.status_code == 422 and "name" in dup.get_json()["error"]["fields"]


def test_who_records_completions(world, client):
    cid = course(world, client)
    assert complete(world, client, "partner_admin", cid).status_code == 201
    assert complete(world, client, "channel_manager", cid, member="partner_admin").status_code == 201
    assert complete(world, client, "vendor_admin", cid, on=TODAY - timedelta(days=3)).status_code == 201
    assert complete(world, client, "partner_user", cid).status_code == 403  # partner users read
    assert complete(world, client, "vendor_viewer", cid).status_code == 403
    assert complete(world, client, "b_admin", cid).status_code == 404  # another partner's staff
    # The same completion twice answers 409 and writes nothing.
    assert complete(world, client, "partner_admin", cid).status_code == 409
    assert count(world, Completion) == 3
    got = world.api(client, "partner_user", "GET", f"/partners/{world.a_id}/completions").get_json()
    assert got["certified"] == 2 and len(got["items"]) == 3
    assert got["items"][0]["expires_on"] == rules.expires_on(TODAY, 12).isoformat()
    # Partner B's staff see neither A's completions nor A's people.
    assert world.api(client, "b_user", "GET", f"/partners/{world.a_id}/completions").status_code == 404
    assert world.api(client, "b_admin", "GET", f"/partners/{world.b_id}/completions").get_json() == {
        "items": [], "next_cursor": None, "certified": 0}
    with tenant_scope(world.tenant_id):
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "completion.record")) == 3


def test_bad_completion_writes_nothing(world, client):
    cid = course(world, client)
    before = count(world, AuditEvent)
    cases = [
        ({"course_id": "nope"}, "course_id"),
        ({"membership_id": str(world.members["b_user"].id)}, "membership_id"),  # another partner's person
        ({"membership_id": str(world.members["channel_manager"].id)}, "membership_id"),
        ({"completed_on": (date.today() + timedelta(days=1)).isoformat()}, "completed_on"),  # as of now, not import
        ({"completed_on": "someday"}, "completed_on"),
    ]
    for change, field in cases:
        body = {"course_id": cid, "membership_id": str(world.members["partner_user"].id),
                "completed_on": TODAY.isoformat(), **change}
        r = world.api(client, "partner_admin", "POST", f"/partners/{world.a_id}/completions", json=body)
        assert r.status_code == 422 and field in r.get_json()["error"]["fields"], (change, r.get_json())
    assert count(world, Completion) == 0 and count(world, AuditEvent) == before
    bad = world.api(client, "vendor_admin", "POST", "/courses", json={"name": "C", "kind": "certification",
                                                                       "valid_months": 0})
    assert bad.status_code == 422 and "valid_months" in bad.get_json()["error"]["fields"]


def test_expiry_notice_goes_out_once(world, client, app):
    cid = course(world, client, months=12)
    # Completed just under a year ago: lapses within 60 days; another completed today does not.
    assert complete(world, client, "partner_admin", cid, on=TODAY - timedelta(days=330)).status_code == 201
    assert complete(world, client, "partner_admin", cid, member="partner_admin").status_code == 201
    assert complete(world, client, "b_admin", cid, member="b_user", partner=world.b_id).status_code == 201
    runner = app.test_cli_runner()
    first = runner.invoke(args=["enablement", "sweep", "--tenant", world.tenant.slug])
    assert first.exit_code == 0 and "1 expiry notices" in first.output, first.output
    again = runner.invoke(args=["enablement", "sweep", "--tenant", world.tenant.slug])
    assert "0 expiry notices" in again.output
    a_admin = world.members["partner_admin"].id
    assert count(world, Notification, Notification.kind == "certification_expiry") == 1
    assert count(world, Notification, Notification.membership_id == a_admin) == 1
    assert count(world, Notification, Notification.membership_id == world.members["b_admin"].id) == 0
    # Later, the second completion enters the window: one more notice, for it only.
    with tenant_scope(world.tenant_id):
        assert services.sweep(TODAY + timedelta(days=330)) == 2  # A's second and B's
        db.session.commit()
    assert count(world, Notification, Notification.membership_id == a_admin) == 2


def test_suggestion_is_shown_but_not_applied(world, client):
    cid = course(world, client)
    complete(world, client, "partner_admin", cid)
    complete(world, client, "partner_admin", cid, member="partner_admin")
    # An expired certification does not count.
    complete(world, client, "vendor_admin", cid, member="partner_admin", on=TODAY - timedelta(days=800))
    login(client, world.emails["vendor_admin"])
    path = f"/ipp/partners/{world.a_id}/assess"
    page = client.get(path).get_data(as_text=True)
    assert "Suggested: <strong>2</strong>" in page and 'name="accept" value="certified_consultants"' in page
    assert re.search(r'name="a-certified_consultants" value=""', page)
    # Accepting fills the form in; nothing is saved until the assessor saves.
    accepted = client.post(path, data={"csrf_token": csrf_from(page), "accept": "certified_consultants",
                                       "a-cs_headcount": "7"})
    html = accepted.get_data(as_text=True)
    assert accepted.status_code == 200
    assert 'name="a-certified_consultants" value="2"' in html and 'name="a-cs_headcount" value="7"' in html
    assert count(world, IppAssessment, IppAssessment.partner_id == world.a_id) == 0
    saved = client.post(path, data={"csrf_token": csrf_from(html), "action": "draft", "a-certified_consultants": "2"})
    assert saved.status_code == 302
    with tenant_scope(world.tenant_id):
        draft = db.session.scalar(select(IppAssessment).where(IppAssessment.partner_id == world.a_id))
        assert draft.answers.get("certified_consultants") in (2, "2")


def test_training_pages(world, client, app):
    login(client, world.emails["vendor_admin"])
    page = client.get("/enablement/courses")
    bad = client.post("/enablement/courses", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                                   "name": "", "kind": "course"})
    assert bad.status_code == 422 and "is required" in bad.get_data(as_text=True)
    ok = client.post("/enablement/courses", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                                  "name": "Admin certification", "kind": "certification",
                                                  "valid_months": "24"})
    assert ok.status_code == 302
    client = app.test_client()
    login(client, world.emails["partner_admin"])
    training = client.get(f"/enablement/partners/{world.a_id}/training")
    html = training.get_data(as_text=True)
    assert training.status_code == 200 and "Record a completion" in html
    cid = re.search(r'<option value="([0-9a-f-]{36})"[^>]*>Admin certification', html).group(1)
    bad = client.post(f"/enablement/partners/{world.a_id}/training",
                      data={"csrf_token": csrf_from(html), "course_id": cid, "membership_id": "x", "completed_on": "x"})
    assert bad.status_code == 422 and count(world, Completion) == 0
    ok = client.post(f"/enablement/partners/{world.a_id}/training",
                     data={"csrf_token": csrf_from(html), "course_id": cid,
                           "membership_id": str(world.members["partner_user"].id), "completed_on": TODAY.isoformat()})
    assert ok.status_code == 302 and count(world, Completion) == 1
    assert client.get(f"/enablement/partners/{world.b_id}/training").status_code == 404
    home = client.get("/home").get_data(as_text=True)
    assert "Certifications: 1 valid" in home

