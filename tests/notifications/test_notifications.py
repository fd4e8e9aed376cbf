"""Notices: sent to exactly the named people, e-mailed, read only by their addressee, audited reads."""
from __future__ import annotations

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.routes import safe_link
from app.notifications.services import notify
from app.tenancy import tenant_scope
from tests.conftest import csrf_from, login, outbox_messages


def _send(tenant, memberships, **kw):
    with tenant_scope(tenant.id):
        made = notify(memberships, subject=kw.get("subject", "Action item assigned"),
                      body=kw.get("body", "Send the Q3 renewal plan."), link=kw.get("link", "/home"))
        ids = [n.id for n in made]
        db.session.commit()
    return ids


def test_notify_writes_one_notice_per_person_and_emails_each(app, make):
    tenant = make.tenant("acme")
    partner = make.partner(tenant, "Alpha")
    pa = make.member(tenant, "partner_admin", partner, email="pa@alpha.example")
    pu = make.member(tenant, "partner_user", partner, email="pu@alpha.example")
    bystander = make.member(tenant, "partner_user", partner, email="other@alpha.example")
    ids = _send(tenant, [pa, pu, pa])  # a repeated recipient gets one notice
    assert len(ids) == 2
    with tenant_scope(tenant.id):
        to = {n.membership_id for n in db.session.scalars(select(Notification))}
    assert to == {pa.id, pu.id} and bystander.id not in to
    mail = outbox_messages(app)
    assert sorted(m["to"] for m in mail) == ["pa@alpha.example", "pu@alpha.example"]
    assert all(m["subject"] == "[Tandem] Action item assigned" for m in mail)
    assert all("/home" in m["body"] and "Send the Q3 renewal plan." in m["body"] for m in mail)


def test_inactive_people_get_nothing(app, make):
    tenant = make.tenant("acme")
    partner = make.partner(tenant, "Alpha")
    pu = make.member(tenant, "partner_user", partner, email="pu@alpha.example")
    pu.active = False
    assert _send(tenant, [pu]) == []
    assert outbox_messages(app) == []


def test_only_the_addressee_sees_reads_and_opens_a_notice(app, make):
    tenant = make.tenant("acme")
    partner = make.partner(tenant, "Alpha")
    pa = make.member(tenant, "partner_admin", partner, email="pa@alpha.example")
    make.member(tenant, "partner_user", partner, email="pu@alpha.example")
    notice_id, = _send(tenant, [pa], subject="Review waiting for your signature", link="/home")

    colleague = app.test_client()
    login(colleague, "pu@alpha.example")
    assert "Review waiting" not in colleague.get("/notifications/").get_data(as_text=True)
    token = csrf_from(colleague.get("/notifications/").get_data(as_text=True))
    assert colleague.post(f"/notifications/{notice_id}/read", data={"csrf_token": token}).status_code == 404

    owner = app.test_client()
    login(owner, "pa@alpha.example")
    page = owner.get("/home").get_data(as_text=True)
    assert 'aria-label="1 unread"' in page
    listing = owner.get("/notifications/").get_data(as_text=True)
    assert "Review waiting for your signature" in listing and "<mark>new</mark>" in listing
    opened = owner.post(f"/notifications/{notice_id}/read", data={"csrf_token": csrf_from(listing)})
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/home")
    assert 'unread"' not in owner.get("/home").get_data(as_text=True)
    with tenant_scope(tenant.id):
        assert db.session.get(Notification, (tenant.id, notice_id)).read_at is not None
        reads = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action == "notification.read"))
    assert reads == 1
    # Opening it again changes nothing and audits nothing more.
    owner.post(f"/notifications/{notice_id}/read", data={"csrf_token": csrf_from(listing)})
    with tenant_scope(tenant.id):
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "notification.read")) == 1


def test_mark_all_read_touches_only_my_notices(app, make):
    tenant = make.tenant("acme")
    partner = make.partner(tenant, "Alpha")
    pa = make.member(tenant, "partner_admin", partner, email="pa@alpha.example")
    pu = make.member(tenant, "partner_user", partner, email="pu@alpha.example")
    _send(tenant, [pa, pu])
    _send(tenant, [pa])
    client = app.test_client()
    login(client, "pa@alpha.example")
    page = client.get("/notifications/").get_data(as_text=True)
    done = client.post("/notifications/read-all", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "Marked 2 notices read." in done.get_data(as_text=True)
    with tenant_scope(tenant.id):
        unread = {n.membership_id for n in db.session.scalars(select(Notification)
                                                              .where(Notification.read_at.is_(None)))}
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "notification.read_all"))
    assert unread == {pu.id}
    assert event.after == {"count": 2}


def test_api_lists_and_reads_own_notices_only(app, make):
    tenant = make.tenant("acme")
    other = make.tenant("beta")
    partner = make.partner(tenant, "Alpha")
    pa = make.member(tenant, "partner_admin", partner, email="pa@alpha.example")
    foreign = make.member(other, "vendor_viewer", email="v@beta.example")
    mine = _send(tenant, [pa], subject="First") + _send(tenant, [pa], subject="Second")
    theirs, = _send(other, [foreign], subject="Foreign")
    headers = {"Authorization": f"Bearer {make.token(pa)}"}
    client = app.test_client()
    first = client.get("/api/v1/notifications?limit=1", headers=headers).get_json()
    assert first["unread"] == 2 and len(first["items"]) == 1 and first["next_cursor"]
    second = client.get(f"/api/v1/notifications?limit=1&cursor={first['next_cursor']}", headers=headers).get_json()
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {str(i) for i in mine}
    assert second["next_cursor"] is None
    assert client.post(f"/api/v1/notifications/{theirs}/read", headers=headers).status_code == 404
    read = client.post(f"/api/v1/notifications/{mine[0]}/read", headers=headers)
    assert read.status_code == 200 and read.get_json()["read_at"]
    unread = client.get("/api/v1/notifications?unread=true", headers=headers).get_json()
    assert [n["id"] for n in unread["items"]] == [str(mine[1])]
    assert client.get("/api/v1/notifications?unread=maybe", headers=headers).status_code == 422


def test_only_links_inside_the_portal_are_followed():
    assert safe_link("/reviews/1") == "/reviews/1"
    for bad in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", None, ""):
        assert safe_link(bad) is None
