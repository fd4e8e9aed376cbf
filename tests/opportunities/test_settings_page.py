"""The opportunity settings page (vendor admins): the stage list, the registration SLA, the protection
period and its extension, with the API's rules; bad input re-renders with field errors and writes nothing."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.support.accounts_world import build  # noqa: I001  (imports app.auth first)
from app.audit.models import AuditEvent
from app.extensions import db
from app.opportunities import services
from app.opportunities.models import Opportunity
from app.tenancy import tenant_scope
from app.tenants.models import Tenant
from tests.conftest import csrf_from, login

PATH = "/opportunities/settings"


@pytest.fixture
def world(app, make):
    return build(make, with_accounts=False)


def _signed_in(app, world, who="vendor_admin"):
    client = app.test_client()
    login(client, world.emails[who])
    return client


def _form(page: str, **changes) -> dict:
    """The page's form as a browser would send it, with `changes` on top."""
    data = {"csrf_token": csrf_from(page), "version": re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)}
    for name, value in re.findall(r'<input[^>]*name="(stages-\d+-(?:key|label))"[^>]*value="([^"]*)"', page):
        data[name] = value
    for name, value in re.findall(r'<select[^>]*name="(stages-\d+-outcome)".*?<option selected value="([^"]*)"', page, re.S):
        data[name] = value
    for name in ("sla_business_days", "protection_days", "extension_days"):
        data[name] = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)
    data.update(changes)
    return data


def _settings(world) -> dict:
    with tenant_scope(world.tenant_id):
        tenant = db.session.get(Tenant, world.tenant_id)
        db.session.refresh(tenant)
        return services.settings_of(tenant).as_json()


def _audits(world) -> int:
    with tenant_scope(world.tenant_id):
        return db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "opportunities.settings"))


def test_only_vendor_admins_open_it_and_it_shows_the_saved_settings_with_room_to_add(app, world):
    page = _signed_in(app, world).get(PATH)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    data = _form(html)
    assert [data[f"stages-{i}-key"] for i in range(6)] == ["identified", "qualified", "proposal", "negotiation",
                                                           "won", "lost"]
    assert [data[f"stages-{i}-outcome"] for i in range(6)] == ["open"] * 4 + ["won", "lost"]
    assert data["stages-6-key"] == data["stages-8-key"] == "" and "stages-9-key" not in data  # three empty rows
    assert (data["sla_business_days"], data["protection_days"], data["extension_days"]) == ("2", "90", "90")
    for who in ("channel_manager", "vendor_viewer", "partner_admin", "partner_user"):
        assert _signed_in(app, world, who).get(PATH).status_code == 403, who


