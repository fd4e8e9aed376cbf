"""Real answers of accounts, sharing, IPP, tiers, term changes, communication plans, enhancements,
notifications and the rest of partners and health fit their response models, strictly (every field, none other).

Each call goes through `_check` (tests/contract/test_response_models.py): the live route answers, the
operation's documented model reads the body as sent. The demo tenant gives every resource real data;
where an answer has branches (a field present for one side only, a list absent at a level) both are called.
"""
from __future__ import annotations

import io
from datetime import datetime, timezone
from types import SimpleNamespace
from uuid import UUID

import pytest
from flask import current_app
from pydantic import ValidationError
from sqlalchemy import select

from app.accounts.schemas import ImportOut
from app.api.contract import checked
from app.api.openapi import build_document
from app.auth.models import Membership, User
from app.enhancements.schemas import TimelineOut
from app.extensions import db
from app.notifications.schemas import NoticeOut
from app.tenancy import tenant_scope, unscoped
from app.tenants.models import Tenant
from app.tiers.schemas import CloseAllOut
from tests.contract.live import ROLE_LOGINS, seed_with_tokens
from tests.contract.test_response_models import _bearer, _check

PACKAGES = ("accounts", "sharing", "ipp", "tiers", "termchanges", "commplan", "enhancements", "notifications",
            "health", "partners")


@pytest.fixture
def demo(app, client):
    tokens = seed_with_tokens()
    me = _check(client, "GET", "/me", tokens["partner_admin"], 200)
    with unscoped("the demo tenant's id"):
        tenant_id = db.session.scalar(select(Tenant.id).where(Tenant.slug == me["tenant"]["slug"]))
    return SimpleNamespace(client=client, partner_id=me["partner"]["id"], tenant_id=tenant_id, **tokens)


def test_partner_and_health_answers(demo):
    c, p = demo.client, demo.partner_id
    vendor_me = _check(c, "GET", "/me", demo.vendor_admin, 200)
    assert vendor_me["partner"] is None and vendor_me["role"] == "vendor_admin"
    assigned = _check(c, "GET", "/region-assignments", demo.vendor_admin, 200)
    csdm = assigned["items"][0]["membership_id"]
    changed = _check(c, "PUT", f"/memberships/{csdm}/regions", demo.vendor_admin, 200, json={"regions": ["apac", "na"]})
    assert changed["regions"] == ["apac", "na"]

    agreements = _check(c, "GET", f"/partners/{p}/agreements", demo.vendor_admin, 200)["items"]
    accepted = next(a for a in agreements if a["status"] == "accepted")
    key = accepted["metrics"][0]["key"]
    _check(c, "GET", f"/agreements/{accepted['id']}/measurements", demo.partner_admin, 200)
    recorded = _check(c, "PUT", f"/agreements/{accepted['id']}/measurements", demo.partner_admin, 200,
                      json={"values": {key: "61.5"}, "source": "survey"})
    line = next(m for m in recorded["items"] if m["key"] == key)
    assert line["value"] == 61.5 and line["side"] == "partner" and line["source"] == "survey"
    catalogue = _check(c, "GET", "/metrics", demo.partner_admin, 200)
    assert all("description" in m for m in catalogue["items"])
    made = _check(c, "POST", "/metrics", demo.vendor_admin, 201, json={
        "key": "joint_webinars", "name": "Joint webinars", "direction": "higher", "unit": "count",
        "target": 4, "floor": 0, "weight": 1})
    assert made["custom"] is True and "description" not in made  # the creation answer has no description


