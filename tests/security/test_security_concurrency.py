"""Optimistic concurrency: two people edit the same record; the second gets 409; nothing is lost."""
from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.audit.models import AuditEvent
from app.auth.models import Membership
from app.extensions import db
from app.partners.models import Partner
from app.tenancy import tenant_scope
from app.tenants.models import Tenant
from tests.conftest import csrf_from, login

TRIED = {"edits": 0, "lost": 0}


@pytest.fixture
def desk(app, make):
    """A tenant, one partner, and two vendor admins signed in on two browsers."""
    tenant = make.tenant("desk", "Desk Vendor")
    partner = make.partner(tenant, "Shared Partner")
    make.member(tenant, "vendor_admin", email="second@desk.example")
    first, second = app.test_client(), app.test_client()
    login(first, "admin@desk.example")
    login(second, "second@desk.example")
    return tenant, partner, first, second


def _form(client, url: str) -> dict:
    """The edit form as the browser would post it back untouched."""
    html = client.get(url).get_data(as_text=True)
    return {"name": re.search(r'name="name"[^>]*value="([^"]*)"', html).group(1), "status": "active",
            "region": "", "certifications": "", "services_revenue_share": "", "website": "",
            "channel_manager_id": "", "notes": "",
            "version": re.search(r'name="version"[^>]*value="(\d+)"', html).group(1), "csrf_token": csrf_from(html)}


def _partner(tenant, partner_id) -> Partner:
    with tenant_scope(tenant.id):
        found = db.session.scalar(select(Partner).where(Partner.id == partner_id))
        db.session.expunge(found)  # keep the values read; a refresh outside the scope would see nothing
        db.session.rollback()
    return found


def _events(tenant, action: str) -> int:
    with tenant_scope(tenant.id):
        count = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))
        db.session.rollback()
    return count


def _tally(lost: int) -> None:
    TRIED["edits"] += 1
    TRIED["lost"] += lost


def test_partner_form_second_stale_save_is_refused_and_shows_both_versions(desk):
    tenant, partner, first, second = desk
    url = f"/partners/{partner.id}/edit"
    mine, theirs = _form(first, url), _form(second, url)
    assert mine["version"] == theirs["version"] == "1"
    assert first.post(url, data={**mine, "name": "Renamed by first"}).status_code == 302
    refused = second.post(url, data={**theirs, "website": "https://second.example"})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Renamed by first" in page and "https://second.example" in page and "version 2" in page
    saved = _partner(tenant, partner.id)
    assert (saved.name, saved.website, saved.version) == ("Renamed by first", None, 2)
    assert _events(tenant, "partner.update") == 1
    _tally(0 if saved.name == "Renamed by first" else 1)


def test_api_second_stale_patch_answers_409_and_loses_nothing(app, make, desk):
    tenant, partner, _, _ = desk
    tokens = [make.token(make.admin_membership(tenant))]
    with tenant_scope(tenant.id):
        second = db.session.scalar(select(Membership).where(Membership.role == "vendor_admin",
                                                            Membership.id != make.admin_membership(tenant).id))
    tokens.append(make.token(second))
    api = app.test_client()
    url = f"/api/v1/partners/{partner.id}"
    read = [api.get(url, headers={"Authorization": f"Bearer {t}"}).get_json()["version"] for t in tokens]
    assert read == [1, 1]
    ok = api.patch(url, json={"version": 1, "region": "emea"}, headers={"Authorization": f"Bearer {tokens[0]}"})
    assert ok.status_code == 200 and ok.get_json()["version"] == 2
    stale = api.patch(url, json={"version": 1, "region": "apac"}, headers={"Authorization": f"Bearer {tokens[1]}"})
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "conflict"
    fresh = api.patch(url, json={"version": 2, "website": "https://seen.example"},
                      headers={"Authorization": f"Bearer {tokens[1]}"})
    assert fresh.status_code == 200
    saved = _partner(tenant, partner.id)
    assert (saved.region, saved.website, saved.version) == ("emea", "https://seen.example", 3)
    _tally(0 if saved.region == "emea" else 1)


