"""IPP pages: create a version, assess, compare, rank; roles; bad input re-renders with 422."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.ipp.models import IppAssessment, IppPartnerSettings, IppProfile
from app.tenancy import tenant_scope
from tests.conftest import login, page_csrf, owner_view

# Answers to the default template (DESIGN section 2 plus region, segments, certifications,
# customer-success headcount). Weights 3, 2, 2, 2, 1, 1, 2, 1 (total 14).
VENDOR_ANSWERS = {"leadership_commitment": "yes", "cs_roi_expectation": "4", "services_core": "yes",
                  "cs_practice_led": "no", "region": "emea", "segments": "mid_market",
                  "certified_consultants": "7", "cs_headcount": "5"}
# 3 + 1.5 + 2 + 0 + 1 + 0.8 + 1.4 + 0.25 = 9.95 / 14 = 71.07.. -> 71.1, strong
VENDOR_SCORE = "71.1"
SELF_ANSWERS = dict(VENDOR_ANSWERS, cs_roi_expectation="5", cs_practice_led="yes",
                    certified_consultants="12")
# 3 + 2 + 2 + 2 + 1 + 0.8 + 2 + 0.25 = 13.05 / 14 = 93.21.. -> 93.2, ideal
SELF_SCORE = "93.2"


def counts() -> tuple[int, ...]:
    with owner_view() as owner:
        return tuple(owner.scalar(select(func.count()).select_from(m))
                     for m in (IppProfile, IppAssessment, IppPartnerSettings, AuditEvent))


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def world(app, make):
    tenant = make.tenant("north")
    acme = make.partner(tenant, "Acme Consulting", region="emea")
    globex = make.partner(tenant, "Globex Partners", region="na")
    initech = make.partner(tenant, "Initech Services", region="na")
    manager = make.member(tenant, "channel_manager", email="manager@north.example")
    make.member(tenant, "partner_admin", acme, email="admin@acme.example")
    make.member(tenant, "partner_user", acme, email="user@acme.example")
    with tenant_scope(tenant.id):
        for partner in (acme, globex):
            partner.channel_manager_id = manager.id
            db.session.add(partner)
        db.session.commit()
        default = db.session.scalar(select(IppProfile))
    clients = {}
    for who, email in (("admin", "admin@north.example"), ("manager", "manager@north.example"),
                       ("acme_admin", "admin@acme.example"), ("acme_user", "user@acme.example")):
        clients[who] = app.test_client()
        login(clients[who], email)
    return {"tenant": tenant, "acme": acme, "globex": globex, "initech": initech,
            "default": default, "c": clients}


def assess(client, partner, answers, action="final", path="assess"):
    url = f"/ipp/partners/{partner.id}/{path}"
    data = {f"a-{k}": v for k, v in answers.items()}
    data.update(action=action, csrf_token=page_csrf(client, url))
    return client.post(url, data=data)


def editor_data(client, profile, changes=None, extra_rows=()):
    """The editor's form as the page renders it, with `changes` {row: {field: value}} applied."""
    url = f"/ipp/profiles/{profile.id}/edit"
    html = client.get(url).get_data(as_text=True)
    data = {"csrf_token": page_csrf(client, url), "action": "save"}
    for name, value in re.findall(r'<input [^>]*name="([^"]+)" value="([^"]*)"', html):
        if not name.endswith(("-knockout", "-remove")):
            data[name] = unescape(value)
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>([^<]*)</textarea>', html):
        data[name] = unescape(value)
    for name, value in re.findall(r'<select name="(c-\d+-type)"[^>]*>.*?<option value="(\w+)" selected', html, re.S):
        data[name] = value
    for name in re.findall(r'<input type="checkbox" name="(c-\d+-knockout)" value="y" checked', html):
        data[name] = "y"
    for row, fields in (changes or {}).items():
        for field, value in fields.items():
            data[f"c-{row}-{field}"] = value
    return url, data