def test_account_and_sharing_answers(demo):
    c, p = demo.client, demo.partner_id
    vendor_page = _check(c, "GET", "/accounts?limit=5", demo.vendor_admin, 200)
    partner_page = _check(c, "GET", "/accounts?limit=5", demo.partner_admin, 200)
    shared = next(a for a in vendor_page["items"] if a["shared"])
    own = next(a for a in partner_page["items"] if not a["shared"])
    assert "arr" not in shared or shared["arr"] is None  # a field the level hides is absent (or the value unknown)
    _check(c, "GET", f"/accounts/{shared['id']}", demo.vendor_admin, 200)
    _check(c, "GET", f"/accounts/{own['id']}", demo.partner_admin, 200)
    insight = _check(c, "POST", f"/accounts/{own['id']}/insights", demo.partner_admin, 201, json={
        "kind": "engagement", "data": {"date": "2026-11-02", "type": "call", "who": "Dana"}})
    assert insight["occurred_on"] == "2026-11-02"
    _check(c, "GET", f"/accounts/{own['id']}/insights", demo.partner_admin, 200)

    csv = b"name,domain,employees\nTailspin Toys,tailspin-a.example,40\n"
    queued = _check(c, "POST", "/accounts/import", demo.vendor_admin, 202,
                    data={"file": (io.BytesIO(csv), "a.csv")}, content_type="multipart/form-data")
    assert queued["state"] == "queued" and queued["kind"] == "accounts.import"
    with_warning = b"name,domain,colour\nTailspin Toys,tailspin-b.example,red\n"
    at_once = c.post("/api/v1/accounts/import?wait=true", headers=_bearer(demo.vendor_admin),
                     data={"file": (io.BytesIO(with_warning), "b.csv")}, content_type="multipart/form-data")
    assert at_once.status_code == 201, at_once.get_json()
    assert at_once.get_json()["warnings"] == [{"row": 1, "field": "colour", "message": "unknown column, ignored"}]
    ImportOut.model_validate_json(at_once.get_data())  # the 201 of ?wait=true has its own model

    _check(c, "GET", f"/partners/{p}/sharing", demo.vendor_admin, 200)
    listed = _check(c, "GET", f"/partners/{p}/overlaps?limit=2", demo.vendor_admin, 200)
    assert listed["items"] and "your_account_id" in listed["items"][0]
    version = _check(c, "GET", f"/partners/{p}/sharing", demo.partner_admin, 200)["partner_to_vendor"]["version"]
    counts = _check(c, "PUT", f"/partners/{p}/sharing", demo.partner_admin, 200,
                    json={"direction": "partner_to_vendor", "level": "counts", "version": version})
    assert counts["partner_to_vendor"]["level"] == "counts"
    at_counts = _check(c, "GET", f"/partners/{p}/overlaps", demo.vendor_admin, 200)
    assert "items" not in at_counts and isinstance(at_counts["count"], int)  # counts: no list at all
    asked = _check(c, "POST", f"/partners/{p}/data-requests", demo.vendor_admin, 201,
                   json={"requested_level": "overlaps", "message": "For the QBR"})
    decided = _check(c, "POST", f"/data-requests/{asked['id']}/accept", demo.partner_admin, 200)
    assert decided["status"] == "accepted"
    _check(c, "PUT", f"/partners/{p}/sharing", demo.partner_admin, 200,
           json={"direction": "partner_to_vendor", "level": "none"})
    assert _check(c, "GET", f"/partners/{p}/overlaps", demo.vendor_admin, 200)["count"] is None


