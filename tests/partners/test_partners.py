"""Partner directory, detail and edit pages, and their audit trail."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.tenancy import tenant_scope
from tests.conftest import csrf_from, login


def test_directory_searches_filters_and_pages(client, make):
    tenant = make.tenant("acme")
    for i in range(30):
        make.partner(tenant, f"Partner {i:02d}", region="emea" if i % 2 else "na")
    make.partner(tenant, "Zeta Consulting", region="apac")
    login(client, "admin@acme.example")
    first = client.get("/partners/").get_data(as_text=True)
    assert "Partner 00" in first and "Zeta Consulting" not in first and "Page 1 of 2" in first
    second = client.get("/partners/?page=2").get_data(as_text=True)
    assert "Zeta Consulting" in second
    found = client.get("/partners/?q=zeta").get_data(as_text=True)
    assert "Zeta Consulting" in found and "Partner 01" not in found
    apac = client.get("/partners/?region=apac").get_data(as_text=True)
    assert "Zeta Consulting" in apac and "Partner 02" not in apac


def test_create_partner_form_errors_keep_input_and_save_nothing(client, make):
    tenant = make.tenant("acme")
    login(client, "admin@acme.example")
    page = client.get("/partners/new")
    response = client.post("/partners/new", data={
        "name": "", "status": "active", "website": "not a url", "services_revenue_share": "140",
        "notes": "Keep me", "csrf_token": csrf_from(page.get_data(as_text=True))})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This field is required." in html and "Enter a full URL" in html
    assert "Keep me" in html and "not a url" in html
    with tenant_scope(tenant.id):
        from app.partners.models import Partner
        assert db.session.scalars(select(Partner)).all() == []


def test_edit_partner_writes_an_audit_event_with_before_and_after(client, make):
    tenant = make.tenant("acme")
    partner = make.partner(tenant, "Alpha", region="na")
    login(client, "admin@acme.example")
    page = client.get(f"/partners/{partner.id}/edit").get_data(as_text=True)
    response = client.post(f"/partners/{partner.id}/edit", data={
        "name": "Alpha Group", "status": "active", "region": "emea", "certifications": "Admin, Architect",
        "channel_manager_id": "", "version": re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1),
        "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    with tenant_scope(tenant.id):
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "partner.update"))
    assert event.before["name"] == "Alpha" and event.after["name"] == "Alpha Group"
    assert event.before["region"] == "na" and event.after["region"] == "emea"
    assert event.actor == "admin@acme.example"
    detail = client.get(f"/partners/{partner.id}").get_data(as_text=True)
    assert "Alpha Group" in detail and "Admin, Architect" in detail


def test_two_people_editing_the_same_partner_the_second_sees_a_conflict(app, make):
    tenant = make.tenant("acme")
    partner = make.partner(tenant, "Alpha")
    make.member(tenant, "vendor_admin", email="second@acme.example")
    first, second = app.test_client(), app.test_client()
    login(first, "admin@acme.example")
    login(second, "second@acme.example")
    page_a = first.get(f"/partners/{partner.id}/edit").get_data(as_text=True)
    page_b = second.get(f"/partners/{partner.id}/edit").get_data(as_text=True)

    def form(page, name):
        return {"name": name, "status": "active", "channel_manager_id": "", "csrf_token": csrf_from(page),
                "version": re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)}

    assert first.post(f"/partners/{partner.id}/edit", data=form(page_a, "Alpha by A")).status_code == 302
    clash = second.post(f"/partners/{partner.id}/edit", data=form(page_b, "Alpha by B"))
    assert clash.status_code == 409
    html = clash.get_data(as_text=True)
    assert "Alpha by A" in html and "Alpha by B" in html  # both versions shown
    assert "Alpha by A" in first.get(f"/partners/{partner.id}").get_data(as_text=True)


def test_channel_manager_edits_only_assigned_partners_and_cannot_reassign(app, make):
    tenant = make.tenant("acme")
    cm = make.member(tenant, "channel_manager", email="cm@acme.example")
    mine = make.partner(tenant, "Mine", channel_manager_id=cm.id)
    theirs = make.partner(tenant, "Theirs")
    client = app.test_client()
    login(client, "cm@acme.example")
    assert client.get(f"/partners/{mine.id}/edit").status_code == 200
    assert client.get(f"/partners/{theirs.id}/edit").status_code == 403
    assert client.get(f"/partners/{theirs.id}").status_code == 200  # reads the rest
    page = client.get(f"/partners/{mine.id}/edit").get_data(as_text=True)
    other_manager = make.member(tenant, "channel_manager", email="cm2@acme.example")
    response = client.post(f"/partners/{mine.id}/edit", data={
        "name": "Mine", "status": "active", "channel_manager_id": str(other_manager.id),
        "version": "1", "csrf_token": csrf_from(page)})
    assert response.status_code == 422  # not one of the choices offered


def test_partner_home_shows_tier_manager_and_people(app, make):
    tenant = make.tenant("acme")
    cm = make.member(tenant, "channel_manager", email="cm@acme.example")
    partner = make.partner(tenant, "Alpha", channel_manager_id=cm.id, tier="Silver")
    make.member(tenant, "partner_admin", partner, email="pa@alpha.example")
    make.member(tenant, "partner_user", partner, email="pu@alpha.example")
    client = app.test_client()
    login(client, "pu@alpha.example")
    response = client.get("/", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Silver" in html and "cm@acme.example" in html and "pa@alpha.example" in html
    assert client.get("/partners/").status_code == 403
