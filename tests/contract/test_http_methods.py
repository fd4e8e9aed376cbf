"""RFC 9110 method semantics: 405 names the allowed methods, OPTIONS answers Allow, HEAD is GET without a body."""
from __future__ import annotations

import re
import uuid

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def _value(match: re.Match) -> str:
    converter, args = match.group(1), match.group(2)
    if converter == "uuid":
        return str(uuid.uuid4())
    if converter == "any":
        return args.split(",")[0].strip().strip("'\"")
    return "2026-Q1"


def _concrete(rule) -> str:
    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", _value, rule.rule)


def _api_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")]


def test_every_api_405_carries_allow(app, client, make):
    token = make.token(make.admin_membership(make.tenant("acme")))
    checked = 0
    for rule in _api_rules(app):
        path = _concrete(rule)
        allowed = set(app.url_map.bind("localhost").allowed_methods(path))
        for method in sorted(METHODS - allowed):
            response = client.open(path, method=method, headers=_auth(token))
            assert response.status_code == 405, (method, path, response.status_code)
            assert response.json["error"]["code"] == "method_not_allowed"
            listed = {m.strip() for m in response.headers["Allow"].split(",")}
            assert listed == allowed | {"OPTIONS"}, (path, listed, allowed)
            checked += 1
    assert checked > 20


def test_html_405_carries_allow(client, make):
    make.tenant("acme")
    response = client.put("/auth/login")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {"GET", "HEAD", "POST", "OPTIONS"}


def test_options_answers_allow_without_a_token_or_data(client, make):
    make.tenant("acme")
    response = client.options("/api/v1/partners")
    assert response.status_code == 200
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {"GET", "HEAD", "POST", "OPTIONS"}
    assert response.data == b""
    page = client.options("/partners/")
    assert page.status_code == 200 and "GET" in page.headers["Allow"] and page.data == b""


def test_head_is_get_without_a_body(client, make):
    token = make.token(make.admin_membership(make.tenant("acme")))
    get = client.get("/api/v1/me", headers=_auth(token))
    head = client.head("/api/v1/me", headers=_auth(token))
    assert head.status_code == get.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    assert client.head("/api/v1/me").status_code == 401


def test_401_names_the_bearer_scheme(client, make):
    make.tenant("acme")
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