def test_ipp_and_tier_answers(demo):
    c, p = demo.client, demo.partner_id
    page = _check(c, "GET", "/profiles?limit=1", demo.vendor_admin, 200)
    _check(c, "GET", f"/profiles/{page['items'][0]['id']}", demo.vendor_admin, 200)
    profile = _check(c, "POST", "/profiles", demo.vendor_admin, 201, json={"name": "Contract profile", "criteria": [
        {"key": "committed", "question": "Committed?", "type": "boolean", "weight": 2, "knockout": True},
        {"key": "consultants", "question": "How many?", "type": "number", "weight": 1, "floor": 0, "target": 10},
        {"key": "focus", "question": "Focus?", "type": "choice", "weight": 1,
         "options": [{"value": "cs", "points": 1}, {"value": "sales", "points": "0.5"}]}]})
    shapes = [("floor" in k, "options" in k) for k in profile["criteria"]]
    assert shapes == [(False, False), (True, False), (False, True)]  # each type's own fields only
    made = _check(c, "POST", f"/partners/{p}/assessments", demo.vendor_admin, 201, json={
        "profile_id": profile["id"], "kind": "vendor", "answers": {"committed": True, "consultants": 4},
        "status": "draft"})
    assert made["status"] == "draft" and made["shared"] is True
    _check(c, "GET", f"/partners/{p}/assessments", demo.vendor_admin, 200)
    seen = _check(c, "GET", f"/partners/{p}/assessments", demo.partner_user, 200)["items"]
    assert seen  # band-only or full, each item fits the one model

    programme = _check(c, "GET", "/tier-program", demo.partner_admin, 200)
    _check(c, "PUT", "/tier-program", demo.vendor_admin, 200,
           json={"tiers": programme["tiers"], "version": programme["version"]})
    closed = _check(c, "GET", f"/partners/{p}/margins", demo.partner_admin, 200)["items"][0]["period"]
    # The demo signed Acme's last review, which locks its quarter: close and override another partner's.
    other = next(q for q in _check(c, "GET", "/partners?limit=200", demo.vendor_admin, 200)["items"]
                 if q["id"] != p and c.post(f"/api/v1/partners/{q['id']}/quarters/{closed}/close",
                                            headers=_bearer(demo.vendor_admin)).status_code == 200)["id"]
    _check(c, "GET", f"/partners/{other}/margins", demo.vendor_admin, 200)
    again = _check(c, "POST", f"/partners/{other}/quarters/{closed}/close", demo.vendor_admin, 200)
    assert again["override_reason"] is None and again["tier"] == again["assigned_tier"]
    override = _check(c, "POST", f"/partners/{other}/quarters/{closed}/override", demo.vendor_admin, 200,
                      json={"margin_pct": "21.5", "reason": "Funded two consultants this quarter."})
    assert override["effective_margin_pct"] == 21.5 and override["override_tier"] is None
    key = next(a for a in _check(c, "GET", f"/partners/{p}/agreements", demo.vendor_admin, 200)["items"]
               if a["status"] == "accepted")["metrics"][0]["key"]
    what_if = _check(c, "POST", f"/partners/{p}/what-if", demo.partner_admin, 200, json={"values": {key: 50}})
    assert what_if["saved"] is False
    queued = _check(c, "POST", f"/quarters/{closed}/close", demo.vendor_admin, 202)
    assert queued["kind"] == "tiers.close_all"
    at_once = c.post(f"/api/v1/quarters/{closed}/close?wait=true", headers=_bearer(demo.vendor_admin))
    assert at_once.status_code == 200, at_once.get_json()
    CloseAllOut.model_validate_json(at_once.get_data())  # the 200 of ?wait=true has its own model


