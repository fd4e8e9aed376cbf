"""Quarter close through the API on a real database: multi-quarter sequences, idempotency, order, overrides."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.audit.services import verify_chain
from app.extensions import db
from app.health import services as health
from app.partners.models import Partner
from app.tenancy import tenant_scope
from app.tiers.models import QuarterClose

NPS = [{"key": "nps", "direction": "higher", "target": "100", "floor": "0", "weight": "1"}]


@pytest.fixture
def world(make):
    tenant = make.tenant()
    partner = make.partner(tenant, "Acme")
    other = make.partner(tenant, "Globex")
    admin = make.admin_membership(tenant)
    viewer = make.member(tenant, "vendor_viewer")
    manager = make.member(tenant, "channel_manager")
    partner_admin = make.member(tenant, "partner_admin", partner)
    return {"tenant_id": tenant.id, "partner_id": partner.id, "other_id": other.id,
            "admin": make.token(admin), "viewer": make.token(viewer), "manager": make.token(manager),
            "partner_admin": make.token(partner_admin), "admin_membership": admin}


def agree(world, period, value, partner_key="partner_id"):
    """An accepted one-metric agreement (health = value) with its measurement, made through the services."""
    with tenant_scope(world["tenant_id"]):
        partner = db.session.get(Partner, (world["tenant_id"], world[partner_key]))
        agreement = health.propose(partner, period, NPS, None)
        agreement.proposed_by = "partner"  # so the vendor-side acceptance below is the other side
        health.accept(agreement, partner, None)
        if value is not None:
            health.record_measurements(agreement, partner, {"nps": value}, "test", None)
        db.session.commit()
        return agreement.id


def close(client, world, period, role="admin", partner_key="partner_id"):
    return client.post(f"/api/v1/partners/{world[partner_key]}/quarters/{period}/close",
                       headers={"Authorization": f"Bearer {world[role]}"})


def audit_count(world):
    with tenant_scope(world["tenant_id"]):
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def partner_tier(world):
    with tenant_scope(world["tenant_id"]):
        return db.session.get(Partner, (world["tenant_id"], world["partner_id"])).tier


SEQUENCE = [
    # period, health, qualified, assigned, status, margin
    ("2026-Q1", 60, "Silver", "Silver", "promoted", 17.0),   # 15 + 5 * 10/25
    ("2026-Q2", 40, "Registered", "Silver", "at_risk", 15.0),  # grace quarter: base only
    ("2026-Q3", 55, "Silver", "Silver", "kept", 16.0),  # recovered
    ("2026-Q4", 45, "Registered", "Silver", "at_risk", 15.0),
    ("2027-Q1", 30, "Registered", "Registered", "demoted", 13.0),  # at risk twice: demoted; 10 + 5 * 30/50
    ("2027-Q2", 75, "Gold", "Gold", "promoted", 20.0),  # exactly at Gold's minimum: base
    ("2027-Q3", 100, "Gold", "Gold", "kept", 30.0),  # 100: full bonus
]


def test_multi_quarter_sequence(client, world):
    for period, value, qualified, assigned, status, margin in SEQUENCE:
        agree(world, period, value)
        r = close(client, world, period)
        assert r.status_code == 200, r.json
        body = r.json
        assert (body["period"], body["health_score"], body["qualified_tier"], body["assigned_tier"],
                body["status"], body["margin_pct"]) == (period, float(value), qualified, assigned, status, margin)
        assert partner_tier(world) == assigned
    margins = client.get(f"/api/v1/partners/{world['partner_id']}/margins",
                         headers={"Authorization": f"Bearer {world['partner_admin']}"}).json["items"]
    assert [(m["applies_to"], m["tier"], m["margin_pct"], m["status"]) for m in margins][:3] == [
        ("2027-Q4", "Gold", 30.0, "kept"), ("2027-Q3", "Gold", 20.0, "promoted"),
        ("2027-Q2", "Registered", 13.0, "demoted")]
    with tenant_scope(world["tenant_id"]):
        assert verify_chain(world["tenant_id"]).ok


def test_closing_twice_changes_nothing_and_reclose_uses_the_same_inputs(client, world):
    agree(world, "2026-Q1", 60)
    first = close(client, world, "2026-Q1").json
    events = audit_count(world)
    again = close(client, world, "2026-Q1")
    assert again.status_code == 200 and again.json == first
    assert audit_count(world) == events
    # A corrected measurement re-closes from the same starting tier (not from the first run's outcome).
    aid = agree(world, "2026-Q2", 40)
    assert close(client, world, "2026-Q2").json["status"] == "at_risk"
    client.put(f"/api/v1/agreements/{aid}/measurements", json={"values": {"nps": 80}},
               headers={"Authorization": f"Bearer {world['admin']}"})
    r = close(client, world, "2026-Q2").json
    assert (r["status"], r["assigned_tier"], r["margin_pct"]) == ("promoted", "Gold", 22.0)  # 20 + 10 * 5/25
    client.put(f"/api/v1/agreements/{aid}/measurements", json={"values": {"nps": 40}},
               headers={"Authorization": f"Bearer {world['admin']}"})
    r = close(client, world, "2026-Q2").json
    assert (r["status"], r["assigned_tier"]) == ("at_risk", "Silver")
    assert partner_tier(world) == "Silver"
    with tenant_scope(world["tenant_id"]):
        assert db.session.scalar(select(func.count()).select_from(QuarterClose)) == 2


def test_quarters_close_in_order(client, world):
    agree(world, "2026-Q1", 60)
    agree(world, "2026-Q2", 60)
    agree(world, "2026-Q4", 60)
    assert close(client, world, "2026-Q1").status_code == 200
    r = close(client, world, "2026-Q4")
    assert r.status_code == 409 and "2026-Q2" in r.json["error"]["message"]
    assert close(client, world, "2026-Q2").status_code == 200
    r = close(client, world, "2026-Q1")  # earlier than the latest closed quarter
    assert r.status_code == 409 and "only the latest" in r.json["error"]["message"]


def test_close_needs_an_accepted_agreement(client, world):
    with tenant_scope(world["tenant_id"]):
        partner = db.session.get(Partner, (world["tenant_id"], world["partner_id"]))
        health.propose(partner, "2026-Q1", NPS, None)
        db.session.commit()
    events = audit_count(world)
    r = close(client, world, "2026-Q1")
    assert r.status_code == 409 and "accepted agreement" in r.json["error"]["message"]
    assert audit_count(world) == events


def test_missing_measurement_closes_at_zero(client, world):
    agree(world, "2026-Q1", None)
    body = close(client, world, "2026-Q1").json
    assert (body["health_score"], body["assigned_tier"], body["margin_pct"]) == (0.0, "Registered", 10.0)


@pytest.mark.parametrize("period", ["2026-Q0", "2026-5", "Q1-2026"])
def test_bad_period_in_the_url(client, world, period):
    r = close(client, world, period)
    assert r.status_code == 422 and "period" in r.json["error"]["fields"]


def test_who_may_close(client, world):
    agree(world, "2026-Q1", 60)
    assert close(client, world, "2026-Q1", role="viewer").status_code == 403
    assert close(client, world, "2026-Q1", role="manager").status_code == 403  # not this partner's manager
    assert close(client, world, "2026-Q1", role="partner_admin").status_code == 403


def test_override_with_reason(client, world):
    agree(world, "2026-Q1", 60)
    agree(world, "2026-Q2", 60)
    close(client, world, "2026-Q1")
    url = f"/api/v1/partners/{world['partner_id']}/quarters/2026-Q1/override"
    admin = {"Authorization": f"Bearer {world['admin']}"}
    r = client.post(url, json={"tier": "Gold", "margin_pct": 21.5}, headers=admin)
    assert r.status_code == 422 and "reason" in r.json["error"]["fields"]
    r = client.post(url, json={"tier": "Platinum", "reason": "Launch partner for the new product"}, headers=admin)
    assert r.status_code == 422 and "tier" in r.json["error"]["fields"]
    r = client.post(url, json={"margin_pct": 21.5, "reason": "x" * 12},
                    headers={"Authorization": f"Bearer {world['manager']}"})
    assert r.status_code == 403
    r = client.post(url, json={"tier": "Gold", "margin_pct": 21.5, "reason": "Launch partner for the new product"},
                    headers=admin)
    assert r.status_code == 200 and (r.json["tier"], r.json["effective_margin_pct"]) == ("Gold", 21.5)
    assert partner_tier(world) == "Gold"
    margins = client.get(f"/api/v1/partners/{world['partner_id']}/margins",
                         headers={"Authorization": f"Bearer {world['partner_admin']}"}).json["items"]
    assert margins[0] == {"applies_to": "2026-Q2", "period": "2026-Q1", "tier": "Gold", "margin_pct": 21.5,
                          "status": "promoted", "health_score": 60.0, "computed_tier": "Silver",
                          "computed_margin_pct": 17.0, "override_reason": "Launch partner for the new product"}
    # Re-closing keeps the override; the next quarter starts from the overridden tier.
    assert close(client, world, "2026-Q1").json["tier"] == "Gold"
    r = close(client, world, "2026-Q2").json
    assert (r["qualified_tier"], r["assigned_tier"], r["status"]) == ("Silver", "Gold", "at_risk")
    # Only the latest closed quarter may be overridden.
    assert client.post(url, json={"tier": "Silver", "reason": "Back to the computed tier"},
                       headers=admin).status_code == 409
    with tenant_scope(world["tenant_id"]):
        assert "quarter.override" in db.session.scalars(select(AuditEvent.action)).all()


def test_close_all_skips_partners_that_cannot_close(client, world):
    agree(world, "2026-Q1", 80)
    r = client.post("/api/v1/quarters/2026-Q1/close?wait=true", headers={"Authorization": f"Bearer {world['admin']}"})
    assert r.status_code == 200 and r.json["closed"] == 1 and r.json["changed"] == 1
    assert r.json["skipped"] == [{"partner_id": str(world["other_id"]),
                                  "reason": "There is no accepted agreement for 2026-Q1."}]
    again = client.post("/api/v1/quarters/2026-Q1/close?wait=true", headers={"Authorization": f"Bearer {world['admin']}"})
    assert again.json["changed"] == 0
    assert client.post("/api/v1/quarters/2026-Q1/close?wait=true",
                       headers={"Authorization": f"Bearer {world['manager']}"}).status_code == 403


def test_tier_programme_editor(client, world):
    admin = {"Authorization": f"Bearer {world['admin']}"}
    programme = client.get("/api/v1/tier-program", headers={"Authorization": f"Bearer {world['partner_admin']}"}).json
    assert [t["name"] for t in programme["tiers"]] == ["Registered", "Silver", "Gold"]
    bad = [{"name": "A", "min_score": 10, "base_margin_pct": 5, "bonus_margin_pct": 1},
           {"name": "B", "min_score": 5, "base_margin_pct": -1, "bonus_margin_pct": 1}]
    r = client.put("/api/v1/tier-program", json={"tiers": bad}, headers=admin)
    assert r.status_code == 422
    assert set(r.json["error"]["fields"]) == {"tiers.0.min_score", "tiers.1.base_margin_pct"}
    bad[0]["min_score"] = 0
    bad[1]["min_score"] = 0
    r = client.put("/api/v1/tier-program", json={"tiers": bad}, headers=admin)
    assert "previous tier" in r.json["error"]["fields"]["tiers.1.min_score"]
    good = [{"name": "Base", "min_score": 0, "base_margin_pct": 8, "bonus_margin_pct": 2},
            {"name": "Elite", "min_score": 80, "base_margin_pct": 18, "bonus_margin_pct": 7}]
    r = client.put("/api/v1/tier-program", json={"tiers": good, "version": programme["version"]}, headers=admin)
    assert r.status_code == 200 and [t["name"] for t in r.json["tiers"]] == ["Base", "Elite"]
    stale = client.put("/api/v1/tier-program", json={"tiers": good, "version": programme["version"]}, headers=admin)
    assert stale.status_code == 409
    assert client.put("/api/v1/tier-program", json={"tiers": good},
                      headers={"Authorization": f"Bearer {world['manager']}"}).status_code == 403


def test_what_if_saves_nothing(client, world):
    aid = agree(world, "2026-Q1", 60)
    events = audit_count(world)
    r = client.post(f"/api/v1/partners/{world['partner_id']}/what-if", json={"values": {"nps": 90}},
                    headers={"Authorization": f"Bearer {world['partner_admin']}"})
    assert r.status_code == 200
    assert (r.json["score"], r.json["assigned_tier"], r.json["margin_pct"], r.json["saved"]) == (90.0, "Gold", 26.0, False)
    r = client.post(f"/api/v1/partners/{world['partner_id']}/what-if", json={"targets": {"nps": 0}},
                    headers={"Authorization": f"Bearer {world['partner_admin']}"})
    assert r.status_code == 422 and "target.nps" in r.json["error"]["fields"]
    health_now = client.get(f"/api/v1/agreements/{aid}/health", headers={"Authorization": f"Bearer {world['admin']}"})
    assert health_now.json["score"] == 60.0 and audit_count(world) == events



def _agree_directly(partner, period, value):
    agreement = health.propose(partner, period, NPS, None)
    agreement.proposed_by = "partner"
    health.accept(agreement, partner, None)
    health.record_measurements(agreement, partner, {"nps": value}, "test", None)


@pytest.mark.parametrize("count", [9, 10])  # batches that divide evenly, and a short last batch
def test_close_walks_every_batch(make, monkeypatch, count):
    """Partners are closed in id-ordered batches: each gets exactly its own inputs' outcome, once."""
    from app.tiers.services import close as tiers

    monkeypatch.setattr(tiers, "CLOSE_BATCH", 3)
    tenant, elsewhere = make.tenant(), make.tenant()
    ids = [make.partner(tenant, f"Batch {i:02d}").id for i in range(count)]
    foreign = make.partner(elsewhere, "Foreign").id
    with tenant_scope(elsewhere.id):
        _agree_directly(db.session.get(Partner, (elsewhere.id, foreign)), "2026-Q1", 90)
        db.session.commit()
    with tenant_scope(tenant.id):
        for i, pid in enumerate(ids):
            _agree_directly(db.session.get(Partner, (tenant.id, pid)), "2026-Q1", 10 * i)
        db.session.commit()
        subset = tiers.close_quarter("2026-Q1", [ids[7], ids[1], ids[4], ids[8], foreign])
        db.session.commit()
        assert sorted(c.partner_id for c in subset.closed) == sorted([ids[1], ids[4], ids[7], ids[8]])
        report = tiers.close_quarter("2026-Q1")
        db.session.commit()
        assert len(report.closed) == count and not report.skipped
        assert sum(c.changed for c in report.closed) == count - 4  # the subset had closed already
        scores = dict(db.session.execute(select(QuarterClose.partner_id, QuarterClose.health_score)).all())
        assert scores == {pid: 10 * i for i, pid in enumerate(ids)}
        closes_audited = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                           .where(AuditEvent.action == "quarter.close"))
        assert closes_audited == count  # the subset's 4, then the other partners once each
    assert verify_chain(tenant.id).ok
    with tenant_scope(elsewhere.id):
        assert db.session.scalar(select(func.count()).select_from(QuarterClose)) == 0
