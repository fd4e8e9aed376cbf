"""Every API route is in the document, every documented operation exists, and each says what it takes."""
from __future__ import annotations

import re


def _routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            found.add((method.lower(), path))
    return found


def test_routes_and_operations_are_the_same_set(app, client):
    document = client.get("/api/v1/openapi.json").json
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert documented == _routes(app)
    assert len(documented) > 60


def test_every_documented_operation_answers_with_a_token_and_not_405(client, make):
    token = make.token(make.admin_membership(make.tenant("acme")))
    document = client.get("/api/v1/openapi.json").json
    for path, item in document["paths"].items():
        url = "/api/v1" + re.sub(r"\{\w+\}", lambda m: "2026-Q1" if m.group(0) == "{period}" else
                                 ("accept" if m.group(0) == "{decision}" else "00000000-0000-4000-8000-000000000000"), path)
        for method in item:
            response = client.open(url, method=method.upper(), headers={"Authorization": f"Bearer {token}"})
            assert response.status_code not in (405, 500), (method, path, response.status_code)


def test_every_write_documents_its_body_and_every_operation_its_answers(client):
    document = client.get("/api/v1/openapi.json").json
    for path, item in document["paths"].items():
        for method, op in item.items():
            assert {"401", "403", "404", "422"} <= set(op["responses"]), (method, path)
            assert any(code.startswith("2") for code in op["responses"]), (method, path)
            if method == "post":
                assert any(p["name"] == "Idempotency-Key" for p in op["parameters"]), (method, path)
            body = op.get("requestBody")
            if body:
                (media, content), = body["content"].items()
                assert media in ("application/json", "multipart/form-data")
                if media == "application/json" and "properties" in content["schema"]:
                    assert content["schema"].get("additionalProperties") is False, (method, path)


def test_cursor_paged_lists_document_cursor_and_limit(client):
    document = client.get("/api/v1/openapi.json").json
    paged = [(path, op) for path, item in document["paths"].items() for method, op in item.items()
             if method == "get" and "next_cursor" in op["responses"]["200"]["content"]
             .get("application/json", {}).get("schema", {}).get("properties", {})]
    assert len(paged) >= 8
    for path, op in paged:
        assert {"cursor", "limit"} <= {p["name"] for p in op["parameters"]}, path
