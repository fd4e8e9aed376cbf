"""A client that knows only the OpenAPI document walks the partner lifecycle through its links:
partner -> agreement -> accept -> measurements -> health -> close, and data request -> decision."""
from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from app.extensions import db
from app.partners.models import Partner
from app.tenancy import tenant_scope


class DocumentClient:
    """Finds operations by operationId and fills their paths from links, as a generic client would."""

    def __init__(self, client, document):
        self.client, self.document = client, document
        self.ops = {op["operationId"]: (path, method) for path, item in document["paths"].items()
                    for method, op in item.items()}

    def call(self, operation_id, token, path_params=None, body=None):
        path, method = self.ops[operation_id]
        url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: str(path_params[m.group(1)]), path)
        headers = {"Authorization": f"Bearer {token}"}
        if method == "post":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        response = self.client.open(url, method=method.upper(), json=body, headers=headers)
        return response, dict(path_params or {})

    def link(self, operation_id, status, name):
        path, method = self.ops[operation_id]
        return self.document["paths"][path][method]["responses"][str(status)]["links"][name]

    def follow(self, operation_id, status, name, request_params, response_body, token, body=None):
        link = self.link(operation_id, status, name)
        params = {}
        for key, expression in link["parameters"].items():
            if not isinstance(expression, str) or not expression.startswith("$"):
                params[key] = expression
            elif expression.startswith("$request.path."):
                params[key] = request_params[expression.removeprefix("$request.path.")]
            else:
                params[key] = response_body[expression.removeprefix("$response.body#/")]
        return self.call(link["operationId"], token, params, body)


def test_the_whole_lifecycle_through_links(client, make):
    tenant = make.tenant("acme")
    admin = make.token(make.admin_membership(tenant))
    api = DocumentClient(client, client.get("/api/v1/openapi.json").json)
    create = next(op for op, (path, method) in api.ops.items() if path == "/partners" and method == "post")

    made, _ = api.call(create, admin, body={"name": "Alpha"})
    assert made.status_code == 201
    with tenant_scope(tenant.id):
        partner = db.session.scalar(select(Partner).where(Partner.id == uuid.UUID(made.json["id"])))
    partner_admin = make.token(make.member(tenant, "partner_admin", partner=partner))

    propose = "api.propose_agreement_post"
    agreement, params = api.follow(create, 201, propose, {}, made.json, admin, body={
        "period": "2026-Q3", "metrics": [{"key": "nps", "direction": "higher", "target": 50, "floor": 0, "weight": 1}]})
    assert agreement.status_code == 201, agreement.json
    accepted, _ = api.follow(propose, 201, "api.accept_agreement_post", params, agreement.json, partner_admin)
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    measured, _ = api.follow(propose, 201, "api.put_measurements_put", params, agreement.json, admin,
                             body={"values": {"nps": 40}})
    assert measured.status_code == 200, measured.json
    health, _ = api.follow(propose, 201, "api.agreement_health_get", params, agreement.json, admin)
    assert health.status_code == 200 and health.json["score"] == 80.0
    closed, _ = api.follow(propose, 201, "api.close_partner_quarter_post", {"partner_id": made.json["id"]},
                           agreement.json, admin)
    assert closed.status_code == 200, closed.json
    assert closed.json["period"] == "2026-Q3" and closed.json["health_score"] == 80.0

    asked, params = api.follow(create, 201, "api.request_data_api_post", {}, made.json, admin,
                               body={"requested_level": "overlaps"})
    assert asked.status_code == 201, asked.json
    decided, _ = api.follow("api.request_data_api_post", 201, "api.decide_data_request_api_post_accept",
                            {"partner_id": made.json["id"]}, asked.json, partner_admin)
    assert decided.status_code == 200 and decided.json["status"] == "accepted", decided.json


def test_links_name_existing_operations_and_parameters(client):
    document = client.get("/api/v1/openapi.json").json
    operations = {op["operationId"]: op for item in document["paths"].values() for op in item.values()}
    links = [link for item in document["paths"].values() for op in item.values()
             for response in op["responses"].values() for link in (response.get("links") or {}).values()]
    assert len(links) > 30
    for link in links:
        target = operations[link["operationId"]]
        path_params = {p["name"] for p in target["parameters"] if p["in"] == "path"}
        assert set(link["parameters"]) == path_params, link
