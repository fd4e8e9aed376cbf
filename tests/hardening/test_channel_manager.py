"""channel_manager_id names only memberships whose role can manage partners (roles.MANAGING_ROLES)."""
from __future__ import annotations

import re

import pytest

from app.auth import roles
from tests.conftest import login


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(make):
    tenant = make.tenant("acme")
    other = make.tenant("beta")
    partner = make.partner(tenant, "Northwind")
    return {
        "tenant": tenant, "partner": partner, "token": make.token(make.admin_membership(tenant)),
        "admin": make.admin_membership(tenant),
        "manager": make.member(tenant, roles.CHANNEL_MANAGER, email="cm@acme.example"),
        "viewer": make.member(tenant, roles.VENDOR_VIEWER, email="viewer@acme.example"),
        "partner_admin": make.member(tenant, roles.PARTNER_ADMIN, partner, email="pa@acme.example"),
        "foreign_manager": make.member(other, roles.CHANNEL_MANAGER, email="cm@beta.example"),
    }


def test_managing_roles():
    assert roles.MANAGING_ROLES == (roles.VENDOR_ADMIN, roles.CHANNEL_MANAGER)
    assert roles.VENDOR_VIEWER not in roles.MANAGING_ROLES


@pytest.mark.parametrize("who, ok", [("manager", True), ("admin", True), ("viewer", False),
                                     ("partner_admin", False), ("foreign_manager", False)])
def test_api_accepts_only_managing_memberships(app, world, who, ok):
    partner = world["partner"]
    response = app.test_client().patch(f"/api/v1/partners/{partner.id}", headers=_auth(world["token"]),
                                       json={"version": partner.version, "channel_manager_id": str(world[who].id)})
    if ok:
        assert response.status_code == 200
        assert response.get_json()["channel_manager_id"] == str(world[who].id)
    else:
        assert response.status_code == 422
        assert set(response.get_json()["error"]["fields"]) == {"channel_manager_id"}
        # Nothing changed: the partner is still managed by nobody.
        again = app.test_client().get(f"/api/v1/partners/{partner.id}", headers=_auth(world["token"]))
        assert again.get_json()["channel_manager_id"] is None


def test_create_refuses_a_viewer_as_manager(app, world):
    response = app.test_client().post("/api/v1/partners", headers=_auth(world["token"]),
                                      json={"name": "Contoso", "channel_manager_id": str(world["viewer"].id)})
    assert response.status_code == 422 and "channel_manager_id" in response.get_json()["error"]["fields"]


def test_html_form_offers_only_managing_memberships_and_refuses_others(app, world):
    c = app.test_client()
    login(c, "admin@acme.example")
    page = c.get(f"/partners/{world['partner'].id}/edit").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="channel_manager_id".*?</select>', page, re.S).group(0)
    offered = set(re.findall(r'value="([^"]*)"', select)) - {""}
    assert offered == {str(world["manager"].id), str(world["admin"].id)}
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    version = re.search(r'name="version"[^>]*value="([^"]+)"', page).group(1)
    response = c.post(f"/partners/{world['partner'].id}/edit", data={
        "csrf_token": token, "version": version, "name": "Northwind", "status": "prospect",
        "channel_manager_id": str(world["viewer"].id)})
    assert response.status_code == 422