def test_term_change_and_plan_answers(demo):
    c, p = demo.client, demo.partner_id
    _check(c, "GET", f"/partners/{p}/term-changes", demo.partner_admin, 200)
    # Acme's last quarter is locked (its review is signed): ask for what no quarter holds, a named contact.
    with tenant_scope(demo.tenant_id):  # the demo tenant's channel manager (RLS on PostgreSQL: in its scope)
        manager = db.session.scalar(select(Membership.id).join(User, User.id == Membership.user_id)
                                    .where(User.email == ROLE_LOGINS["channel_manager"]))
    asked = _check(c, "POST", f"/partners/{p}/term-changes", demo.partner_admin, 201, json={
        "kind": "named_contact", "channel_manager_id": str(manager), "reason": "Carlos knows our customers best."})
    assert asked["status"] == "pending" and asked["decided_at"] is None
    _check(c, "GET", f"/term-changes/{asked['id']}", demo.vendor_admin, 200)
    accepted = _check(c, "POST", f"/term-changes/{asked['id']}/accept", demo.vendor_admin, 200, json={})
    assert accepted["status"] == "accepted" and accepted["decided_at"]
    tier = _check(c, "POST", f"/partners/{p}/term-changes", demo.vendor_admin, 201, json={
        "kind": "tier_position", "tier": "Silver", "reason": "Strategic launch partner for the region."})
    _check(c, "POST", f"/term-changes/{tier['id']}/decline", demo.partner_admin, 200,
           json={"reason": "We would rather keep the tier we earned."})
    again = _check(c, "POST", f"/partners/{p}/term-changes", demo.vendor_admin, 201, json={
        "kind": "margin_exception", "margin_pct": "15", "reason": "A lower margin while the region ramps up."})
    countered = _check(c, "POST", f"/term-changes/{again['id']}/counter", demo.partner_admin, 201, json={
        "kind": "margin_exception", "margin_pct": "16", "reason": "Meet us halfway while the region ramps up."})
    assert countered["counter_of"] == again["id"]

    plan = _check(c, "GET", f"/partners/{p}/communication-plan", demo.partner_admin, 200)
    _check(c, "PUT", f"/partners/{p}/communication-plan", demo.partner_admin, 200,
           json={"channels": ["email", "chat"], "version": plan["version"]})
    with_contact = _check(c, "POST", f"/partners/{p}/communication-plan/contacts", demo.partner_admin, 201,
                          json={"role": "billing", "name": "Bo Billing", "email": "bo@acme-consulting.example"})
    contact = next(x for x in with_contact["contacts"] if x["name"] == "Bo Billing")
    _check(c, "DELETE", f"/communication-plan/contacts/{contact['id']}", demo.partner_admin, 200)
    with_meeting = _check(c, "POST", f"/partners/{p}/communication-plan/meetings", demo.vendor_admin, 201,
                          json={"kind": "other", "cadence": "yearly", "next_date": "2027-03-01", "note": "Offsite"})
    meeting = next(m for m in with_meeting["meetings"] if m["note"] == "Offsite")
    assert meeting["next_date"] == "2027-03-01"  # a date goes out as ISO 8601, like every other
    _check(c, "DELETE", f"/communication-plan/meetings/{meeting['id']}", demo.vendor_admin, 200)
    reviewed = _check(c, "POST", f"/partners/{p}/communication-plan/review", demo.vendor_admin, 200)
    assert reviewed["reviewed_at"] and reviewed["review_overdue"] is False


