"""GET /api/v1/audit: vendor admins only, oldest first, cursor pages, filters."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def _world(client, make):
    tenant = make.tenant("acme")
    admin = make.token(make.admin_membership(tenant))
    for name in ("Alpha", "Beta", "Gamma"):
        assert client.post("/api/v1/partners", json={"name": name}, headers=_auth(admin)).status_code == 201
    other = make.tenant("other")
    other_admin = make.token(make.admin_membership(other))
    assert client.post("/api/v1/partners", json={"name": "Elsewhere"}, headers=_auth(other_admin)).status_code == 201
    return tenant, admin


def test_pages_walk_the_chain_in_order_without_other_tenants(client, make):
    _tenant, admin = _world(client, make)
    seen, cursor = [], None
    while True:
        url = "/api/v1/audit?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=_auth(admin))
        assert page.status_code == 200
        seen += page.json["items"]
        cursor = page.json["next_cursor"]
        if cursor is None:
            break
    seqs = [e["seq"] for e in seen]
    assert seqs == sorted(seqs) == list(range(1, len(seqs) + 1))
    assert all(a["hash"] == b["prev_hash"] for a, b in zip(seen, seen[1:]))
    summaries = " ".join(e["summary"] for e in seen)
    assert "Alpha" in summaries and "Gamma" in summaries and "Elsewhere" not in summaries


def test_filters(client, make):
    _tenant, admin = _world(client, make)
    created = client.get("/api/v1/audit?action=partner.create", headers=_auth(admin)).json["items"]
    assert [e["summary"] for e in created] == ["Created partner Alpha", "Created partner Beta", "Created partner Gamma"]
    prefix = client.get("/api/v1/audit?action=partner.", headers=_auth(admin)).json["items"]
    assert {e["action"] for e in prefix} >= {"partner.create"} and all(e["action"].startswith("partner.") for e in prefix)
    beta = created[1]
    by_object = client.get(f"/api/v1/audit?object=partner:{beta['object_id']}", headers=_auth(admin)).json["items"]
    assert [e["id"] for e in by_object] == [beta["id"]]
    by_id = client.get(f"/api/v1/audit?object={beta['object_id']}", headers=_auth(admin)).json["items"]
    assert [e["id"] for e in by_id] == [beta["id"]]
    by_actor = client.get("/api/v1/audit?actor=ADMIN@acme.example", headers=_auth(admin)).json["items"]
    assert len(by_actor) >= 3 and {e["actor"] for e in by_actor} == {"admin@acme.example"}
    assert client.get("/api/v1/audit?actor=nobody@acme.example", headers=_auth(admin)).json["items"] == []
    future = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    later = client.get("/api/v1/audit", query_string={"since": future}, headers=_auth(admin))
    assert later.status_code == 200 and later.json["items"] == []
    past = client.get("/api/v1/audit", query_string={"since": "2020-01-01T00:00:00Z"}, headers=_auth(admin)).json["items"]
    assert len(past) >= 3


def test_bad_since_and_cursor_answer_422(client, make):
    _tenant, admin = _world(client, make)
    for query, field in (({"since": "yesterday"}, "since"), ({"since": "2026-12-01T10:00:00"}, "since"), ({"since": ""}, "since"), ({"since": "2026-12-01"}, "since"),
                         ({"since": "2026-02-30T10:00:00Z"}, "since"),
                         ({"cursor": "non sense!"}, "cursor"), ({"limit": "0"}, "limit")):
        response = client.get("/api/v1/audit", query_string=query, headers=_auth(admin))
        assert response.status_code == 422 and field in response.json["error"]["fields"], query


def test_only_vendor_admins(client, make):
    tenant, _admin = _world(client, make)
    for role in ("channel_manager", "vendor_viewer"):
        token = make.token(make.member(tenant, role))
        assert client.get("/api/v1/audit", headers=_auth(token)).status_code == 403
    partner = make.partner(tenant, "Delta")
    token = make.token(make.member(tenant, "partner_admin", partner=partner))
    assert client.get("/api/v1/audit", headers=_auth(token)).status_code == 403


def test_a_well_formed_cursor_the_server_did_not_issue_is_an_empty_last_page(client, make):
    """Cursors are opaque base64url: any other form is 422; a well-formed one that holds no position
    of this list (made up, or another list's) points at nothing: 200, no items, no next page."""
    import base64
    import json

    _tenant, admin = _world(client, make)
    first = client.get("/api/v1/audit", query_string={"limit": "1"}, headers=_auth(admin)).json
    assert first["items"] and first["next_cursor"]
    made_up = base64.urlsafe_b64encode(json.dumps(["x", "y"]).encode()).decode().rstrip("=")
    huge = base64.urlsafe_b64encode(json.dumps([2 ** 70]).encode()).decode().rstrip("=")
    for cursor in ("nonsense", "AAAA", made_up, huge):
        response = client.get("/api/v1/audit", query_string={"cursor": cursor}, headers=_auth(admin))
        assert response.status_code == 200 and response.json == {"items": [], "next_cursor": None}, cursor
    # Another list's cursor (a partner name and id) holds no audit position either.
    partners = client.get("/api/v1/partners", headers=_auth(admin)).json
    assert partners["next_cursor"] is None or client.get(
        "/api/v1/audit", query_string={"cursor": partners["next_cursor"]}, headers=_auth(admin)).json["items"] == []
    # The issued cursor still walks on, and an empty cursor is the first page.
    second = client.get("/api/v1/audit", query_string={"limit": "1", "cursor": first["next_cursor"]},
                        headers=_auth(admin)).json
    assert second["items"] and second["items"][0] != first["items"][0]
    assert client.get("/api/v1/audit", query_string={"limit": "1", "cursor": ""}, headers=_auth(admin)).json == first
