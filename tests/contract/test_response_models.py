"""Answers of the main resources validate against the response models the document is written from."""
from __future__ import annotations

from types import SimpleNamespace
from uuid import UUID

from flask import current_app

from app.api.openapi import build_document


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _check(client, method, path, token, status, **kwargs):
    """Call, then validate the answer with the operation's response model (the document's schema is its JSON Schema)."""
    response = client.open(f"/api/v1{path}", method=method, headers=_bearer(token), **kwargs)
    assert response.status_code == status, (method, path, response.get_json())
    adapter = current_app.url_map.bind("localhost")
    endpoint, _ = adapter.match(f"/api/v1{path.split('?')[0]}", method=method)
    meta = current_app.view_functions[endpoint].openapi
    model = meta["response_model"]
    assert model is not None, f"{method} {path} has no response model"
    model.model_validate_json(response.get_data())  # strict: every field, no other
    assert meta["response"]["additionalProperties"] is False  # the document says the same (schemathesis checks it)
    return response.get_json()


def test_partner_agreement_and_health_answers_fit_their_models(app, client, make):
    tenant = make.tenant("acme")
    admin = make.token(make.admin_membership(tenant))
    partner = _check(client, "POST", "/partners", admin, 201, json={
        "name": "Northwind", "region": "emea", "segments": ["smb"], "services_revenue_share": "12.5",
        "website": "https://northwind.example"})
    _check(client, "GET", f"/partners/{partner['id']}", admin, 200)
    _check(client, "PATCH", f"/partners/{partner['id']}", admin, 200, json={"version": partner["version"], "region": None})
    page = _check(client, "GET", "/partners?limit=1", admin, 200)
    assert page["items"][0]["name"] == "Northwind"

    metrics = [{"key": "nps", "direction": "higher", "target": 50, "floor": 0, "weight": 1},
               {"key": "churn", "direction": "lower", "target": "2.5", "floor": 10, "weight": 2}]
    agreement = _check(client, "POST", f"/partners/{partner['id']}/agreements", admin, 201,
                       json={"period": "2026-Q3", "metrics": metrics})
    _check(client, "GET", f"/partners/{partner['id']}/agreements", admin, 200)
    _check(client, "GET", f"/agreements/{agreement['id']}", admin, 200)
    # The partner's own admin accepts (the proposing side may not).
    partner_admin = make.token(make.member(tenant, "partner_admin", partner=SimpleNamespace(id=UUID(partner["id"]))))
    accepted = _check(client, "POST", f"/agreements/{agreement['id']}/accept", partner_admin, 200)
    assert accepted["status"] == "accepted" and accepted["accepted_at"]
    health = _check(client, "GET", f"/agreements/{agreement['id']}/health", admin, 200)
    assert [line["missing"] for line in health["metrics"]] == [True, True]


def test_documented_response_models_are_the_document(app):
    with app.test_request_context():
        doc = build_document()
    created = doc["paths"]["/partners"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created["additionalProperties"] is False and "services_revenue_share" in created["required"]
    assert "links" in doc["paths"]["/partners"]["post"]["responses"]["201"]
