"""Answers of opportunities, enablement, onboarding, reviews, jobs and audit validate strictly against the
response models the document is written from (every field listed, none other, types and nullability as sent)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.support.accounts_world import build  # noqa: I001  (imports app.auth first)
from app.accounts.models import Account
from app.api.openapi import build_document
from app.extensions import db
from app.partners.models import Partner
from app.tenancy import tenant_scope
from tests.contract.test_response_models import _check
from tests.reviews.test_reviews import agree, w  # noqa: F401  (the reviews world fixture)

LATER = (date.today() + timedelta(days=45)).isoformat()


@pytest.fixture
def world(app, make):
    w = build(make)
    with tenant_scope(w.tenant_id):
        partner = db.session.get(Partner, (w.tenant_id, w.a_id))
        partner.channel_manager_id = w.members["channel_manager"].id
        account = Account(owner_key=str(w.a_id), owner_partner_id=w.a_id, name="A bigcorp", domain="bigcorp.example",
                          employees=5000, segment="enterprise")
        db.session.add(account)
        db.session.flush()
        w.ids[("a", "bigcorp.example")] = str(account.id)
        db.session.commit()
    return w


def test_opportunity_registration_pipeline_and_settings_answers_fit_their_models(client, world):
    t = world.tokens
    vendor, partner, manager = t["vendor_admin"], t["partner_user"], t["channel_manager"]
    opp = _check(client, "POST", "/opportunities", partner, 201, json={
        "account_id": world.ids[("a", "aonly.example")], "kind": "upsell", "product": "Analytics",
        "amount": "1000.50", "currency": "EUR", "expected_close": LATER})
    assert opp["amount"] == 1000.5 and opp["registration_id"] is None
    vendor_opp = _check(client, "POST", "/opportunities", vendor, 201, json={
        "account_id": world.ids[("v", "vendoronly.example")], "kind": "renewal", "product": "Core",
        "amount": 20, "currency": "USD", "expected_close": LATER})
    assert vendor_opp["partner_id"] is None and vendor_opp["side"] == "vendor"
    _check(client, "GET", f"/opportunities/{opp['id']}", partner, 200)
    _check(client, "PATCH", f"/opportunities/{opp['id']}", partner, 200,
           json={"version": opp["version"], "stage": "qualified", "next_step": "Call"})
    _check(client, "GET", f"/opportunities?partner_id={world.a_id}", partner, 200)

    registered = _check(client, "POST", f"/opportunities/{opp['id']}/registration", partner, 201)
    assert registered["check"]["outcome"] == "clear" and "partner" not in registered  # partner staff: no partner
    approved = _check(client, "POST", f"/registrations/{registered['id']}/approve", manager, 200, json={"note": "Go"})
    assert approved["partner"]["name"] == "Alpha Partner" and approved["protected_until"]
    extended = _check(client, "POST", f"/registrations/{registered['id']}/extend", manager, 200, json={})
    assert extended["extended"] is True
    won = _check(client, "POST", f"/registrations/{registered['id']}/outcome", partner, 200, json={"outcome": "won"})
    assert won["status"] == "won"

    # A conflict (vendor-led enterprise segment): reasons with the partners for vendor staff only.
    conflict = _check(client, "POST", "/registrations", partner, 201, json={
        "account_id": world.ids[("a", "bigcorp.example")], "kind": "cross_sell", "product": "Deal", "amount": "5000",
        "currency": "EUR", "expected_close": LATER})
    assert conflict["check"]["outcome"] == "conflict"
    assert all("partners" not in r for r in conflict["check"]["reasons"])
    seen = _check(client, "GET", f"/registrations/{conflict['id']}", vendor, 200)
    assert all("partners" in r for r in seen["check"]["reasons"])
    resolved = _check(client, "POST", f"/registrations/{conflict['id']}/resolve", manager, 200,
                      json={"resolution": "partner", "note": "Alpha's"})
    assert resolved["check"]["outcome"] == "clear"
    other = _check(client, "POST", "/registrations", partner, 201, json={
                       "account_id": world.ids[("a", "shared.example")], "kind": "services", "product": "Setup",
                       "amount": "1.25", "currency": "GBP", "expected_close": LATER})
    _check(client, "POST", f"/registrations/{other['id']}/reject", vendor, 200, json={"note": "The vendor has it"})
    page = _check(client, "GET", "/opportunities?limit=1", partner, 200)
    assert len(page["items"]) == 1 and page["next_cursor"]
    _check(client, "GET", "/registrations", vendor, 200)
    _check(client, "GET", "/registrations?status=rejected&limit=1", partner, 200)

    pipeline = _check(client, "GET", "/pipeline", vendor, 200)
    assert pipeline["by_stage"] and pipeline["by_kind"] and pipeline["won"]
    _check(client, "GET", f"/partners/{world.a_id}/pipeline", partner, 200)
    settings = _check(client, "GET", "/opportunity-settings", vendor, 200)
    _check(client, "PUT", "/opportunity-settings", vendor, 200,
           json={**settings, "sla_business_days": 3})


def test_touch_plan_touch_coverage_course_and_completion_answers_fit_their_models(client, world):
    from app.health.periods import period_for

    t = world.tokens
    this = str(period_for(date.today()))
    vendor, manager, partner = t["vendor_admin"], t["channel_manager"], t["partner_user"]
    none = _check(client, "GET", f"/partners/{world.a_id}/touch-plan", partner, 200)
    assert none["exists"] is False and none["touch_model"] is None and none["band"] is None
    plan = _check(client, "POST", f"/partners/{world.a_id}/touch-plan", manager, 201, json={"period": this})
    assert plan["created"] is True and plan["touchpoints"]
    assert _check(client, "POST", f"/partners/{world.a_id}/touch-plan", vendor, 201, json={"period": this})["created"] is False
    point = plan["touchpoints"][0]
    today = date.today().isoformat()
    touch = _check(client, "POST", f"/partners/{world.a_id}/touches", partner, 201, json={
        "kind": point["kind"], "happened_on": today, "notes": "Call", "touchpoint_id": point["id"]})
    assert touch["touchpoint_id"] == point["id"]
    _check(client, "POST", f"/partners/{world.a_id}/touches", manager, 201, json={"kind": "pipeline_call",
                                                                                 "happened_on": today})
    assert len(_check(client, "GET", f"/partners/{world.a_id}/touches", vendor, 200)["items"]) == 2
    got = _check(client, "GET", f"/partners/{world.a_id}/touch-plan?period={this}", vendor, 200)
    assert got["touchpoints"][0]["done_on"] == today
    _check(client, "POST", f"/partners/{world.b_id}/touch-plan", vendor, 201, json={"period": this})
    coverage = _check(client, "GET", "/touch-coverage", vendor, 200)
    assert {m["channel_manager_id"] for m in coverage["managers"]} == {str(world.members["channel_manager"].id), None}

    course = _check(client, "POST", "/courses", vendor, 201, json={"name": "Basics", "kind": "course"})
    cert = _check(client, "POST", "/courses", vendor, 201, json={"name": "Cert", "kind": "certification",
                                                                   "valid_months": 12})
    assert course["valid_months"] is None and cert["valid_months"] == 12
    _check(client, "GET", "/courses", partner, 200)
    member = str(world.members["partner_user"].id)
    done = _check(client, "POST", f"/partners/{world.a_id}/completions", t["partner_admin"], 201,
                  json={"course_id": cert["id"], "membership_id": member, "completed_on": today})
    assert done["expires_on"] and done["person"] == world.emails["partner_user"]
    _check(client, "POST", f"/partners/{world.a_id}/completions", vendor, 201,
           json={"course_id": course["id"], "membership_id": member, "completed_on": today})
    listed = _check(client, "GET", f"/partners/{world.a_id}/completions", partner, 200)
    assert listed["certified"] == 1 and len(listed["items"]) == 2 and listed["next_cursor"] is None
    changed = _check(client, "PATCH", f"/courses/{course['id']}", vendor, 200,
                     json={"version": course["version"], "description": "The basics", "retired": True})
    assert changed["retired"] is True and changed == _check(client, "GET", f"/courses/{course['id']}", partner, 200)


def test_onboarding_template_checklist_and_progress_answers_fit_their_models(client, world):
    from app.commplan.models import CommContact

    t = world.tokens
    vendor = t["vendor_admin"]
    steps = _check(client, "GET", "/onboarding/template", t["vendor_viewer"], 200)["items"]
    assert any(s["detector"] is None for s in steps) and any(s["detector"] for s in steps)
    added = _check(client, "POST", "/onboarding/template", vendor, 201, json={"title": "Portal training"})
    changed = _check(client, "PATCH", f"/onboarding/template/{added['id']}", vendor, 200,
                     json={"version": added["version"], "detector": "review"})
    assert changed["detector"] == "review"
    _check(client, "DELETE", f"/onboarding/template/{added['id']}", vendor, 200)

    assert _check(client, "GET", f"/partners/{world.a_id}/onboarding", vendor, 200)["started"] is False
    started = _check(client, "POST", f"/partners/{world.a_id}/onboarding", vendor, 201)
    with tenant_scope(world.tenant_id):
        db.session.add(CommContact(partner_id=world.a_id, side="partner", role="cs_lead", name="Ada"))
        db.session.commit()
    first = started["items"][0]
    ticked = _check(client, "PUT", f"/onboarding/items/{first['id']}", vendor, 200,
                    json={"done": True, "version": first["version"]})
    assert ticked["items"][0]["done_by"] and ticked["items"][0]["done_at"]
    seen = _check(client, "GET", f"/partners/{world.a_id}/onboarding", t["partner_admin"], 200)
    assert any(i["detected_at"] for i in seen["items"]) and seen["suggested"] >= 1
    page = _check(client, "GET", "/onboarding?all=1&limit=1", vendor, 200)
    assert len(page["items"]) == 1 and page["next_cursor"]
    _check(client, "GET", "/onboarding", vendor, 200)


def test_review_action_item_job_and_audit_answers_fit_their_models(client, w):  # noqa: F811
    t = w.tokens
    manager, partner_admin = t["channel_manager"], t["partner_admin"]
    agree(w, "2026-Q3", {"nps": "80", "advocacy": "6"}, {"nps": "60"})
    opened = _check(client, "POST", f"/partners/{w.acme.id}/reviews", manager, 201, json={"period": "2026-Q3"})
    assert opened["snapshot_hash"] is None and opened["locked"] is False
    rid = opened["id"]
    review = _check(client, "GET", f"/reviews/{rid}", partner_admin, 200)
    _check(client, "PATCH", f"/reviews/{rid}", manager, 200, json={"version": review["version"], "agenda": "Pipeline"})
    _check(client, "POST", f"/reviews/{rid}/settlements", manager, 200, json={"metric_key": "nps", "value": 70})
    item = _check(client, "POST", f"/reviews/{rid}/action-items", manager, 201, json={
        "title": "Two case studies", "owner_side": "partner", "owner_id": str(w.people["partner_admin"].id),
        "due_date": "2026-11-30", "metric_key": "nps"})
    assert item["metric_key"] == "nps" and item["owner"]
    _check(client, "POST", f"/reviews/{rid}/action-items", manager, 201, json={
        "title": "Joint webinar", "owner_side": "vendor", "owner_id": str(w.people["channel_manager"].id),
        "due_date": "2026-12-15"})
    _check(client, "PATCH", f"/action-items/{item['id']}", partner_admin, 200,
           json={"status": "done", "version": item["version"]})
    assert len(_check(client, "GET", f"/reviews/{rid}/action-items", t["partner_user"], 200)["items"]) == 2
    _check(client, "POST", f"/reviews/{rid}/signoff", manager, 200)
    assert _check(client, "DELETE", f"/reviews/{rid}/signoff", manager, 200)["signed_by_vendor"] is False
    _check(client, "POST", f"/reviews/{rid}/signoff", manager, 200)
    signed = _check(client, "POST", f"/reviews/{rid}/signoff", partner_admin, 200)
    assert signed["locked"] is True and signed["snapshot_hash"]
    assert _check(client, "GET", f"/reviews/{rid}", manager, 200)["content"]
    assert _check(client, "GET", f"/partners/{w.acme.id}/reviews", manager, 200)["items"][0]["locked"] is True

    # The pack is a job (202); the jobs API answers the same job shape.
    job = _check(client, "POST", f"/reviews/{rid}/pdf-pack", manager, 202)
    _check(client, "GET", f"/jobs/{job['id']}", manager, 200)
    second = _check(client, "POST", f"/reviews/{rid}/pdf-pack", t["vendor_admin"], 202)
    page = _check(client, "GET", "/jobs?limit=1", t["vendor_admin"], 200)
    assert len(page["items"]) == 1 and page["next_cursor"]
    assert second["state"] == "queued" and second["total"] is None  # no worker here: it waits; cancel, run again
    cancelled = _check(client, "POST", f"/jobs/{second['id']}/cancel", t["vendor_admin"], 202)
    assert cancelled["state"] == "cancelled" and cancelled["retryable"] is True and cancelled["finished_at"]
    assert _check(client, "POST", f"/jobs/{second['id']}/retry", t["vendor_admin"], 202)["state"] == "queued"

    events = _check(client, "GET", "/audit?limit=5", t["vendor_admin"], 200)
    assert len(events["items"]) == 5 and events["next_cursor"]
    assert [e["seq"] for e in events["items"]] == [1, 2, 3, 4, 5]
    reviews = _check(client, "GET", "/audit?action=review.", t["vendor_admin"], 200)["items"]
    assert reviews and all(e["action"].startswith("review.") for e in reviews)


def test_no_operation_of_these_packages_documents_a_dict_answer(app):
    """Every JSON answer of the six packages comes from a response model (a file download keeps its binary schema)."""
    with app.test_request_context():
        doc = build_document()
    packages = ("app.opportunities.", "app.enablement.", "app.onboarding.", "app.reviews.", "app.jobs.", "app.audit.")
    views = [view for view in app.view_functions.values()
             if getattr(view, "openapi", None) is not None and view.__module__.startswith(packages)]
    assert len(views) == 54
    dicts = [view.__name__ for view in views
             if view.openapi["response_model"] is None and view.openapi["media_type"] == "application/json"]
    assert dicts == []
    # Files (a review's PDF, a job's output file) keep {"type": "string", "format": "binary"}.
    binary = {view.__name__: view.openapi for view in views if view.openapi["media_type"] != "application/json"}
    assert sorted(binary) == ["download_job_output", "review_pdf"]
    assert {meta["media_type"] for meta in binary.values()} == {"application/pdf"}
    for meta in binary.values():
        assert {k: v for k, v in meta["response"].items() if k != "description"} == {"type": "string", "format": "binary"}
    assert doc["paths"]["/jobs/{job_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
        "additionalProperties"] is False
