"""Request bodies: one parser (deep or broken JSON is 422), size limits (413), documented types enforced."""
from __future__ import annotations

import inspect
import json

import pytest

from app.api.validation import MAX_DEPTH
from tests.hardening.routes import bearer, write_operations

DEEP = "[" * 1000 + "]" * 1000  # about 2 KB, the probe's body
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000


def _error_shape(response):
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"]), body
    return body["error"]


def test_deep_json_on_every_write_route_is_422(app, make):
    ops = write_operations(app, make)
    assert len(ops) >= 32  # every write route of the API, from the route map
    failures = []
    for op in ops:
        if getattr(op.view, "takes_upload", False):
            continue
        for body in (DEEP, DEEP_OBJECT, '{"name": ' + "[" * 40 + "]" * 40 + "}", "{not json", '{"a": NaN'):
            response = app.test_client().open(op.url, method=op.method, data=body,
                                              content_type="application/json", headers=bearer(op.token))
            if response.status_code != 422:
                failures.append(f"{op.method} {op.url} as {op.role}: {response.status_code}")
                continue
            error = _error_shape(response)
            assert error["code"] == "invalid" and "body" in error["fields"]
    assert not failures, "\n".join(failures)


def test_depth_limit_is_exact(app, make):
    op = next(o for o in write_operations(app, make) if o.endpoint == "api.create_partner_api")
    just = {"name": "Deep but fine", "certifications": []}
    nested = {"x": 1}
    for _ in range(MAX_DEPTH - 2):
        nested = {"x": nested}
    just["free"] = nested  # MAX_DEPTH levels in all: parsed, then refused as an unknown field
    response = app.test_client().post(op.url, json=just, headers=bearer(op.token))
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == {"free"}
    just["free"] = {"x": nested}
    response = app.test_client().post(op.url, json=just, headers=bearer(op.token))
    assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == {"body"}