def test_a_vendor_admin_saves_stages_sla_protection_and_extension(app, world):
    client = _signed_in(app, world)
    data = _form(client.get(PATH).get_data(as_text=True), **{
        "stages-6-key": "verbal_commit", "stages-6-label": "Verbal commit", "stages-6-outcome": "open",
        "stages-1-label": "Qualified lead", "stages-0-key": "", "stages-0-label": "",  # an emptied row is dropped
        "sla_business_days": "5", "protection_days": "60", "extension_days": "30"})
    response = client.post(PATH, data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(PATH)
    saved = _settings(world)
    assert [s["key"] for s in saved["stages"]] == ["qualified", "proposal", "negotiation", "won", "lost", "verbal_commit"]
    assert saved["stages"][0]["label"] == "Qualified lead"
    assert (saved["sla_business_days"], saved["protection_days"], saved["extension_days"]) == (5, 60, 30)
    assert _audits(world) == 1
    # the API reads the same settings, and the extension applies to the one extension of a registration
    api = world.api(client, "partner_user", "GET", "/opportunity-settings").get_json()
    assert api["extension_days"] == 30 and [s["key"] for s in api["stages"]][-1] == "verbal_commit"
    # sending the same again changes nothing and records nothing
    again = _form(client.get(PATH).get_data(as_text=True))
    assert client.post(PATH, data=again).status_code == 302 and _audits(world) == 1


def test_the_extension_setting_lengthens_an_approved_registration_once(app, world):
    from tests.opportunities.test_opportunities import actor_of  # the world's people as actors

    from app.accounts.models import Account

    client = _signed_in(app, world)
    data = _form(client.get(PATH).get_data(as_text=True), protection_days="60", extension_days="15")
    assert client.post(PATH, data=data).status_code == 302
    day0 = date(2027, 1, 4)
    with tenant_scope(world.tenant_id):
        account = Account(owner_key=str(world.a_id), owner_partner_id=world.a_id, name="Ext", domain="ext.example",
                          employees=10, segment="smb")
        db.session.add(account)
        db.session.flush()
        partner, admin = actor_of(world, "partner_user"), actor_of(world, "vendor_admin")
        opp = services.create_opportunity(partner, {"account_id": str(account.id), "kind": "upsell", "product": "P",
                                                    "amount": "10", "currency": "EUR",
                                                    "expected_close": (date.today() + timedelta(days=30)).isoformat()})
        reg = services.register(partner, opp, on=day0)
        services.approve(admin, reg, on=day0)
        assert reg.protected_until == day0 + timedelta(days=60)
        services.extend(admin, reg, on=day0 + timedelta(days=50))
        assert reg.protected_until == day0 + timedelta(days=75)
        db.session.rollback()


BAD = [
    # (what, changes, (row index or None, field name), message part)
    ("two stages with one key", {"stages-1-key": "identified"}, (1, "key"), "its own key"),
    ("a key with capitals", {"stages-2-key": "Big Deal"}, (2, "key"), "lower-case"),
    ("a label too long", {"stages-3-label": "x" * 61}, (3, "label"), "60 characters"),
    ("an outcome made up", {"stages-3-outcome": "maybe"}, (3, "outcome"), "Use one of"),
    ("no lost stage", {"stages-5-key": "", "stages-5-label": ""}, None, "one lost"),
    ("fewer than 3 stages", {f"stages-{i}-key": "" for i in range(1, 5)} | {f"stages-{i}-label": "" for i in range(1, 5)},
     None, "3 to 20 stages"),
    ("SLA of 0 days", {"sla_business_days": "0"}, (None, "sla_business_days"), "1 to 60"),
    ("SLA left empty", {"sla_business_days": ""}, (None, "sla_business_days"), "1 to 60"),
    ("protection in words", {"protection_days": "ninety"}, (None, "protection_days"), "1 to 730"),
    ("negative extension", {"extension_days": "-5"}, (None, "extension_days"), "1 to 730"),
    ("extension beyond two years", {"extension_days": "731"}, (None, "extension_days"), "1 to 730"),
]


@pytest.mark.parametrize("what, changes, where, message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_re_renders_with_the_field_error_and_writes_nothing(app, world, what, changes, where, message):
    client = _signed_in(app, world)
    before = _settings(world)
    response = client.post(PATH, data=_form(client.get(PATH).get_data(as_text=True), **changes))
    assert response.status_code == 422, what
    html = response.get_data(as_text=True)
    assert message in html
    if where is not None:
        row, name = where
        field_id = f"stages-{row}-{name}" if row is not None else name
        assert f'id="{field_id}-error"' in html and f'aria-describedby="{field_id}-error"' in html
        assert message in html.split(f'id="{field_id}-error"', 1)[1].split("</small>", 1)[0]
    else:
        assert 'class="error" role="alert"' in html
    sent = _form(html)  # the form keeps what was sent
    for name, value in changes.items():
        if name.endswith("-outcome"):
            continue  # a made-up outcome is not an option to show selected
        assert sent.get(name, "") == value, name
    assert _settings(world) == before and _audits(world) == 0


def test_a_stage_in_use_cannot_be_dropped(app, world):
    from tests.opportunities.test_opportunities import actor_of

    from app.accounts.models import Account

    with tenant_scope(world.tenant_id):
        account = Account(owner_key=str(world.a_id), owner_partner_id=world.a_id, name="Use", domain="use.example",
                          employees=10, segment="smb")
        db.session.add(account)
        db.session.flush()
        services.create_opportunity(actor_of(world, "partner_user"), {
            "account_id": str(account.id), "kind": "upsell", "product": "P", "amount": "10", "currency": "EUR",
            "expected_close": (date.today() + timedelta(days=30)).isoformat(), "stage": "proposal"})
        db.session.commit()
    client = _signed_in(app, world)
    response = client.post(PATH, data=_form(client.get(PATH).get_data(as_text=True),
                                            **{"stages-2-key": "", "stages-2-label": ""}))
    assert response.status_code == 422 and "&#39;proposal&#39;" in response.get_data(as_text=True)
    with tenant_scope(world.tenant_id):
        assert db.session.scalar(select(Opportunity.stage)) == "proposal"
    assert "proposal" in [s["key"] for s in _settings(world)["stages"]] and _audits(world) == 0


def test_a_stale_form_answers_409_shows_the_saved_settings_and_writes_nothing(app, world):
    first, second = _signed_in(app, world), _signed_in(app, world)
    mine = _form(second.get(PATH).get_data(as_text=True), sla_business_days="9")
    assert first.post(PATH, data=_form(first.get(PATH).get_data(as_text=True), sla_business_days="4")).status_code == 302
    response = second.post(PATH, data=mine)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else saved" in html and _form(html)["sla_business_days"] == "4"
    assert _settings(world)["sla_business_days"] == 4 and _audits(world) == 1


def test_a_post_without_the_csrf_token_is_refused(app, world):
    client = _signed_in(app, world)
    data = _form(client.get(PATH).get_data(as_text=True), sla_business_days="7")
    del data["csrf_token"]
    assert client.post(PATH, data=data).status_code == 400
    assert _settings(world)["sla_business_days"] == 2 and _audits(world) == 0


def test_the_admin_menu_holds_the_entry_for_vendor_admins_only(app, world):
    def top_bar(who):
        html = _signed_in(app, world, who).get("/", follow_redirects=True).get_data(as_text=True)
        return html.split("<header", 1)[1].split("</header>", 1)[0]

    menus = dict(re.findall(r"<summary[^>]*>([^<]+)</summary>(.*?)</details>", top_bar("vendor_admin"), re.S))
    assert f'href="{PATH}"' in menus["Admin"] and PATH not in menus["Customers"]
    for who in ("channel_manager", "partner_admin"):
        bar = top_bar(who)
        assert "Pipeline" in bar and PATH not in bar, who