def test_two_sessions_racing_in_the_database_cannot_both_win(app, desk):
    """Both read version 1 before either writes: the version column refuses the second UPDATE."""
    tenant, partner, _, _ = desk
    with tenant_scope(tenant.id):
        with Session(db.engine) as one, Session(db.engine) as two:
            a = one.scalar(select(Partner).where(Partner.id == partner.id))
            b = two.scalar(select(Partner).where(Partner.id == partner.id))
            a.notes, b.notes = "first wins", "second would overwrite"
            one.commit()
            with pytest.raises(StaleDataError):
                two.commit()
    saved = _partner(tenant, partner.id)
    assert (saved.notes, saved.version) == ("first wins", 2)
    _tally(0 if saved.notes == "first wins" else 1)


@pytest.mark.parametrize("round_", range(3))
def test_simultaneous_form_saves_one_wins_one_gets_409(app, desk, round_):
    tenant, partner, first, second = desk
    url = f"/partners/{partner.id}/edit"
    forms = [_form(first, url), _form(second, url)]
    barrier, statuses = threading.Barrier(2), {}

    def save(i, client):
        barrier.wait()
        statuses[i] = client.post(url, data={**forms[i], "notes": f"note from {i}"}).status_code

    threads = [threading.Thread(target=save, args=(i, c)) for i, c in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(statuses.values()) == [302, 409], statuses
    winner = next(i for i, s in statuses.items() if s == 302)
    saved = _partner(tenant, partner.id)
    assert (saved.notes, saved.version) == (f"note from {winner}", 2)
    _tally(0 if saved.notes == f"note from {winner}" else 1)


def test_membership_role_change_from_a_stale_page_is_refused(make, desk):
    tenant, partner, first, second = desk
    person = make.member(tenant, "vendor_viewer", email="person@desk.example")
    pages = [c.get("/users/").get_data(as_text=True) for c in (first, second)]
    url = f"/users/{person.id}/role"
    assert first.post(url, data={"role": "channel_manager", "version": "1", "csrf_token": csrf_from(pages[0])}
                      ).status_code == 302
    refused = second.post(url, data={"role": "vendor_admin", "version": "1", "csrf_token": csrf_from(pages[1])})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Channel manager" in page and "Vendor admin" in page
    with tenant_scope(tenant.id):
        saved = db.session.scalar(select(Membership).where(Membership.id == person.id))
        db.session.expunge(saved)
        db.session.rollback()
    assert (saved.role, saved.version) == ("channel_manager", 2)
    assert _events(tenant, "membership.role") == 1
    no_version = second.post(url, data={"role": "vendor_admin", "csrf_token": csrf_from(pages[1])})
    assert no_version.status_code == 303  # a form without the version it edits is not applied
    _tally(0 if saved.role == "channel_manager" else 1)


def test_settings_second_stale_save_is_refused_and_shows_both_versions(desk):
    tenant, _, first, second = desk
    forms = [c.get("/settings/").get_data(as_text=True) for c in (first, second)]
    fields = [{"version": re.search(r'name="version"[^>]*value="(\d+)"', f).group(1), "csrf_token": csrf_from(f)}
              for f in forms]
    assert first.post("/settings/", data={**fields[0], "name": "First Name Ltd"}).status_code == 302
    refused = second.post("/settings/", data={**fields[1], "name": "Second Name Ltd"})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "First Name Ltd" in page and "Second Name Ltd" in page
    saved = db.session.get(Tenant, tenant.id)
    db.session.rollback()
    assert saved.name == "First Name Ltd"
    _tally(0 if saved.name == "First Name Ltd" else 1)


def test_zz_report_concurrent_edits(capsys):
    with capsys.disabled():
        print(f"\nconcurrency: {TRIED['edits']} concurrent edits tried, {TRIED['lost']} lost")
    assert TRIED["lost"] == 0