def test_new_tenant_gets_the_template_and_editing_without_assessments_changes_it(world):
    admin = world["c"]["admin"]
    page = admin.get("/ipp/profiles")
    assert page.status_code == 200 and "Ideal Partner Profile" in text_of(page)
    before = counts()
    url, data = editor_data(admin, world["default"], {1: {"weight": "4"}})
    response = admin.post(url, data=data)
    assert response.status_code == 302
    with tenant_scope(world["tenant"].id):
        profiles = db.session.scalars(select(IppProfile)).all()
        assert len(profiles) == 1 and profiles[0].number == 1
        assert profiles[0].criteria[1]["weight"] == "4"
        assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(1)) == "ipp.profile.update"
    assert counts()[0] == before[0]


def test_create_version_assess_and_history(world):
    """A channel manager assesses; the admin's edit becomes version 2; the old score stays."""
    manager, admin, acme = world["c"]["manager"], world["c"]["admin"], world["acme"]
    draft = assess(manager, acme, {"leadership_commitment": "yes"}, action="draft")
    assert draft.status_code == 302
    form = manager.get(f"/ipp/partners/{acme.id}/assess")
    assert 'value="yes" checked' in form.get_data(as_text=True)
    assert "Continue draft assessment" in text_of(manager.get(f"/partners/{acme.id}"))
    done = assess(manager, acme, VENDOR_ANSWERS)
    assert done.status_code == 302 and "/ipp/assessments/" in done.headers["Location"]
    first_url = done.headers["Location"]
    page = text_of(manager.get(first_url))
    assert VENDOR_SCORE in page and "Strong" in page and "strategic" in page
    with tenant_scope(world["tenant"].id):
        assert db.session.scalar(select(func.count()).select_from(IppAssessment)) == 1  # the draft became final

    # The version has an assessment: saving the editor creates version 2.
    url, data = editor_data(admin, world["default"], {
        8: {"key": "services_share", "question": "Services revenue share (%)?", "type": "number",
            "weight": "1", "floor": "10", "target": "50"}})
    response = admin.post(url, data=data)
    assert response.status_code == 302, text_of(response)[:2000]
    with tenant_scope(world["tenant"].id):
        versions = db.session.scalars(select(IppProfile).order_by(IppProfile.number)).all()
        assert [v.number for v in versions] == [1, 2]
        assert len(versions[0].criteria) == 8 and len(versions[1].criteria) == 9
        assert versions[0].family_id == versions[1].family_id
    old = text_of(manager.get(first_url))
    assert VENDOR_SCORE in old and "version 1 (the newest is version 2)" in old

    # Reassessed on version 2 (services share 30 % -> 0.5): 10.45 / 15 = 69.66.. -> 69.7
    assess(manager, acme, dict(VENDOR_ANSWERS, services_share="30"))
    page = text_of(manager.get(f"/partners/{acme.id}"))
    assert "69.7" in page and "Ideal Partner Profile v2" in page
    svg = manager.get(f"/partners/{acme.id}").get_data(as_text=True)
    assert "<svg" in svg and f"v1 vendor {VENDOR_SCORE}" in svg and "v2 vendor 69.7" in svg


def test_self_assessment_and_comparison(world):
    manager, acme = world["c"]["manager"], world["acme"]
    partner_admin, partner_user = world["c"]["acme_admin"], world["c"]["acme_user"]
    assess(manager, acme, VENDOR_ANSWERS)
    response = assess(partner_admin, acme, SELF_ANSWERS, path="self-assessment")
    assert response.status_code == 302
    with tenant_scope(world["tenant"].id):
        vendor_id = db.session.scalar(select(IppAssessment.id).where(IppAssessment.kind == "vendor"))

    # Vendor side: both views side by side, every difference flagged.
    page = manager.get(f"/partners/{acme.id}").get_data(as_text=True)
    assert page.count('class="changed"') == 3 and "3 criteria differ" in page
    assert VENDOR_SCORE in page and SELF_SCORE in page

    # Partner side, by default: its own self-assessment and the vendor's band only.
    for client in (partner_admin, partner_user):
        home = text_of(client.get("/home"))
        assert SELF_SCORE in home and "Strong" in home
        assert VENDOR_SCORE not in home and "differs" not in home
        assert client.get(f"/ipp/assessments/{vendor_id}").status_code == 404
    assert partner_user.get(f"/ipp/partners/{acme.id}/self-assessment").status_code == 403

    # The channel manager shares the full assessment (audited); now the partner sees the differences.
    before = counts()
    response = manager.post(f"/ipp/partners/{acme.id}/sharing", data={
        "share_vendor_assessment": "y", "csrf_token": page_csrf(manager, f"/partners/{acme.id}")})
    assert response.status_code == 302
    assert counts()[2:] == (before[2] + 1, before[3] + 1)
    home = partner_admin.get("/home").get_data(as_text=True)
    assert VENDOR_SCORE in home and home.count('class="changed"') == 3
    assert partner_user.get(f"/ipp/assessments/{vendor_id}").status_code == 200