def test_enhancement_and_notification_answers(demo, make):
    c = demo.client
    vendor_list = _check(c, "GET", "/enhancements?limit=2", demo.vendor_admin, 200)
    assert "yours" not in vendor_list["items"][0]  # partner-side fields are absent for vendor staff
    partner_list = _check(c, "GET", "/enhancements", demo.partner_admin, 200)
    _check(c, "GET", "/enhancements?q=sign", demo.partner_admin, 200)
    _check(c, "GET", "/enhancements/ranking", demo.vendor_admin, 200)
    filed = _check(c, "POST", "/enhancements", demo.partner_admin, 201, json={
        "title": "Bulk edit of renewal dates", "problem": "Renewals move in batches.",
        "outcome": "One edit for a batch.", "urgency": "medium"})
    assert filed["yours"] == "filed" and "filed_by" not in filed
    vendor_view = _check(c, "GET", f"/enhancements/{filed['id']}", demo.vendor_admin, 200)
    assert vendor_view["filed_by"]["partner_id"] == demo.partner_id and "yours" not in vendor_view
    _check(c, "POST", f"/enhancements/{filed['id']}/use-cases", demo.partner_admin, 201,
           json={"given": "forty renewals", "when": "the quarter moves", "then": "one edit moves them"})
    _check(c, "POST", f"/enhancements/{filed['id']}/use-cases", demo.vendor_admin, 201, json={"text": "Also for us."})
    _check(c, "POST", f"/enhancements/{filed['id']}/status", demo.vendor_admin, 200,
           json={"status": "under_review", "version": vendor_view["version"]})
    detail = _check(c, "GET", f"/enhancements/{filed['id']}", demo.partner_admin, 200)
    assert detail["timeline"] and detail["your_support"]["accounts"] == []
    # Another partner of the programme supports Acme's request; the vendor then sees both supporters.
    other = next(q for q in _check(c, "GET", "/partners?limit=200", demo.vendor_admin, 200)["items"]
                 if q["id"] != demo.partner_id)
    other_admin = make.token(make.member(SimpleNamespace(id=demo.tenant_id, slug="demo"), "partner_admin",
                                         partner=SimpleNamespace(id=UUID(other["id"]))))
    supported = _check(c, "POST", f"/enhancements/{filed['id']}/support", other_admin, 201,
                       json={"affected_count": 3, "note": "Three customers ask for it."})
    assert supported["yours"] == "supported" and supported["supporters"] == 2
    assert len(_check(c, "GET", f"/enhancements/{filed['id']}", demo.vendor_admin, 200)["supporters_detail"]) == 2
    assert partner_list["items"]

    notices = _check(c, "GET", "/notifications", demo.partner_admin, 200)
    read = _check(c, "POST", f"/notifications/{notices['items'][0]['id']}/read", demo.partner_admin, 200)
    assert read["read_at"]
    _check(c, "GET", "/notifications?unread=true", demo.partner_admin, 200)


def test_no_dict_answers_remain_in_these_packages(app):
    """Every operation of these packages documents its answer with a model (none with a hand-kept dict)."""
    dict_answers = []
    for rule in current_app.url_map.iter_rules():
        view = current_app.view_functions[rule.endpoint]
        if not rule.rule.startswith("/api/v1/") or view.__module__.split(".")[1] not in PACKAGES:
            continue
        if getattr(view, "openapi", {}).get("response_model") is None:
            dict_answers.append(rule.rule)
    assert dict_answers == []
    with app.test_request_context():
        doc = build_document()
    assert doc["paths"]["/accounts/import"]["post"]["responses"]["202"]["content"]["application/json"][
        "schema"]["properties"]["state"]["enum"][0] == "queued"


def test_an_answer_that_drifts_from_its_model_fails_before_it_is_sent(app):
    """`checked` reads the answer as it goes on the wire: a field too many, one missing or a date in
    another form than the model says is an error in the view, not a surprise for a client."""
    notice = {"id": "7f311c20-34bc-4b99-9843-b1726c993493", "kind": "general", "subject": "S", "body": "",
              "link": None, "created_at": "2026-12-04T18:42:39.144887+00:00", "read_at": None}
    assert checked(NoticeOut, notice) is notice
    for drifted in ({**notice, "extra": 1}, {k: v for k, v in notice.items() if k != "link"},
                    {**notice, "created_at": "Fri, 04 Dec 2026 18:42:39 GMT"}, {**notice, "id": "7"}):
        with pytest.raises(ValidationError):
            checked(NoticeOut, drifted)
    # A datetime handed to the app's JSON goes out as ISO 8601 (a naive one as UTC), never an HTTP date.
    when = datetime(2026, 12, 4, 18, 42, 39, tzinfo=timezone.utc)
    assert checked(TimelineOut, {"at": when, "from_status": None, "to_status": "new", "to_label": "New",
                                 "note": "", "side": "partner"})["at"] is when
    assert app.json.dumps({"at": when.replace(tzinfo=None)}) == '{"at": "2026-12-04T18:42:39+00:00"}'
    with pytest.raises(ValidationError):
        checked(TimelineOut, {"at": "Fri, 04 Dec 2026 18:42:39 GMT", "from_status": None, "to_status": "new",
                              "to_label": "New", "note": "", "side": "partner"})
