"""Editing and retiring courses (vendor admins), in the API and the page: rename, describe, change the
validity, retire (no new completions, history kept, shown as retired); bad input and stale versions
write nothing; every change is audited."""
from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.support.accounts_world import build  # noqa: I001  (imports app.auth first)
from app.audit.models import AuditEvent
from app.enablement import rules
from app.enablement.models import Completion, Course
from app.extensions import db
from app.tenancy import tenant_scope
from tests.conftest import csrf_from, login

TODAY = date.today()


def _course(world, client, name="Product certification", months=12, **extra) -> dict:
    r = world.api(client, "vendor_admin", "POST", "/courses",
                  json={"name": name, "kind": "certification", "valid_months": months, **extra})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _complete(world, client, course_id, on=TODAY, member="partner_user"):
    return world.api(client, "partner_admin", "POST", f"/partners/{world.a_id}/completions",
                     json={"course_id": course_id, "membership_id": str(world.members[member].id),
                           "completed_on": on.isoformat()})


def _audits(world, *actions) -> list:
    with tenant_scope(world.tenant_id):
        return sorted(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.in_(actions))))


def _stored(world, course_id) -> dict:
    with tenant_scope(world.tenant_id):
        c = db.session.scalar(select(Course).where(Course.id == uuid.UUID(str(course_id))))
        db.session.refresh(c)
        return {"name": c.name, "description": c.description, "valid_months": c.valid_months, "active": c.active,
                "version": c.version}


def test_a_vendor_admin_renames_describes_and_changes_validity_with_the_version(world, client):
    c = _course(world, client, description="The basics")
    assert (c["description"], c["version"], c["retired"]) == ("The basics", 1, False)
    old = _complete(world, client, c["id"], on=TODAY - timedelta(days=10)).get_json()
    r = world.api(client, "vendor_admin", "PATCH", f"/courses/{c['id']}",
                  json={"version": 1, "name": "Product certification II", "description": "  Advanced  ",
                        "valid_months": 24})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["name"], body["description"], body["valid_months"], body["version"]) == (
        "Product certification II", "Advanced", 24, 2)
    assert world.api(client, "partner_user", "GET", f"/courses/{c['id']}").get_json() == body
    # the recorded completion keeps its expiry; a new one takes the new validity
    new = _complete(world, client, c["id"]).get_json()
    assert old["expires_on"] == rules.expires_on(TODAY - timedelta(days=10), 12).isoformat()
    assert new["expires_on"] == rules.expires_on(TODAY, 24).isoformat()
    # null validity: completions recorded from now on never lapse; fields left out stay
    r = world.api(client, "vendor_admin", "PATCH", f"/courses/{c['id']}", json={"version": 2, "valid_months": None})
    assert r.status_code == 200 and r.get_json()["valid_months"] is None and r.get_json()["name"].endswith("II")
    # the same values again change nothing and record nothing
    same = world.api(client, "vendor_admin", "PATCH", f"/courses/{c['id']}", json={"version": 3, "valid_months": None})
    assert same.status_code == 200 and same.get_json()["version"] == 3
    assert _audits(world, "course.update") == ["course.update", "course.update"]
    with tenant_scope(world.tenant_id):
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "course.update")))
        assert {(e.before["name"], e.after["name"], e.before["valid_months"], e.after["valid_months"]) for e in events} == {
            ("Product certification", "Product certification II", 12, 24),
            ("Product certification II", "Product certification II", 24, None)}


def test_only_vendor_admins_change_a_course_and_another_tenants_answers_404(world, client, make):
    c = _course(world, client)
    for who in ("channel_manager", "vendor_viewer", "partner_admin", "partner_user"):
        r = world.api(client, who, "PATCH", f"/courses/{c['id']}", json={"version": 1, "name": "Mine"})
        assert r.status_code == 403, who
    other = build(make, with_accounts=False)
    assert other.api(client, "vendor_admin", "PATCH", f"/courses/{c['id']}",
                     json={"version": 1, "name": "Mine"}).status_code == 404
    assert other.api(client, "vendor_admin", "GET", f"/courses/{c['id']}").status_code == 404
    assert _stored(world, c["id"])["name"] == "Product certification"


BAD = [
    ({"name": " "}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"name": "OTHER course"}, "name"),  # another course's name, in any case
    ({"description": "x" * 2001}, "description"),
    ({"valid_months": 0}, "valid_months"),
    ({"valid_months": 121}, "valid_months"),
    ({"valid_months": "12"}, "valid_months"),
    ({"retired": "yes"}, "retired"),
    ({"kind": "course"}, "kind"),  # the kind is set once
    ({}, "version"),
]


@pytest.mark.parametrize("change, field", BAD, ids=[f for _, f in BAD])
def test_bad_changes_answer_422_with_the_field_and_write_nothing(world, client, change, field):
    _course(world, client, name="Other course")
    c = _course(world, client)
    before = _stored(world, c["id"])
    body = {"version": 1, **change} if field != "version" else {"name": "New"}
    r = world.api(client, "vendor_admin", "PATCH", f"/courses/{c['id']}", json=body)
    assert r.status_code == 422 and field in r.get_json()["error"]["fields"], r.get_json()
    assert _stored(world, c["id"]) == before and _audits(world, "course.update", "course.retire") == []


