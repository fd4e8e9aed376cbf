"""IPP through the JSON API: profiles, assessments, roles, sharing, bad input (DESIGN 2 and 9)."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.ipp import services
from app.ipp.models import IppAssessment, IppProfile
from app.tenancy import tenant_scope

CRITERIA = [
    {"key": "lead", "question": "Leadership committed?", "type": "boolean", "weight": 3, "knockout": True},
    {"key": "roi", "question": "Expected ROI?", "type": "scale", "weight": 2},
    {"key": "certs", "question": "Certified consultants?", "type": "number", "weight": 1.5,
     "floor": 0, "target": 10},
    {"key": "region", "question": "Region?", "type": "choice", "weight": 1,
     "options": [{"value": "emea", "points": 10}, {"value": "apac", "points": 5}]},
]
from tests.conftest import owner_view


def counts() -> tuple[int, int, int]:
    with owner_view() as owner:
        return tuple(owner.scalar(select(func.count()).select_from(m))
                     for m in (IppProfile, IppAssessment, AuditEvent))


class Api:
    def __init__(self, client, token):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def get(self, path):
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path, body):
        return self.client.post(f"/api/v1{path}", json=body, headers=self.headers)


@pytest.fixture
def world(app, make, client):
    tenant = make.tenant("north")
    other = make.tenant("south")
    acme = make.partner(tenant, "Acme")
    globex = make.partner(tenant, "Globex")
    foreign = make.partner(other, "Foreign")
    # Token-only people: no password, so no password hashing to slow the suite down.
    manager = make.member(tenant, "channel_manager", password=None)
    with tenant_scope(tenant.id):
        acme.channel_manager_id = manager.id
        db.session.add(acme)
        db.session.commit()
    people = {
        "admin": make.admin_membership(tenant), "manager": manager,
        "viewer": make.member(tenant, "vendor_viewer", password=None),
        "acme_admin": make.member(tenant, "partner_admin", acme, password=None),
        "acme_user": make.member(tenant, "partner_user", acme, password=None),
        "globex_admin": make.member(tenant, "partner_admin", globex, password=None),
        "foreign_admin": make.admin_membership(other),
    }
    apis = {name: Api(client, make.token(m)) for name, m in people.items()}
    profile = apis["admin"].post("/profiles", {"name": "Test IPP", "criteria": CRITERIA}).get_json()
    return {"tenant": tenant, "other": other, "acme": acme, "globex": globex, "foreign": foreign,
            "api": apis, "profile": profile}


def test_new_tenant_starts_with_the_default_template(world):
    items = world["api"]["viewer"].get("/profiles").get_json()["items"]
    default = next(p for p in items if p["name"] == services.DEFAULT_PROFILE_NAME)
    assert default["version"] == 1 and default["latest"] is True
    keys = [c["key"] for c in default["criteria"]]
    assert keys[:4] == ["leadership_commitment", "cs_roi_expectation", "services_core", "cs_practice_led"]
    assert {"region", "segments", "certified_consultants", "cs_headcount"} <= set(keys)
    region = next(c for c in default["criteria"] if c["key"] == "region")
    assert region["options"][0] == {"value": "emea", "points": 10.0}


def test_create_profile_shape_and_versions(world):
    created = world["profile"]
    assert created["version"] == 1 and created["name"] == "Test IPP"
    assert created["criteria"][2]["floor"] == 0.0 and created["criteria"][2]["target"] == 10.0
    assert created["criteria"][2]["weight"] == 1.5
    again = world["api"]["admin"].post("/profiles", {"name": "test ipp", "criteria": CRITERIA[:2]})
    assert again.status_code == 201
    body = again.get_json()
    assert body["version"] == 2 and body["family_id"] == created["family_id"]
    one = world["api"]["admin"].get(f"/profiles/{created['id']}").get_json()
    assert one["version"] == 1 and one["latest"] is False and len(one["criteria"]) == 4


def test_assessment_matches_design_to_the_decimal(world):
    api = world["api"]["manager"]
    response = api.post(f"/partners/{world['acme'].id}/assessments", {
        "profile_id": world["profile"]["id"], "kind": "vendor",
        "answers": {"lead": True, "roi": 4, "certs": 7, "region": "apac"}})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    # (3*1 + 2*0.75 + 1.5*0.7 + 1*0.5) / 7.5 = 0.80666.. -> 80.7
    assert body["fit_score"] == 80.7 and body["band"] == "ideal" and body["touch_model"] == "strategic"
    assert body["coverage"] == 1.0 and body["knockout_failed"] == []
    assert [(c["key"], c["score"]) for c in body["criteria"]] == [
        ("lead", 1.0), ("roi", 0.75), ("certs", 0.7), ("region", 0.5)]
    assert body["status"] == "final" and body["profile_version"] == 1


def test_half_up_rounding_and_unanswered(world):
    api = world["api"]["admin"]
    # 3*1 + 2*0.25 = 3.5; /7.5 = 46.666.. -> 46.7; region and certs unanswered: coverage 5/7.5
    body = api.post(f"/partners/{world['globex'].id}/assessments", {
        "profile_id": world["profile"]["id"], "kind": "vendor",
        "answers": {"lead": "yes", "roi": 2}}).get_json()
    assert body["fit_score"] == 46.7 and body["band"] == "developing" and body["touch_model"] == "growth"
    assert body["coverage"] == 0.667
    # 0.0625 * 100 = 6.25 exactly at a half: half-up gives 6.3 (banker's rounding would say 6.2)
    profile = api.post("/profiles", {"name": "Half", "criteria": [
        {"key": "a", "question": "A?", "type": "scale", "weight": 1},
        {"key": "b", "question": "B?", "type": "boolean", "weight": 3}]}).get_json()
    body = api.post(f"/partners/{world['globex'].id}/assessments", {
        "profile_id": profile["id"], "kind": "vendor", "answers": {"a": 2, "b": False}}).get_json()
    assert body["fit_score"] == 6.3 and body["band"] == "not_a_fit" and body["touch_model"] == "digital"


def test_knockout_forces_not_a_fit(world):
    body = world["api"]["admin"].post(f"/partners/{world['acme'].id}/assessments", {
        "profile_id": world["profile"]["id"], "kind": "vendor",
        "answers": {"lead": False, "roi": 5, "certs": 10, "region": "emea"}}).get_json()
    assert body["fit_score"] == 60.0 and body["band"] == "not_a_fit"
    assert body["knockout_failed"] == ["lead"] and body["touch_model"] == "digital"


def test_draft_then_final_reuses_the_draft(world):
    api = world["api"]["admin"]
    path = f"/partners/{world['acme'].id}/assessments"
    draft = api.post(path, {"profile_id": world["profile"]["id"], "kind": "vendor", "status": "draft",
                            "answers": {"lead": True}}).get_json()
    assert draft["status"] == "draft" and draft["current"] is False
    final = api.post(path, {"profile_id": world["profile"]["id"], "kind": "vendor",
                            "answers": {"lead": True, "roi": 5}}).get_json()
    assert final["id"] == draft["id"] and final["status"] == "final" and final["current"] is True
    items = api.get(path).get_json()["items"]
    assert [i["id"] for i in items] == [draft["id"]]
    again = api.post(path, {"profile_id": world["profile"]["id"], "kind": "vendor",
                            "answers": {"lead": False}}).get_json()
    items = api.get(path).get_json()["items"]
    assert [(i["id"], i["current"]) for i in items] == [(draft["id"], False), (again["id"], True)]
    assert items[0]["fit_score"] == 66.7  # history keeps its score: (3 + 2) / 7.5


def test_partner_admin_files_self_assessment_and_sees_band_only(world):
    acme = world["acme"]
    path = f"/partners/{acme.id}/assessments"
    pid = world["profile"]["id"]
    vendor = world["api"]["manager"].post(path, {"profile_id": pid, "kind": "vendor",
                                                 "answers": {"lead": True, "roi": 3}}).get_json()
    own = world["api"]["acme_admin"].post(path, {"profile_id": pid, "kind": "self",
                                                 "answers": {"lead": True, "roi": 5}})
    assert own.status_code == 201 and own.get_json()["kind"] == "self"
    for who in ("acme_admin", "acme_user"):
        items = {i["kind"]: i for i in world["api"][who].get(path).get_json()["items"]}
        assert items["self"]["fit_score"] == own.get_json()["fit_score"]
        assert items["vendor"] == {"id": vendor["id"], "partner_id": str(acme.id), "kind": "vendor",
                                   "status": "final", "band": vendor["band"], "current": True,
                                   "finalised_at": items["vendor"]["finalised_at"], "shared": False}
    # Once the vendor shares, partner staff get the vendor's full assessment.
    with tenant_scope(world["tenant"].id):
        services.set_sharing(db.session.get(type(acme), (acme.tenant_id, acme.id)), True)
        db.session.commit()
    items = {i["kind"]: i for i in world["api"]["acme_user"].get(path).get_json()["items"]}
    assert items["vendor"]["fit_score"] == vendor["fit_score"] and items["vendor"]["answers"] == {
        "lead": True, "roi": 3}


def test_partner_drafts_stay_private(world):
    path = f"/partners/{world['acme'].id}/assessments"
    pid = world["profile"]["id"]
    world["api"]["acme_admin"].post(path, {"profile_id": pid, "kind": "self", "status": "draft",
                                           "answers": {"lead": True}})
    world["api"]["manager"].post(path, {"profile_id": pid, "kind": "vendor", "status": "draft",
                                        "answers": {"lead": True}})
    assert [i["kind"] for i in world["api"]["viewer"].get(path).get_json()["items"]] == ["vendor"]
    assert [i["kind"] for i in world["api"]["acme_user"].get(path).get_json()["items"]] == ["self"]


WHO_MAY_ASSESS = [
    ("acme_admin", "vendor", 403), ("acme_user", "self", 403), ("viewer", "vendor", 403),
    ("admin", "self", 403), ("manager", "self", 403), ("globex_admin", "self", 404),
    ("foreign_admin", "vendor", 404),
]


def test_who_may_assess(world):
    # One world for every case: building it dominates the time of each test.
    before = counts()
    for who, kind, status in WHO_MAY_ASSESS:
        response = world["api"][who].post(f"/partners/{world['acme'].id}/assessments", {
            "profile_id": world["profile"]["id"], "kind": kind, "answers": {"lead": True}})
        assert response.status_code == status, (who, kind)
    assert counts() == before


def test_channel_manager_assesses_only_assigned_partners(world):
    response = world["api"]["manager"].post(f"/partners/{world['globex'].id}/assessments", {
        "profile_id": world["profile"]["id"], "kind": "vendor", "answers": {}})
    assert response.status_code == 403


def test_another_partners_assessments_answer_404(world):
    path = f"/partners/{world['acme'].id}/assessments"
    world["api"]["acme_admin"].post(path, {"profile_id": world["profile"]["id"], "kind": "self",
                                           "answers": {"lead": True}})
    response = world["api"]["globex_admin"].get(path)
    assert response.status_code == 404 and "Acme" not in response.get_data(as_text=True)
    assert world["api"]["foreign_admin"].get(path).status_code == 404


def test_only_vendor_admins_create_profiles(world):
    before = counts()
    for who in ("manager", "viewer", "acme_admin"):
        assert world["api"][who].post("/profiles", {"name": "X", "criteria": CRITERIA}).status_code == 403
    assert counts() == before


def _bad(index, **changes):
    criteria = [dict(c) for c in CRITERIA]
    criteria[index].update(changes)
    return criteria


BAD_PROFILES = [
    (_bad(1, weight=0), "criteria.1.weight"),
    (_bad(1, weight=-2), "criteria.1.weight"),
    (_bad(1, weight="heavy"), "criteria.1.weight"),
    (_bad(2, target=0), "criteria.2.target"),
    (_bad(3, options=[]), "criteria.3.options"),
    (_bad(3, options=None), "criteria.3.options"),
    (_bad(0, type="text"), "criteria.0.type"),
    ([], "criteria"),
    ("lots", "criteria"),
]


def test_bad_profiles_answer_422_naming_the_field(world):
    before = counts()
    for criteria, field in BAD_PROFILES:
        response = world["api"]["admin"].post("/profiles", {"name": "Bad", "criteria": criteria})
        assert response.status_code == 422, field
        error = response.get_json()["error"]
        assert error["code"] == "invalid" and field in error["fields"], (field, error)
    assert counts() == before


def test_profile_needs_a_name(world):
    response = world["api"]["admin"].post("/profiles", {"name": " ", "criteria": CRITERIA})
    assert response.status_code == 422 and "name" in response.get_json()["error"]["fields"]


BAD_ASSESSMENTS = [
    ({"kind": "vendor", "answers": {"lead": "maybe"}}, "answers.lead"),
    ({"kind": "vendor", "answers": {"roi": 6}}, "answers.roi"),
    ({"kind": "vendor", "answers": {"roi": 2.5}}, "answers.roi"),
    ({"kind": "vendor", "answers": {"certs": "many"}}, "answers.certs"),
    ({"kind": "vendor", "answers": {"certs": True}}, "answers.certs"),
    ({"kind": "vendor", "answers": {"region": "mars"}}, "answers.region"),
    ({"kind": "vendor", "answers": {"colour": "blue"}}, "answers.colour"),
    ({"kind": "vendor", "answers": ["lead"]}, "answers"),
    ({"kind": "vendor"}, "answers"),
    ({"kind": "boss", "answers": {}}, "kind"),
    ({"kind": "vendor", "answers": {}, "status": "maybe"}, "status"),
    ({"kind": "vendor", "answers": {}, "profile_id": "not-a-uuid"}, "profile_id"),
    ({"kind": "vendor", "answers": {}, "profile_id": None}, "profile_id"),
]


def test_bad_assessments_answer_422_naming_the_field(world):
    before = counts()
    for body, field in BAD_ASSESSMENTS:
        body = {"profile_id": world["profile"]["id"], **body}
        response = world["api"]["admin"].post(f"/partners/{world['acme'].id}/assessments", body)
        assert response.status_code == 422, (field, response.get_json())
        assert field in response.get_json()["error"]["fields"], field
    assert counts() == before


def test_profile_of_another_tenant_answers_404(world):
    foreign = world["api"]["foreign_admin"].get("/profiles").get_json()["items"][0]
    before = counts()
    response = world["api"]["admin"].post(f"/partners/{world['acme'].id}/assessments", {
        "profile_id": foreign["id"], "kind": "vendor", "answers": {}})
    assert response.status_code == 404
    assert "profile_id" in response.get_json()["error"]["fields"]
    assert counts() == before
    assert world["api"]["admin"].get(f"/profiles/{foreign['id']}").status_code == 404
    assert world["api"]["admin"].get(f"/profiles/{uuid.uuid4()}").status_code == 404


def test_changes_are_audited(world):
    api = world["api"]["admin"]
    api.post(f"/partners/{world['acme'].id}/assessments", {
        "profile_id": world["profile"]["id"], "kind": "vendor", "answers": {"lead": True}})
    with tenant_scope(world["tenant"].id):
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions.count("ipp.profile.create") == 2  # the default template and "Test IPP"
    assert "ipp.assessment.finalise" in actions


def test_profiles_paginate_by_cursor(world):
    api = world["api"]["viewer"]
    first = api.get("/profiles?limit=1").get_json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = api.get(f"/profiles?limit=1&cursor={first['next_cursor']}").get_json()
    assert second["items"][0]["id"] != first["items"][0]["id"]
    assert {p["name"] for p in first["items"] + second["items"]} == {services.DEFAULT_PROFILE_NAME, "Test IPP"}


def test_openapi_documents_the_ipp_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/profiles"])
    assert {"get", "post"} <= set(paths["/partners/{partner_id}/assessments"])
