"""Touch plans through the services, the API and the pages: generation from the band, a band change
shaping the next quarter only, touches by either side, coverage sums against brute force, bad input
writing nothing, and no partner seeing another's touches."""
from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from tests.support.accounts_world import build  # noqa: I001  (imports app.auth first)
from app.audit.models import AuditEvent
from app.enablement import rules, services
from app.enablement.models import Touch, TouchPlan, Touchpoint
from app.extensions import db
from app.health.periods import Period, period_for
from app.ipp.models import IppAssessment, IppProfile
from app.partners.models import Partner
from app.tenancy import tenant_scope
from tests.conftest import csrf_from, login


def set_band(tenant_id, partner_id, band):
    """A new current vendor assessment in `band` (the previous one stays as history)."""
    with tenant_scope(tenant_id):
        db.session.execute(update(IppAssessment).where(IppAssessment.partner_id == partner_id,
                                                       IppAssessment.kind == "vendor").values(is_current=False))
        profile = db.session.scalar(select(IppProfile))
        db.session.add(IppAssessment(id=uuid.uuid4(), partner_id=partner_id, profile_id=profile.id, kind="vendor",
                                     status="final", answers={}, band=band, is_current=True,
                                     touch_model=rules.touch_model_for(band)))
        db.session.commit()


def count(tenant_id, model) -> int:
    with tenant_scope(tenant_id):
        return db.session.scalar(select(func.count()).select_from(model))


THIS = period_for(date.today())


def test_band_change_changes_next_quarter_only(world, client):
    set_band(world.tenant_id, world.a_id, "ideal")
    r = world.api(client, "channel_manager", "POST", f"/partners/{world.a_id}/touch-plan", json={"period": str(THIS)})
    assert r.status_code == 201 and r.get_json()["created"] is True
    assert r.get_json()["touch_model"] == "strategic" and len(r.get_json()["touchpoints"]) == 5
    set_band(world.tenant_id, world.a_id, "developing")
    # The current quarter's plan stays as it was made; asking again answers it unchanged.
    again = world.api(client, "channel_manager", "POST", f"/partners/{world.a_id}/touch-plan", json={"period": str(THIS)})
    assert again.status_code == 201 and again.get_json()["created"] is False
    assert again.get_json()["touch_model"] == "strategic"
    assert len(again.get_json()["touchpoints"]) == 5
    # The command makes next quarter's plans from the band now.
    with tenant_scope(world.tenant_id):
        assert services.generate_plans(THIS.next()) == 2  # both partners (B unassessed)
        assert services.generate_plans(THIS.next()) == 0  # idempotent
        db.session.commit()
    nxt = world.api(client, "partner_user", "GET", f"/partners/{world.a_id}/touch-plan?period={THIS.next()}").get_json()
    assert nxt["band"] == "developing" and nxt["touch_model"] == "growth"
    assert [p["kind"] for p in nxt["touchpoints"]] == [p.kind for p in rules.plan_for("developing", THIS.next())]
    b = world.api(client, "vendor_admin", "GET", f"/partners/{world.b_id}/touch-plan?period={THIS.next()}").get_json()
    assert b["band"] is None and b["touch_model"] == "digital"
    assert count(world.tenant_id, TouchPlan) == 3


def test_command_makes_next_quarters_plans(world, app):
    set_band(world.tenant_id, world.a_id, "strong")
    result = app.test_cli_runner().invoke(args=["enablement", "plans", "--tenant", world.tenant.slug])
    assert result.exit_code == 0, result.output
    assert f"2 plans made for {THIS.next()}" in result.output
    with tenant_scope(world.tenant_id):
        assert db.session.scalar(select(TouchPlan.touch_model).where(TouchPlan.partner_id == world.a_id)) == "strategic"


def _plan(world, client, partner="a"):
    pid = world.a_id if partner == "a" else world.b_id
    r = world.api(client, "vendor_admin", "POST", f"/partners/{pid}/touch-plan", json={"period": str(THIS)})
    assert r.status_code == 201
    return r.get_json()