def test_a_stale_version_answers_409_and_writes_nothing(world, client):
    c = _course(world, client)
    assert world.api(client, "vendor_admin", "PATCH", f"/courses/{c['id']}",
                     json={"version": 1, "name": "First"}).status_code == 200
    r = world.api(client, "vendor_admin", "PATCH", f"/courses/{c['id']}", json={"version": 1, "name": "Second"})
    assert r.status_code == 409
    assert _stored(world, c["id"])["name"] == "First"


def test_a_retired_course_takes_no_new_completions_keeps_its_history_and_shows_as_retired(world, client, app):
    c = _course(world, client)
    assert _complete(world, client, c["id"]).status_code == 201
    r = world.api(client, "vendor_admin", "PATCH", f"/courses/{c['id']}", json={"version": 1, "retired": True})
    assert r.status_code == 200 and (r.get_json()["retired"], r.get_json()["active"]) == (True, False)
    assert _audits(world, "course.retire") == ["course.retire"]
    refused = _complete(world, client, c["id"], member="partner_admin")
    assert refused.status_code == 422 and "retired" in refused.get_json()["error"]["fields"]["course_id"]
    with tenant_scope(world.tenant_id):
        assert db.session.scalar(select(func.count()).select_from(Completion)) == 1
    history = world.api(client, "partner_user", "GET", f"/partners/{world.a_id}/completions").get_json()
    assert len(history["items"]) == 1 and history["certified"] == 1  # a valid certification still counts
    listed = world.api(client, "partner_user", "GET", "/courses").get_json()["items"]
    assert [(i["name"], i["retired"]) for i in listed] == [("Product certification", True)]
    partner = app.test_client()
    login(partner, world.emails["partner_admin"])
    training = partner.get(f"/enablement/partners/{world.a_id}/training").get_data(as_text=True)
    assert "Product certification (retired)" in training  # the history row
    assert f'<option value="{c["id"]}"' not in training  # not offered for new completions
    assert "Retired" in partner.get("/enablement/courses").get_data(as_text=True)
    # reinstated, it takes completions again
    r = world.api(client, "vendor_admin", "PATCH", f"/courses/{c['id']}", json={"version": 2, "retired": False})
    assert r.status_code == 200 and _audits(world, "course.reinstate") == ["course.reinstate"]
    assert _complete(world, client, c["id"], member="partner_admin").status_code == 201


def _edit_form(html: str, **changes) -> dict:
    data = {"csrf_token": csrf_from(html),
            "version": re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1),
            "name": re.search(r'name="name"[^>]*value="([^"]*)"', html).group(1),
            "description": re.search(r'<textarea[^>]*name="description"[^>]*>\s*([^<]*)</textarea>', html).group(1),
            "valid_months": re.search(r'name="valid_months"[^>]*value="([^"]*)"', html).group(1)}
    if re.search(r'<input[^>]*checked[^>]*name="retired"|<input[^>]*name="retired"[^>]*checked', html):
        data["retired"] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_edit_page_saves_re_renders_bad_input_and_refuses_a_stale_form(world, client, app):
    c = _course(world, client, description="Basics")
    admin = app.test_client()
    login(admin, world.emails["vendor_admin"])
    courses = admin.get("/enablement/courses").get_data(as_text=True)
    path = f"/enablement/courses/{c['id']}/edit"
    assert f'href="{path}"' in courses
    page = admin.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    form = _edit_form(html)
    assert (form["name"], form["description"], form["valid_months"]) == ("Product certification", "Basics", "12")
    bad = admin.post(path, data={**form, "name": "  ", "valid_months": "forever"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert 'id="name-error"' in text and "is required" in text and 'id="valid_months-error"' in text
    assert _stored(world, c["id"])["version"] == 1
    ok = admin.post(path, data={**form, "name": "Renamed", "valid_months": "6", "retired": "y"})
    assert ok.status_code == 302
    assert _stored(world, c["id"]) == {"name": "Renamed", "description": "Basics", "valid_months": 6, "active": False,
                                       "version": 2}
    assert _audits(world, "course.update") == ["course.update"]  # several fields: one update event
    stale = admin.post(path, data={**form, "name": "Late"})  # the version read before the save
    assert stale.status_code == 409 and "Someone else changed" in stale.get_data(as_text=True)
    assert _edit_form(stale.get_data(as_text=True))["name"] == "Renamed"
    assert _stored(world, c["id"])["name"] == "Renamed"
    no_token = {k: v for k, v in _edit_form(admin.get(path).get_data(as_text=True), name="X").items() if k != "csrf_token"}
    assert admin.post(path, data=no_token).status_code == 400
    for who in ("channel_manager", "partner_admin"):
        other = app.test_client()
        login(other, world.emails[who])
        assert other.get(path).status_code == 403
        assert f'href="{path}"' not in other.get("/enablement/courses").get_data(as_text=True)