def test_ranking_and_portfolio(world):
    manager, admin = world["c"]["manager"], world["c"]["admin"]
    assess(manager, world["acme"], VENDOR_ANSWERS)
    assess(manager, world["globex"], dict(VENDOR_ANSWERS, leadership_commitment="no"))
    assess(admin, world["initech"], SELF_ANSWERS)
    page = text_of(manager.get("/ipp/ranking"))
    order = [page.index(name) for name in ("Initech Services", "Acme Consulting", "Globex Partners")]
    assert order == sorted(order)
    assert SELF_SCORE in page and VENDOR_SCORE in page and "49.6" in page  # knockout: 6.95 / 14
    only = text_of(manager.get("/ipp/ranking?band=not_a_fit"))
    assert "Globex Partners" in only and "Acme Consulting" not in only
    region = text_of(manager.get("/ipp/ranking?region=emea"))
    assert "Acme Consulting" in region and "Initech Services" not in region
    touch = text_of(manager.get("/ipp/ranking?touch_model=strategic"))
    assert "Acme Consulting" in touch and "Initech Services" in touch and "Globex" not in touch
    portfolio = manager.get("/ipp/portfolio").get_data(as_text=True)
    assert "Ideal 1, Strong 1, Developing 0, Not a fit 1, Not assessed 0" in portfolio
    gaps = text_of(manager.get("/ipp/portfolio")).split("Gaps most partners share")[1]
    # cs_headcount: 5 / 20 = 25 % for all three partners, the lowest average.
    assert gaps.index("cs_headcount") < gaps.index("certified_consultants")
    assert "25.0 %" in gaps


def test_channel_manager_and_viewer_limits(app, make, world):
    viewer = make.member(world["tenant"], "vendor_viewer", email="viewer@north.example")
    client = app.test_client()
    login(client, "viewer@north.example")
    assert client.get("/ipp/ranking").status_code == 200
    assert client.get(f"/ipp/partners/{world['acme'].id}/assess").status_code == 403
    assert world["c"]["manager"].get(f"/ipp/partners/{world['initech'].id}/assess").status_code == 403
    assert world["c"]["manager"].get(f"/ipp/profiles/{world['default'].id}/edit").status_code == 403
    assert world["c"]["acme_admin"].get("/ipp/ranking").status_code == 403
    del viewer