def test_touches_by_either_side_fulfil_touchpoints(world, client):
    plan = _plan(world, client)
    point = plan["touchpoints"][0]
    today = date.today().isoformat()
    r = world.api(client, "partner_user", "POST", f"/partners/{world.a_id}/touches",
                  json={"kind": point["kind"], "happened_on": today, "notes": "Call with the CS lead",
                        "touchpoint_id": point["id"]})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["side"] == "partner"
    r = world.api(client, "channel_manager", "POST", f"/partners/{world.a_id}/touches",
                  json={"kind": "pipeline_call", "happened_on": today})
    assert r.status_code == 201 and r.get_json()["side"] == "vendor"
    got = world.api(client, "vendor_admin", "GET", f"/partners/{world.a_id}/touch-plan").get_json()
    assert got["touchpoints"][0]["state"] == "done" and got["touchpoints"][0]["done_on"] == today
    # A second touch cannot fulfil the same touchpoint.
    r = world.api(client, "partner_admin", "POST", f"/partners/{world.a_id}/touches",
                  json={"kind": point["kind"], "happened_on": today, "touchpoint_id": point["id"]})
    assert r.status_code == 422 and "touchpoint_id" in r.get_json()["error"]["fields"]
    with tenant_scope(world.tenant_id):
        actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("touch%"))))
    assert actions.count("touch.logged") == 2 and actions.count("touch_plan.generated") == 1
    # The viewer reads but may not log; the other partner's staff never see A's touches (404).
    assert world.api(client, "vendor_viewer", "POST", f"/partners/{world.a_id}/touches",
                     json={"kind": "pipeline_call", "happened_on": today}).status_code == 403
    assert world.api(client, "b_user", "GET", f"/partners/{world.a_id}/touches").status_code == 404
    assert world.api(client, "b_admin", "POST", f"/partners/{world.a_id}/touches",
                     json={"kind": "pipeline_call", "happened_on": today}).status_code == 404
    assert world.api(client, "b_user", "GET", f"/partners/{world.b_id}/touches").get_json()["items"] == []
    assert len(world.api(client, "partner_user", "GET", f"/partners/{world.a_id}/touches").get_json()["items"]) == 2


@pytest.mark.parametrize("body, field", [
    ({"kind": "lunch", "happened_on": "2026-01-01"}, "kind"),
    ({"kind": "pipeline_call", "happened_on": "yesterday"}, "happened_on"),
    ({"kind": "pipeline_call", "happened_on": "TOMORROW"}, "happened_on"),  # dated when the test runs
    ({"kind": "pipeline_call", "happened_on": "1999-12-31"}, "happened_on"),
    ({"kind": "pipeline_call", "happened_on": "2026-01-01", "notes": "x" * 2001}, "notes"),
    ({"kind": "pipeline_call", "happened_on": "2026-01-01", "touchpoint_id": str(uuid.uuid4())}, "touchpoint_id"),
    ({"kind": "pipeline_call", "happened_on": "2026-01-01", "touchpoint_id": "nope"}, "touchpoint_id"),
])
def test_bad_touch_writes_nothing(world, client, body, field):
    # Tomorrow as of the request, not of collection (a run crossing midnight UTC made it today).
    if body["happened_on"] == "TOMORROW":
        body = {**body, "happened_on": (date.today() + timedelta(days=1)).isoformat()}
    before = count(world.tenant_id, AuditEvent)
    r = world.api(client, "partner_admin", "POST", f"/partners/{world.a_id}/touches", json=body)
    assert r.status_code == 422 and field in r.get_json()["error"]["fields"], r.get_json()
    assert count(world.tenant_id, Touch) == 0 and count(world.tenant_id, AuditEvent) == before


def test_touchpoint_of_another_partner_or_kind_refused(world, client):
    b_point = _plan(world, client, "b")["touchpoints"][0]
    r = world.api(client, "vendor_admin", "POST", f"/partners/{world.a_id}/touches",
                  json={"kind": b_point["kind"], "happened_on": date.today().isoformat(), "touchpoint_id": b_point["id"]})
    assert r.status_code == 422 and "touchpoint_id" in r.get_json()["error"]["fields"]
    a_point = _plan(world, client)["touchpoints"][0]
    other_kind = next(k for k in rules.KINDS if k != a_point["kind"])
    r = world.api(client, "vendor_admin", "POST", f"/partners/{world.a_id}/touches",
                  json={"kind": other_kind, "happened_on": date.today().isoformat(), "touchpoint_id": a_point["id"]})
    assert r.status_code == 422 and "touchpoint_id" in r.get_json()["error"]["fields"]
    assert count(world.tenant_id, Touch) == 0


