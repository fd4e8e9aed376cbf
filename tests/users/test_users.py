"""People management: who may invite, change roles and remove access, and the audit trail of it."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Membership
from app.extensions import db
from app.tenancy import tenant_scope
from tests.conftest import csrf_from, login, outbox_messages


def _invite(client, **fields):
    page = client.get("/users/invite")
    return client.post("/users/invite", data={**fields, "csrf_token": csrf_from(page.get_data(as_text=True))})


def test_vendor_admin_invite_validates_role_against_side(app, make):
    tenant = make.tenant("acme")
    partner = make.partner(tenant, "Alpha")
    client = app.test_client()
    login(client, "admin@acme.example")
    bad = _invite(client, email="x@alpha.example", role="partner_user", partner_id="")
    assert bad.status_code == 422 and "partner roles need one" in bad.get_data(as_text=True)
    assert "x@alpha.example" in bad.get_data(as_text=True)
    bad_email = _invite(client, email="not-an-email", role="vendor_viewer", partner_id="")
    assert bad_email.status_code == 422
    assert outbox_messages(app) == []
    good = _invite(client, email="x@alpha.example", role="partner_user", partner_id=str(partner.id))
    assert good.status_code == 302
    again = _invite(client, email="x@alpha.example", role="partner_user", partner_id=str(partner.id))
    assert again.status_code == 422 and "already a member" in again.get_data(as_text=True)
    with tenant_scope(tenant.id):
        invited = db.session.scalars(select(Membership).where(Membership.partner_id == partner.id)).all()
        assert [m.role for m in invited] == ["partner_user"]
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "membership.invite"))


def test_partner_admin_manages_only_own_partner_people(app, make):
    tenant = make.tenant("acme")
    alpha = make.partner(tenant, "Alpha")
    beta = make.partner(tenant, "Beta")
    make.member(tenant, "partner_admin", alpha, email="pa@alpha.example")
    colleague = make.member(tenant, "partner_user", alpha, email="pu@alpha.example")
    stranger = make.member(tenant, "partner_user", beta, email="pu@beta.example")
    vendor_cm = make.member(tenant, "channel_manager", email="cm@acme.example")
    client = app.test_client()
    login(client, "pa@alpha.example")
    listing = client.get("/users/").get_data(as_text=True)
    assert "pu@alpha.example" in listing and "pu@beta.example" not in listing and "cm@acme.example" not in listing
    token = csrf_from(listing)
    assert client.post(f"/users/{colleague.id}/role", data={"role": "partner_admin", "version": "1", "csrf_token": token}).status_code == 302
    assert client.post(f"/users/{stranger.id}/role", data={"role": "partner_admin", "version": "1", "csrf_token": token}).status_code == 404
    assert client.post(f"/users/{vendor_cm.id}/deactivate", data={"csrf_token": token}).status_code == 404
    # Partner admins cannot hand out vendor roles, even by crafting the form.
    response = _invite(client, email="new@alpha.example", role="vendor_admin", partner_id=str(alpha.id))
    assert response.status_code == 422
    with tenant_scope(tenant.id):
        assert db.session.get(Membership, (tenant.id, colleague.id)).role == "partner_admin"
        assert db.session.get(Membership, (tenant.id, stranger.id)).role == "partner_user"


def test_nobody_changes_their_own_role(app, make):
    tenant = make.tenant("acme")
    admin = make.admin_membership(tenant)
    client = app.test_client()
    login(client, "admin@acme.example")
    token = csrf_from(client.get("/users/").get_data(as_text=True))
    assert client.post(f"/users/{admin.id}/role", data={"role": "vendor_viewer", "version": "1", "csrf_token": token}).status_code == 403
    assert client.post(f"/users/{admin.id}/deactivate", data={"csrf_token": token}).status_code == 403


def test_role_change_is_audited_with_before_and_after(app, make):
    tenant = make.tenant("acme")
    viewer = make.member(tenant, "vendor_viewer", email="v@acme.example")
    client = app.test_client()
    login(client, "admin@acme.example")
    token = csrf_from(client.get("/users/").get_data(as_text=True))
    client.post(f"/users/{viewer.id}/role", data={"role": "channel_manager", "version": "1", "csrf_token": token})
    with tenant_scope(tenant.id):
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "membership.role"))
    assert (event.before, event.after) == ({"role": "vendor_viewer"}, {"role": "channel_manager"})
    audit_page = client.get("/audit/?action=membership.role").get_data(as_text=True)
    assert "Role changed from vendor_viewer to channel_manager" in audit_page
    assert re.search(r"membership\.role", audit_page)
