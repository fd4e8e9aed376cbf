"""Enhancement requests: field-by-field visibility per role and side, bad input, notifications,
ranking, the review section and the whole flow as a new user would try it."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from tests.support.accounts_world import build, set_level  # noqa: I001  (imports app.auth first)
from app.audit.models import AuditEvent
from app.enhancements.models import EnhancementAccount, EnhancementRequest, EnhancementSupport, UseCase
from app.extensions import db
from app.notifications.models import Notification
from app.partners.models import Partner
from app.sharing.models import PARTNER_TO_VENDOR
from app.tenancy import tenant_scope
from tests.conftest import csrf_from, login, outbox_messages

VENDOR_ROLES = ("vendor_admin", "channel_manager", "vendor_viewer")
A_ROLES = ("partner_admin", "partner_user")
B_ROLES = ("b_admin", "b_user")


@pytest.fixture
def world(app, make):
    w = build(make)
    w.c = make.partner(w.tenant, "Gamma Partner")
    w.members["c_admin"] = make.member(w.tenant, "partner_admin", w.c, email="c-admin@gamma.example")
    w.emails["c_admin"] = "c-admin@gamma.example"
    w.tokens["c_admin"] = make.token(w.members["c_admin"])
    return w


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _file(world, client, who="partner_user", **extra):
    body = {"title": "Single sign-on for customer admins", "problem": "Admins juggle passwords.",
            "outcome": "Renewals close after shorter security reviews.", "urgency": "high", **extra}
    response = world.api(client, who, "POST", "/enhancements", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_each_role_sees_exactly_its_fields_of_requests_supporters_and_accounts(client, world):
    set_level(world, world.a_id, PARTNER_TO_VENDOR, "full")  # A shows the vendor everything, ARR included
    a_accounts = [world.ids[("a", "shared.example")], world.ids[("a", "aonly.example")]]
    req = _file(world, client, account_ids=a_accounts)
    assert world.api(client, "b_admin", "POST", f"/enhancements/{req['id']}/support",
                     json={"account_ids": [world.ids[("b", "bonly.example")]], "affected_count": 3,
                           "note": "Beta's renewal depends on it"}).status_code == 201
    a_secrets = ["Alpha Partner", "Shared A", "A Only", world.emails["partner_user"]]
    b_secrets = ["Beta Partner", "B Only", "Beta's renewal", world.emails["b_admin"]]

    for role in VENDOR_ROLES:
        body = world.api(client, role, "GET", f"/enhancements/{req['id']}").get_json()
        assert body["supporters"] == 2
        assert body["filed_by"] == {"partner_id": str(world.a_id), "partner": "Alpha Partner",
                                    "person": world.emails["partner_user"]}
        detail = {s["partner"]: s for s in body["supporters_detail"]}
        assert set(detail) == {"Alpha Partner", "Beta Partner"}
        assert {a["name"] for a in detail["Alpha Partner"]["accounts_visible"]} == {"Shared A", "A Only"}
        assert all("arr" in a for a in detail["Alpha Partner"]["accounts_visible"])
        # B shares only counts: the vendor learns one account is attached, not which.
        assert detail["Beta Partner"]["accounts_attached"] == 1 and detail["Beta Partner"]["accounts_visible"] == []
        assert detail["Beta Partner"]["note"] == "Beta's renewal depends on it"
        assert body["affected_arr"] == 2003  # Shared A 2000 + A Only 3; B's ARR is not shared
        assert "yours" not in body and "your_support" not in body

    for role in A_ROLES:
        response = world.api(client, role, "GET", f"/enhancements/{req['id']}")
        body = response.get_json()
        assert body["yours"] == "filed" and body["supporters"] == 2
        assert {a["name"] for a in body["your_support"]["accounts"]} == {"Shared A", "A Only"}
        assert "filed_by" not in body and "supporters_detail" not in body and "affected_arr" not in body
        assert not [s for s in b_secrets if s in response.get_data(as_text=True)], role

    for role in B_ROLES:
        response = world.api(client, role, "GET", f"/enhancements/{req['id']}")
        body = response.get_json()
        assert body["yours"] == "supported" and body["supporters"] == 2
        assert [a["name"] for a in body["your_support"]["accounts"]] == ["B Only"]
        assert body["your_support"]["affected_count"] == 3
        assert "filed_by" not in body and "supporters_detail" not in body
        assert not [s for s in a_secrets if s in response.get_data(as_text=True)], role

    response = world.api(client, "c_admin", "GET", f"/enhancements/{req['id']}")
    body = response.get_json()
    assert body["yours"] is None and body["may_support"] is True and "your_support" not in body
    assert body["title"] == "Single sign-on for customer admins" and body["supporters"] == 2
    assert not [s for s in a_secrets + b_secrets if s in response.get_data(as_text=True)]

    # Pages say the same: the supporting partner's page names nobody else; the vendor's names both.
    login(client, world.emails["b_admin"])
    page = client.get(f"/enhancements/{req['id']}").get_data(as_text=True)
    assert "2 supporting partners" in page and not [s for s in a_secrets if s in page]
    vendor = client.application.test_client()
    login(vendor, world.emails["vendor_admin"])
    page = vendor.get(f"/enhancements/{req['id']}").get_data(as_text=True)
    assert "Alpha Partner" in page and "Beta Partner" in page and "Shared A" in page


def test_text_search_finds_other_partners_requests_without_naming_them(client, world):
    req = _file(world, client)
    other = world.api(client, "b_user", "GET", "/enhancements?q=customer%20sign-on").get_json()
    assert [i["id"] for i in other["items"]] == [req["id"]]
    assert other["items"][0]["supporters"] == 1 and "filed_by" not in other["items"][0]
    assert world.api(client, "b_user", "GET", "/enhancements?q=invoices").get_json()["items"] == []
    # Wildcards in the query are text, not patterns.
    assert world.api(client, "b_user", "GET", "/enhancements?q=%25%25%25").get_json()["items"] == []
    login(client, world.emails["b_user"])
    page = client.get("/enhancements/?q=sign-on").get_data(as_text=True)
    assert "Single sign-on for customer admins" in page and "Alpha Partner" not in page


def test_bad_input_answers_field_errors_and_writes_nothing(client, world):
    with tenant_scope(world.tenant_id):
        before_events = _count(AuditEvent)
    assert before_events > 0
    cases = [({"title": "", "problem": "p", "outcome": "o", "urgency": "low"}, "title"),
             ({"title": "x" * 201, "problem": "p", "outcome": "o", "urgency": "low"}, "title"),
             ({"title": "t", "problem": "p" * 4001, "outcome": "o", "urgency": "low"}, "problem"),
             ({"title": "t", "problem": "p", "outcome": "  ", "urgency": "low"}, "outcome"),
             ({"title": "t", "problem": "p", "outcome": "o", "urgency": "yesterday"}, "urgency"),
             ({"title": "t", "problem": "p", "outcome": "o", "urgency": "low", "affected_count": -1}, "affected_count"),
             ({"title": "t", "problem": "p", "outcome": "o", "urgency": "low",
               "account_ids": [world.ids[("b", "bonly.example")]]}, "account_ids"),
             ({"title": "t", "problem": "p", "outcome": "o", "urgency": "low",
               "account_ids": [world.ids[("v", "shared.example")]]}, "account_ids"),
             ({"title": "t", "problem": "p", "outcome": "o", "urgency": "low", "account_ids": ["nope"]}, "account_ids")]
    for body, field in cases:
        response = world.api(client, "partner_admin", "POST", "/enhancements", json=body)
        assert response.status_code == 422, body
        assert field in response.get_json()["error"]["fields"], (body, response.get_json())
    with tenant_scope(world.tenant_id):
        assert _count(EnhancementRequest) == 0 and _count(EnhancementAccount) == 0
        assert _count(AuditEvent) == before_events

    req = _file(world, client)
    again = world.api(client, "partner_admin", "POST", f"/enhancements/{req['id']}/support", json={})
    assert again.status_code == 422 and "request" in again.get_json()["error"]["fields"]  # A filed it already
    assert world.api(client, "b_admin", "POST", f"/enhancements/{req['id']}/support", json={}).status_code == 201
    twice = world.api(client, "b_user", "POST", f"/enhancements/{req['id']}/support", json={})
    assert twice.status_code == 422 and "request" in twice.get_json()["error"]["fields"]
    foreign = world.api(client, "b_user", "POST", f"/enhancements/{req['id']}/support",
                        json={"account_ids": [world.ids[("a", "aonly.example")]]})
    assert foreign.status_code == 422 and "account_ids" in foreign.get_json()["error"]["fields"]
    for body, field in (({"status": "someday"}, "status"), ({"status": "planned"}, "target_quarter"),
                        ({"status": "planned", "target_quarter": "2027-Q5"}, "target_quarter"),
                        ({"status": "shipped", "release_note": ""}, "release_note"),
                        ({"status": "declined"}, "reason"), ({"status": "new"}, "status")):
        response = world.api(client, "channel_manager", "POST", f"/enhancements/{req['id']}/status", json=body)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"], body
    for body, field in (({}, "text"), ({"given": "g", "when": "w"}, "then"),
                        ({"given": "g", "when": "w", "then": "t", "text": "x"}, "text"), ({"text": "x" * 4001}, "text")):
        response = world.api(client, "partner_user", "POST", f"/enhancements/{req['id']}/use-cases", json=body)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"], body
    with tenant_scope(world.tenant_id):
        assert _count(EnhancementSupport) == 2 and _count(UseCase) == 0
        assert db.session.scalar(select(EnhancementRequest.status)) == "new"
        assert _count(Notification) == 0

    # The HTML form re-renders with the field error and 422.
    login(client, world.emails["partner_admin"])
    page = client.get("/enhancements/new")
    response = client.post("/enhancements/new", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                                      "title": "", "problem": "p", "outcome": "o", "urgency": "low",
                                                      "account_ids": [world.ids[("b", "bonly.example")]]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "is required" in html and "choose only your own accounts" in html


def test_text_is_escaped_on_every_page(client, world):
    req = _file(world, client, title="<script>alert(1)</script>", problem="<b>bold</b>")
    for who in ("partner_admin", "vendor_admin", "b_admin"):
        c = client.application.test_client()
        login(c, world.emails[who])
        for path in (f"/enhancements/{req['id']}", "/enhancements/?q=script"):
            html = c.get(path).get_data(as_text=True)
            assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path


def test_a_status_change_notifies_exactly_the_requesters_and_supporters(client, world, app):
    req = _file(world, client, who="partner_user")
    world.api(client, "b_admin", "POST", f"/enhancements/{req['id']}/support", json={})
    _file(world, client, who="c_admin", title="Another request")  # C is not involved in the first one
    mail_before = len(outbox_messages(app))
    response = world.api(client, "channel_manager", "POST", f"/enhancements/{req['id']}/status",
                         json={"status": "planned", "target_quarter": "2027-Q1", "note": "In the Q1 train"})
    assert response.status_code == 200 and response.get_json()["target_quarter"] == "2027-Q1"
    with tenant_scope(world.tenant_id):
        notices = list(db.session.scalars(select(Notification)))
    assert {n.membership_id for n in notices} == {world.members["partner_user"].id, world.members["b_admin"].id}
    assert all("planned for 2027-Q1" in n.subject and n.link == f"/enhancements/{req['id']}" for n in notices)
    mails = outbox_messages(app)[mail_before:]
    assert sorted(m["to"] for m in mails) == sorted([world.emails["partner_user"], world.emails["b_admin"]])
    assert all("In the Q1 train" in m["body"] for m in mails)
    timeline = world.api(client, "b_user", "GET", f"/enhancements/{req['id']}").get_json()["timeline"]
    assert [(e["from_status"], e["to_status"]) for e in timeline] == [(None, "new"), ("new", "planned")]
    with tenant_scope(world.tenant_id):
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "enhancement.status")) == 1


def test_vendor_ranking_by_supporters_then_visible_arr_then_age(client, world):
    old = _file(world, client, title="Oldest single-supporter request")
    rich = _file(world, client, title="Request on a big account", account_ids=[world.ids[("a", "shared.example")]])
    popular = _file(world, client, who="b_admin", title="Popular request")
    world.api(client, "partner_user", "POST", f"/enhancements/{popular['id']}/support", json={})

    def order():
        body = world.api(client, "vendor_viewer", "GET", "/enhancements/ranking").get_json()
        return [(i["id"], i["supporters"], i["affected_arr"]) for i in body["items"]]

    # A shares only counts with the vendor: its ARR does not count, so age decides between the singles.
    assert order() == [(popular["id"], 2, 0), (old["id"], 1, 0), (rich["id"], 1, 0)]
    set_level(world, world.a_id, PARTNER_TO_VENDOR, "full")
    assert order() == [(popular["id"], 2, 0), (rich["id"], 1, 2000), (old["id"], 1, 0)]
    set_level(world, world.a_id, PARTNER_TO_VENDOR, "fields", ["industry"])  # listed, but ARR is not a field
    assert order()[1] == (old["id"], 1, 0)
    world.api(client, "vendor_admin", "POST", f"/enhancements/{popular['id']}/status",
              json={"status": "declined", "reason": "Out of scope for the product."})
    assert [i for i, _, _ in order()] == [old["id"], rich["id"]]
    assert world.api(client, "partner_admin", "GET", "/enhancements/ranking").status_code == 403


def test_review_section_holds_what_was_asked_and_what_happened(client, world, app):
    from flask import render_template

    from app.enhancements.review import build
    from app.termchanges.services import current_period

    req = _file(world, client, title="Renewal <export>")
    world.api(client, "b_admin", "POST", f"/enhancements/{req['id']}/support", json={})
    world.api(client, "channel_manager", "POST", f"/enhancements/{req['id']}/status", json={"status": "needs_use_cases"})
    world.api(client, "partner_user", "POST", f"/enhancements/{req['id']}/use-cases",
              json={"given": "a renewal due", "when": "the quarter starts", "then": "it is in the export"})
    world.api(client, "vendor_admin", "POST", f"/enhancements/{req['id']}/use-cases", json={"text": "CSV, UTF-8"})
    world.api(client, "channel_manager", "POST", f"/enhancements/{req['id']}/status",
              json={"status": "planned", "target_quarter": "2027-Q1"})
    period = current_period()
    with tenant_scope(world.tenant_id):
        a, b, c = (db.session.get(Partner, (world.tenant_id, pid)) for pid in (world.a_id, world.b_id, world.c.id))
        data = build(a, period, "partner")
        assert build(b, period, "vendor")["items"][0]["asked_as"] == "supported"
        assert build(c, period, "partner") is None
        assert build(a, "2020-Q1", "partner") is None  # filed later than that quarter
    item = data["items"][0]
    assert item["title"] == "Renewal <export>" and item["status"] == "planned" and item["target_quarter"] == "2027-Q1"
    assert item["asked_as"] == "filed" and item["supporting_partners"] == 2
    assert [u["side"] for u in item["use_cases"]] == ["partner", "vendor"]
    assert [ch["status"] for ch in item["changes"]] == ["new", "needs_use_cases", "planned"]
    assert "Beta Partner" not in str(data)
    import json
    frozen = json.loads(json.dumps(data))  # JSON-able, and renders from the frozen copy alone
    with app.test_request_context():
        html = render_template("enhancements/review_section.html", data=frozen)
    assert "What we asked for, what happened" in html and "Renewal &lt;export&gt;" in html
    assert "Planned (2027-Q1)" in html and "Given a renewal due" in html and "CSV, UTF-8" in html


def test_a_new_user_files_a_request_and_both_partners_follow_it_to_planned(client, world, app):
    """The issue's walk-through, through the pages only."""
    a = client
    login(a, world.emails["partner_admin"])
    form = a.get("/enhancements/new").get_data(as_text=True)
    assert "Shared A" in form and "B Only" not in form  # only its own accounts are offered
    response = a.post("/enhancements/new", data={
        "csrf_token": csrf_from(form), "title": "Quarterly renewal export", "problem": "We rebuild it by hand.",
        "outcome": "Renewal calls start a month earlier.", "urgency": "medium",
        "account_ids": [world.ids[("a", "shared.example")]]})
    assert response.status_code == 302
    path = response.headers["Location"]
    request_id = path.rstrip("/").rsplit("/", 1)[1]

    b = app.test_client()
    login(b, world.emails["b_admin"])
    found = b.get("/enhancements/?q=renewal%20export").get_data(as_text=True)
    assert "Quarterly renewal export" in found and "Alpha Partner" not in found
    page = b.get(path).get_data(as_text=True)
    assert b.post(f"{path}/support", data={"csrf_token": csrf_from(page), "affected_count": "4"}).status_code == 302

    v = app.test_client()
    login(v, world.emails["channel_manager"])
    page = v.get(path).get_data(as_text=True)
    assert "Alpha Partner" in page and "Beta Partner" in page
    version = 1
    assert v.post(f"{path}/status", data={"csrf_token": csrf_from(page), "status": "needs_use_cases",
                                          "version": str(version)}).status_code == 302
    assert a.post(f"{path}/use-cases", data={"csrf_token": csrf_from(a.get(path).get_data(as_text=True)),
                                             "given": "a renewal next quarter", "when": "the quarter opens",
                                             "then": "it is in the export"}).status_code == 302
    page = v.get(path).get_data(as_text=True)
    assert v.post(f"{path}/use-cases", data={"csrf_token": csrf_from(page),
                                             "text": "Columns: account, renewal date, ARR."}).status_code == 302
    bad = v.post(f"{path}/status", data={"csrf_token": csrf_from(page), "status": "planned", "target_quarter": "soon"})
    assert bad.status_code == 422 and "invalid period" in bad.get_data(as_text=True)
    with tenant_scope(world.tenant_id):
        version = db.session.get(EnhancementRequest, (world.tenant_id, uuid.UUID(request_id))).version
    assert v.post(f"{path}/status", data={"csrf_token": csrf_from(page), "status": "planned",
                                          "target_quarter": "2027-Q1", "version": str(version)}).status_code == 302
    for c, who in ((a, "partner_admin"), (b, "b_admin")):
        notices = c.get("/notifications/").get_data(as_text=True)
        assert "planned for 2027-Q1" in notices and "needs use cases" in notices, who
        detail = c.get(path).get_data(as_text=True)
        assert "Planned" in detail and "Columns: account, renewal date, ARR." in detail
        assert "Given</strong> a renewal next quarter" in detail
    from app.enhancements.review import build
    from app.termchanges.services import current_period
    with tenant_scope(world.tenant_id):
        items = build(db.session.get(Partner, (world.tenant_id, world.b_id)), current_period(), "partner")["items"]
    assert [(i["title"], i["status"], len(i["use_cases"])) for i in items] == [("Quarterly renewal export", "planned", 2)]