def test_coverage_sums_equal_brute_force(world, make, client):
    rng = random.Random(14)
    managers = [world.members["channel_manager"].id, make.member(world.tenant, "channel_manager").id, None]
    partners = [world.a_id, world.b_id] + [make.partner(world.tenant, f"P{i}").id for i in range(6)]
    quarter = Period(2026, 2)
    on = date(2026, 5, 16)
    with tenant_scope(world.tenant_id):
        for pid in partners:
            partner = db.session.get(Partner, (world.tenant_id, pid))
            partner.channel_manager_id = rng.choice(managers)
            plan, _ = services.generate_plan(partner, quarter, rng.choice(["ideal", "developing", None]))
            for p in services.touchpoints(plan):
                if rng.random() < 0.5:
                    p.done_on = p.due
            # Another quarter's touchpoints never count.
            services.generate_plan(partner, quarter.next(), "ideal")
        db.session.commit()
        brute: dict = {}
        rows = db.session.execute(select(Touchpoint, Partner.channel_manager_id)
                                  .join(Partner, Partner.id == Touchpoint.partner_id)).all()
        for p, manager in rows:
            if not quarter.contains(p.due):
                continue
            state = rules.touchpoint_state(p.done_on, p.due, on)
            b = brute.setdefault(manager, {"due": 0, "done": 0, "overdue": 0, "open": 0})
            b["due"] += 1
            b[state] += 1
        got = {r.manager_id: {"due": r.due, "done": r.done, "overdue": r.overdue, "open": r.open}
               for r in services.coverage(quarter, on)}
    assert got == brute and sum(v["due"] for v in got.values()) > 0
    # The API answers the same counts; partner staff may not ask.
    api = world.api(client, "vendor_viewer", "GET", "/touch-coverage?period=2026-Q2").get_json()
    assert sum(m["due"] for m in api["managers"]) == sum(v["due"] for v in brute.values())
    assert world.api(client, "partner_admin", "GET", "/touch-coverage").status_code == 403


def test_pages_log_a_touch_and_rerender_bad_input(world, client):
    _plan(world, client)
    login(client, world.emails["partner_user"])
    page = client.get(f"/enablement/partners/{world.a_id}/touches")
    assert page.status_code == 200 and "Log a touch" in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    bad = client.post(f"/enablement/partners/{world.a_id}/touches",
                      data={"csrf_token": token, "kind": "pipeline_call", "happened_on": "2999-01-01", "notes": "n"})
    assert bad.status_code == 422 and "must be between" in bad.get_data(as_text=True)
    assert count(world.tenant_id, Touch) == 0
    no_csrf = client.post(f"/enablement/partners/{world.a_id}/touches",
                          data={"kind": "pipeline_call", "happened_on": date.today().isoformat()})
    assert no_csrf.status_code == 400 and count(world.tenant_id, Touch) == 0
    ok = client.post(f"/enablement/partners/{world.a_id}/touches",
                     data={"csrf_token": token, "kind": "pipeline_call", "happened_on": date.today().isoformat(),
                           "notes": "Reviewed the pipeline"})
    assert ok.status_code == 302 and count(world.tenant_id, Touch) == 1
    assert "Reviewed the pipeline" in client.get(f"/enablement/partners/{world.a_id}/touches").get_data(as_text=True)
    assert client.get(f"/enablement/partners/{world.b_id}/touches").status_code == 404
    home = client.get("/home").get_data(as_text=True)
    assert f"Touch plan, {THIS}" in home


def test_review_section_counts_the_quarter(world, client, app):
    from app.enablement.review import build

    plan = _plan(world, client)
    first = plan["touchpoints"][0]
    world.api(client, "partner_admin", "POST", f"/partners/{world.a_id}/touches",
              json={"kind": first["kind"], "happened_on": date.today().isoformat(), "touchpoint_id": first["id"]})
    with tenant_scope(world.tenant_id):
        a = db.session.get(Partner, (world.tenant_id, world.a_id))
        data = build(a, str(THIS), "vendor")
        assert data["touches"] == 1 and data["done"] == 1 and len(data["items"]) == len(plan["touchpoints"])
        from flask import render_template
        with app.test_request_context():
            html = render_template("enablement/review_section.html", data=data)
        assert f"1 of {len(plan['touchpoints'])} touchpoints done" in html and "1 touches logged" in html
        assert build(a, str(THIS.previous()), "partner") is None
        b = db.session.get(Partner, (world.tenant_id, world.b_id))
        assert build(b, str(THIS), "partner") is None  # B has no plan: nothing of A's leaks into it