@pytest.mark.parametrize("changes, message", [
    ({1: {"weight": "0"}}, "must be greater than 0"),
    ({1: {"weight": "heavy"}}, "must be a number"),
    ({6: {"target": "0"}}, "must differ from floor"),
    ({4: {"options": ""}}, "add at least one option"),
    ({4: {"options": "emea = lots"}}, "must be a number"),
])
def test_editor_bad_input_is_422_and_saves_nothing(world, changes, message):
    admin = world["c"]["admin"]
    url, data = editor_data(admin, world["default"], changes)
    before = counts()
    response = admin.post(url, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html
    row, fields = next(iter(changes.items()))
    for field, value in fields.items():  # the input is kept
        if field == "options":
            assert f'name="c-{row}-options" rows="3" aria-invalid="true">{value}</textarea>' in html
        else:
            assert f'name="c-{row}-{field}" value="{value}"' in html
    assert counts() == before


def test_new_profile_form(world):
    admin = world["c"]["admin"]
    csrf = page_csrf(admin, "/ipp/profiles/new")
    data = {"csrf_token": csrf, "action": "save", "rows": "2", "name": "Services IPP",
            "c-0-key": "tier", "c-0-question": "Tier?", "c-0-type": "choice", "c-0-weight": "2",
            "c-0-options": "gold = 10\nsilver = 4", "c-1-key": "", "c-1-question": "", "c-1-weight": ""}
    response = admin.post("/ipp/profiles/new", data=data)
    assert response.status_code == 302
    with tenant_scope(world["tenant"].id):
        made = db.session.scalar(select(IppProfile).where(IppProfile.name == "Services IPP"))
        assert made.number == 1 and made.criteria[0]["options"] == [
            {"value": "gold", "points": "10"}, {"value": "silver", "points": "4"}]
    more = admin.post("/ipp/profiles/new", data=dict(data, action="add_rows", name=""))
    assert more.status_code == 200 and 'name="c-4-key"' in more.get_data(as_text=True)
    before = counts()
    empty = admin.post("/ipp/profiles/new", data=dict(data, **{"c-0-key": "", "c-0-question": "",
                                                            "c-0-weight": ""}))
    assert empty.status_code == 422 and "Add at least one criterion" in empty.get_data(as_text=True)
    assert counts() == before


@pytest.mark.parametrize("answers, key, message", [
    ({"cs_roi_expectation": "7"}, "cs_roi_expectation", "whole number from 1 to 5"),
    ({"leadership_commitment": "maybe"}, "leadership_commitment", "must be yes or no"),
    ({"certified_consultants": "a dozen"}, "certified_consultants", "must be a number"),
    ({"region": "mars"}, "region", "must be one of"),
])
def test_assessment_bad_input_is_422_and_saves_nothing(world, answers, key, message):
    manager = world["c"]["manager"]
    before = counts()
    response = assess(manager, world["acme"], dict(VENDOR_ANSWERS, **answers))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and "nothing was saved" in html
    if key == "certified_consultants":
        assert 'name="a-certified_consultants" value="a dozen"' in html
    assert counts() == before


def test_foreign_profile_id_answers_404(app, make, world):
    other = make.tenant("south")
    with tenant_scope(other.id):
        foreign_id = db.session.scalar(select(IppProfile.id))
    manager = world["c"]["manager"]
    url = f"/ipp/partners/{world['acme'].id}/assess"
    assert manager.get(f"{url}?profile_id={foreign_id}").status_code == 404
    before = counts()
    response = manager.post(url, data={"profile_id": str(foreign_id), "action": "final",
                                       "csrf_token": page_csrf(manager, url)})
    assert response.status_code == 404 and counts() == before
    assert world["c"]["admin"].get(f"/ipp/profiles/{foreign_id}").status_code == 404
    assert world["c"]["admin"].get(f"/ipp/profiles/{foreign_id}/edit").status_code == 404


def test_demo_tenant_ranks_with_bands_and_differences(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    login(client, "manager@northwind.example", "tandem-demo-2026")
    page = text_of(client.get("/ipp/ranking"))
    expected = [("Initech Services", "99.2"), ("Acme Consulting", "89.4"), ("Stark Integrations", "72.0"),
                ("Wayne Cloud Advisory", "59.0"), ("Globex Partners", "46.7"), ("Hooli Partners", "36.0"),
                ("Umbrella Digital", "10.8")]
    positions = [page.index(f"{name} {score}") for name, score in expected]
    assert positions == sorted(positions)
    assert page.index("Umbrella Digital") < page.index("Soylent Solutions")
    partner = app.test_client()
    login(partner, "admin@acme-consulting.example", "tandem-demo-2026")
    home = partner.get("/home").get_data(as_text=True)
    assert "89.4" in home and home.count('class="changed"') == 3