def test_non_json_content_type_with_a_body_is_422(app, make):
    tenant = make.tenant("acme")
    token = make.token(make.admin_membership(tenant))
    response = app.test_client().post("/api/v1/partners", data="name=Acme", headers=bearer(token),
                                      content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422 and "body" in _error_shape(response)["fields"]


def test_body_over_max_content_length_is_413_in_the_error_shape(app, make):
    tenant = make.tenant("acme")
    token = make.token(make.admin_membership(tenant))
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 1024 * 1024
    big = json.dumps({"name": "x" * limit})
    response = app.test_client().post("/api/v1/partners", data=big, content_type="application/json",
                                      headers=bearer(token))
    assert response.status_code == 413
    error = _error_shape(response)
    assert error["code"] == "too_large" and "1 MiB" in error["message"] and error["limit"] == limit
    # Just under the limit is read and answered on its merits (the name is too long: 422).
    fits = json.dumps({"name": "x" * (limit - 100)})
    assert app.test_client().post("/api/v1/partners", data=fits, content_type="application/json",
                                  headers=bearer(token)).status_code == 422


def test_html_form_over_the_limit_is_a_413_page(app, make):
    from tests.conftest import login

    make.tenant("acme")
    c = app.test_client()
    login(c, "admin@acme.example")
    response = c.post("/partners/new", data={"name": "x" * (1024 * 1024 + 10)})
    assert response.status_code == 413
    assert "text/html" in response.content_type and "larger than 1 MiB" in response.get_data(as_text=True)


def _csv(rows: int) -> bytes:
    lines = ["name,domain,employees,industry,region,arr,renewal_date,stage"]
    lines += [f"Company {i},company{i}.example,{i % 5000},Software,EMEA,{i % 977}.50,2027-01-31,customer"
              for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_csv_upload_has_its_own_limit(app, make):
    import io

    tenant = make.tenant("acme")
    token = make.token(make.admin_membership(tenant))
    data = _csv(30_000)  # about 2.4 MB: over MAX_CONTENT_LENGTH, well under UPLOAD_MAX_BYTES
    assert len(data) > app.config["MAX_CONTENT_LENGTH"] * 2
    response = app.test_client().post("/api/v1/accounts/import?wait=true", headers=bearer(token),
                                      data={"file": (io.BytesIO(data), "big.csv")})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["created"] == 30_000
    app.config["UPLOAD_MAX_BYTES"] = 1024 * 1024
    response = app.test_client().post("/api/v1/accounts/import?wait=true", headers=bearer(token),
                                      data={"file": (io.BytesIO(data), "big.csv")})
    assert response.status_code == 413
    error = _error_shape(response)
    assert "UPLOAD_MAX_BYTES" in error["message"]


def test_upload_limit_holds_the_million_row_benchmark_file(app):
    # bench/accounts.py writes 1,000,000 such rows (82.4 MB); the default limit keeps room for it.
    row = "Company 999999,company999999.example,4999,Software,EMEA,976.50,2027-01-31,customer\n"
    assert 1_000_000 * len(row) < app.config["UPLOAD_MAX_BYTES"]


# -- type refusal, generated from the documented request schemas --------------------------------

WRONG = {
    "string": [True, False, -1, 10 ** 40, 1.5, [], {}, ["x"], {"a": "b"}],
    "integer": [True, 1.5, 2.0, "3", [], {}],
    "number": [True, False, "lots", "NaN", [], {}, [1]],
    "boolean": [1, 0, "true", [], {}],
    "array": ["x", 1, True, {}],
    "object": ["x", 1, True, []],
}


def _declared(schema: dict) -> list[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return declared
    if "enum" in schema:
        return sorted({"string" if isinstance(v, str) else "number" for v in schema["enum"] if v is not None})
    return []


def wrong_values(schema: dict) -> list:
    """Values of every JSON type the property does not declare (null included when not nullable)."""
    types = _declared(schema)
    if not types:
        return []
    out = [] if "null" in types else [None]
    for kind, values in WRONG.items():
        if kind in types or (kind == "integer" and "number" in types):
            continue
        if kind == "number" and "integer" in types:
            values = [v for v in values if not (isinstance(v, float) or isinstance(v, str) and v != "lots")]
        out.extend(v for v in values if not _accepted_by(v, types))
    return out


def _accepted_by(value, types) -> bool:
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return "integer" in types or "number" in types
    if isinstance(value, float):
        return "number" in types
    if isinstance(value, str):
        return "string" in types
    if isinstance(value, list):
        return "array" in types
    if isinstance(value, dict):
        return "object" in types
    return False


def test_every_documented_field_refuses_every_wrong_type(app, make):
    ops = [op for op in write_operations(app, make) if op.schema and op.schema.get("properties")]
    assert len(ops) >= 25
    failures, cases = [], 0
    for op in ops:
        for field, schema in op.schema["properties"].items():
            for value in wrong_values(schema):
                cases += 1
                response = app.test_client().open(op.url, method=op.method, json={field: value},
                                                  headers=bearer(op.token))
                fields = (response.get_json() or {}).get("error", {}).get("fields", {})
                if response.status_code != 422 or field not in fields:
                    failures.append(f"{op.method} {op.endpoint} {field}={value!r} as {op.role}: "
                                    f"{response.status_code} {fields}")
    assert cases > 500
    assert not failures, f"{len(failures)} of {cases}:\n" + "\n".join(failures[:60])


def test_unknown_fields_are_refused_by_name(app, make):
    failures = []
    for op in write_operations(app, make):
        if not (op.schema and op.schema.get("properties")):
            continue
        response = app.test_client().open(op.url, method=op.method, json={"is_admin": True},
                                          headers=bearer(op.token))
        fields = (response.get_json() or {}).get("error", {}).get("fields", {})
        if response.status_code != 422 or fields.get("is_admin") != "is not a field of this request":
            failures.append(f"{op.method} {op.endpoint}: {response.status_code} {fields}")
    assert not failures, "\n".join(failures)


def test_views_that_read_a_body_document_its_fields(app, make):
    """Drift guard: a view that calls json_body() documents the fields it may receive."""
    missing = []
    for op in write_operations(app, make):
        if "json_body(" in inspect.getsource(op.view):
            if not (op.schema and op.schema.get("properties")):
                missing.append(f"{op.method} {op.endpoint}")
    assert not missing, missing


def test_agreement_note_of_the_wrong_type_is_refused_and_nothing_stored(app, make):
    """The probe's case: note true / -1 / [] / {} / 10**40 was stored as an empty string."""
    from sqlalchemy import func, select

    from app.health.models import Agreement
    from tests.conftest import owner_view

    tenant = make.tenant("acme")
    partner = make.partner(tenant, "Northwind")
    token = make.token(make.admin_membership(tenant))
    metrics = [{"key": "nps", "direction": "higher", "target": 50, "floor": 0, "weight": 1}]
    for note in (True, -1, [], {}, 10 ** 40):
        response = app.test_client().post(f"/api/v1/partners/{partner.id}/agreements", headers=bearer(token),
                                          json={"period": "2026-Q3", "metrics": metrics, "note": note})
        assert response.status_code == 422
        assert response.get_json()["error"]["fields"] == {"note": "must be text"}
    with owner_view() as owner:
        assert owner.scalar(select(func.count()).select_from(Agreement)) == 0
    ok = app.test_client().post(f"/api/v1/partners/{partner.id}/agreements", headers=bearer(token),
                                json={"period": "2026-Q3", "metrics": metrics, "note": "Agreed at the QBR"})
    assert ok.status_code == 201 and ok.get_json()["note"] == "Agreed at the QBR"


@pytest.mark.parametrize("value, ok", [(3, True), (3.0, False), (True, False), ("3", False)])
def test_integer_version_is_strict(app, make, value, ok):
    tenant = make.tenant("acme")
    partner = make.partner(tenant, "Northwind")
    token = make.token(make.admin_membership(tenant))
    response = app.test_client().patch(f"/api/v1/partners/{partner.id}", headers=bearer(token),
                                       json={"version": value, "name": "Northwind Two"})
    if ok:
        assert response.status_code in (200, 409)
    else:
        assert response.status_code == 422 and "version" in response.get_json()["error"]["fields"]


def test_non_finite_numbers_are_refused(app, make):
    tenant = make.tenant("acme")
    token = make.token(make.admin_membership(tenant))
    for raw in ("NaN", "Infinity", "-Infinity"):
        body = ('{"key": "csat", "name": "CSAT", "direction": "higher", "target": 50, "floor": 0, "weight": %s}'
                % raw)
        response = app.test_client().post("/api/v1/metrics", data=body, content_type="application/json",
                                          headers=bearer(token))
        assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == {"weight"}


def test_model_rules_in_isolation():
    from typing import Literal

    from app.api.contract import Body, Number, Part, json_schema, validate
    from app.api.validation import depth_exceeds

    class Item(Part):
        v: Number()

    class Sample(Body):
        note: str = None
        n: int = None
        x: Number() | None = None
        share: Number(ge=0, le=100) = None
        items: list[Item] = None
        values: dict[str, Number()] = None
        ids: list[int] = None
        kind: Literal["a", "b"] = None

    assert validate(Sample, {"note": "ok", "n": 3, "x": None, "share": "100.0", "items": [{"v": "1.5"}],
                             "values": {"k": 2}, "kind": "b"}) == {}
    assert validate(Sample, {"note": 1, "n": 2.0, "x": True, "items": [{"v": []}], "values": {"k": "x"}, "kind": 1,
                             "ids": [1, "2"], "share": 100.5, "extra": 0}) == {
        "note": "must be text", "n": "must be a whole number", "x": "must be a number",
        "items.0.v": "must be a number", "values.k": "must be a number (digits, an optional point and fraction)",
        "kind": "must be one of: a or b", "ids": "item 2: must be a whole number", "share": "must be at most 100",
        "extra": "is not a field of this request"}
    assert validate(Sample, {"items": [{"v": 1, "unknown": 2}]}) == {}  # nested: unknown keys ignored
    assert validate(Sample, {"x": float("nan")}) == {"x": "must be a finite number"}
    schema = json_schema(Sample)
    assert schema["additionalProperties"] is False and "$defs" not in str(schema)
    assert schema["properties"]["x"]["type"] == ["number", "string", "null"]
    # The text form of a bounded number says its bounds too: 0..100 as digits.
    import re
    pattern = re.compile(schema["properties"]["share"]["pattern"])
    assert all(pattern.match(t) for t in ("0", "99.99", "100", "100.00"))
    assert not any(pattern.match(t) for t in ("100.01", "101", "-1", " 5", "1e2", "NaN"))
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    assert depth_exceeds(deep) and not depth_exceeds([[[]]], limit=3) and depth_exceeds([[[[]]]], limit=3)


def test_a_dict_request_schema_is_refused():
    from app.api.openapi import documented

    with pytest.raises(TypeError):
        documented(request={"type": "object", "properties": {"name": {"type": "string"}}})


def test_a_dict_json_answer_is_refused_and_every_json_answer_has_a_model(app):
    from flask import current_app

    from app.api.contract import is_model
    from app.api.openapi import documented

    with pytest.raises(TypeError):
        documented(response={"type": "object", "properties": {"name": {"type": "string"}}})
    documented(response={"type": "string", "format": "binary"}, media_type="application/pdf")  # a file: a schema
    with app.app_context():
        metas = [getattr(view, "openapi", None) for view in current_app.view_functions.values()]
    documented_views = [m for m in metas if m]
    assert len(documented_views) > 100
    for meta in documented_views:
        if meta["media_type"] == "application/json" and meta["response"] is not None:
            assert is_model(meta["response_model"]), meta
