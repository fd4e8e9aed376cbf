"""The JSON API: bearer tokens, error shapes, partners, cursor pagination, OpenAPI."""
from __future__ import annotations

import re

from sqlalchemy import func, select, update

from app.auth.models import ApiToken
from app.core.db import utcnow
from app.partners.models import Partner
from tests.conftest import owner_view


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_missing_or_bad_token_answers_401_json(client, make):
    make.tenant("acme")
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthorized"
        assert set(response.json["error"]) >= {"code", "message", "fields"}


def test_session_cookie_does_not_authenticate_the_api(app, make):
    from tests.conftest import login
    make.tenant("acme")
    c = app.test_client()
    login(c, "admin@acme.example")
    assert c.get("/api/v1/me").status_code == 401


def test_revoked_token_and_deactivated_membership_answer_401(client, make):
    tenant = make.tenant("acme")
    member = make.member(tenant, "vendor_viewer")
    token = make.token(member)
    assert client.get("/api/v1/me", headers=_auth(token)).status_code == 200
    with owner_view() as owner:
        owner.execute(update(ApiToken).values(revoked_at=utcnow()))
        owner.commit()
    assert client.get("/api/v1/me", headers=_auth(token)).status_code == 401


def test_me_for_vendor_staff(client, make):
    tenant = make.tenant("acme", "Acme Software")
    token = make.token(make.admin_membership(tenant))
    assert client.get("/api/v1/me", headers=_auth(token)).json == {
        "user": {"email": "admin@acme.example", "name": ""}, "tenant": {"slug": "acme", "name": "Acme Software"},
        "role": "vendor_admin", "partner": None}


def test_create_partner_and_validation(client, make):
    tenant = make.tenant("acme")
    token = make.token(make.admin_membership(tenant))
    created = client.post("/api/v1/partners", json={"name": "  Alpha  "}, headers=_auth(token))
    assert created.status_code == 201
    assert created.json["name"] == "Alpha" and created.json["tier"] is None
    assert len(created.json["id"]) == 36  # a UUID, not a sequence number
    bad = client.post("/api/v1/partners", json={"name": "", "region": "mars", "services_revenue_share": 140},
                      headers=_auth(token))
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"name", "region", "services_revenue_share"}
    not_json = client.post("/api/v1/partners", data="name=x", headers=_auth(token))
    assert not_json.status_code == 422 and "body" in not_json.json["error"]["fields"]
    with owner_view() as owner:
        assert owner.scalar(select(func.count()).select_from(Partner)) == 1


def test_roles_may_not_create_partners(client, make):
    tenant = make.tenant("acme")
    partner = make.partner(tenant, "Alpha")
    for role, partner_ref in (("channel_manager", None), ("vendor_viewer", None), ("partner_admin", partner)):
        token = make.token(make.member(tenant, role, partner_ref))
        assert client.post("/api/v1/partners", json={"name": "X"}, headers=_auth(token)).status_code == 403


def test_patch_with_stale_version_answers_409_and_changes_nothing(client, make):
    tenant = make.tenant("acme")
    partner = make.partner(tenant, "Alpha")
    token = make.token(make.admin_membership(tenant))
    first = client.patch(f"/api/v1/partners/{partner.id}", json={"version": 1, "name": "Alpha One"}, headers=_auth(token))
    assert first.status_code == 200 and first.json["version"] == 2
    stale = client.patch(f"/api/v1/partners/{partner.id}", json={"version": 1, "name": "Alpha Stale"}, headers=_auth(token))
    assert stale.status_code == 409 and stale.json["error"]["code"] == "conflict"
    assert client.get(f"/api/v1/partners/{partner.id}", headers=_auth(token)).json["name"] == "Alpha One"


def test_partner_staff_see_only_their_partner(client, make):
    tenant = make.tenant("acme")
    own = make.partner(tenant, "Own")
    other = make.partner(tenant, "Other")
    token = make.token(make.member(tenant, "partner_user", own))
    listing = client.get("/api/v1/partners", headers=_auth(token)).json
    assert [p["name"] for p in listing["items"]] == ["Own"]
    assert client.get(f"/api/v1/partners/{other.id}", headers=_auth(token)).status_code == 404


def test_cursor_pagination_walks_every_partner_once(client, make):
    tenant = make.tenant("acme")
    names = [f"Partner {i:02d}" for i in range(23)]
    for name in names:
        make.partner(tenant, name)
    token = make.token(make.admin_membership(tenant))
    seen, cursor = [], None
    while True:
        url = "/api/v1/partners?limit=5" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=_auth(token)).json
        seen += [p["name"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == names
    assert client.get("/api/v1/partners?limit=0", headers=_auth(token)).status_code == 422
    assert client.get("/api/v1/partners?cursor=!!!", headers=_auth(token)).status_code == 422


def test_openapi_document_lists_every_api_route(app, client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi":
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                path = re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
                assert (path, method.lower()) in documented, (path, method)


def test_people_create_and_revoke_their_own_tokens_in_the_portal(app, make):
    from tests.conftest import csrf_from, login
    tenant = make.tenant("acme")
    partner = make.partner(tenant, "Alpha")
    make.member(tenant, "partner_user", partner, email="pu@alpha.example")
    c = app.test_client()
    login(c, "pu@alpha.example")
    page = c.get("/users/tokens").get_data(as_text=True)
    empty = c.post("/users/tokens", data={"name": "", "csrf_token": csrf_from(page)})
    assert empty.status_code == 422
    created = c.post("/users/tokens", data={"name": "CRM sync", "csrf_token": csrf_from(page)}).get_data(as_text=True)
    import re
    raw = re.search(r"<code>(tdm_[^<]+)</code>", created).group(1)
    me = app.test_client().get("/api/v1/me", headers=_auth(raw))
    assert me.status_code == 200 and me.json["partner"]["name"] == "Alpha"
    token_id = re.search(r"/users/tokens/([0-9a-f-]{36})/revoke", created).group(1)
    assert c.post(f"/users/tokens/{token_id}/revoke", data={"csrf_token": csrf_from(created)}).status_code == 200
    assert app.test_client().get("/api/v1/me", headers=_auth(raw)).status_code == 401
    assert "CRM sync" in c.get("/users/tokens").get_data(as_text=True)


def test_production_refuses_the_default_secret(monkeypatch):
    import pytest

    from app import create_app
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["SECRET_KEY"] == "x" * 48
