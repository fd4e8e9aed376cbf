"""Agreements, measurements and health through the API: who may do what, and bad input."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.health.models import Agreement, Measurement
from app.tenancy import tenant_scope
from tests.conftest import outbox_messages

METRICS = [
    {"key": "nps", "direction": "higher", "target": 50, "floor": 0, "weight": 2},
    {"key": "time_to_value", "direction": "lower", "target": 30, "floor": 90, "weight": 1},
    {"key": "gross_renewal_rate", "direction": "higher", "target": 95, "floor": 75, "weight": 1},
]


class Side:
    """One tenant, one partner with its people, and API tokens per role."""

    def __init__(self, make):
        self.tenant = make.tenant()
        self.tenant_id = self.tenant.id
        self.partner = make.partner(self.tenant, "Acme")
        self.other = make.partner(self.tenant, "Globex")
        self.partner_id, self.other_id = self.partner.id, self.other.id
        self.people = {"vendor_admin": make.admin_membership(self.tenant)}
        self.people["channel_manager"] = make.member(self.tenant, "channel_manager")
        self.people["other_manager"] = make.member(self.tenant, "channel_manager")
        self.people["vendor_viewer"] = make.member(self.tenant, "vendor_viewer")
        self.people["partner_admin"] = make.member(self.tenant, "partner_admin", self.partner)
        self.people["partner_user"] = make.member(self.tenant, "partner_user", self.partner)
        self.people["other_partner_admin"] = make.member(self.tenant, "partner_admin", self.other)
        with tenant_scope(self.tenant.id):
            from app.partners.models import Partner
            p = db.session.get(Partner, (self.tenant.id, self.partner.id))
            p.channel_manager_id = self.people["channel_manager"].id
            db.session.commit()
        self.tokens = {role: make.token(m) for role, m in self.people.items()}

    def headers(self, role):
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture
def side(make):
    return Side(make)


def call(client, side, role, method, path, body=None):
    return client.open(f"/api/v1{path}", method=method, headers=side.headers(role), json=body)


def propose(client, side, role="channel_manager", period="2026-Q1", metrics=METRICS):
    return call(client, side, role, "POST", f"/partners/{side.partner_id}/agreements",
                {"period": period, "metrics": metrics})


def count(model, tenant_id):
    with tenant_scope(tenant_id):
        return db.session.scalar(select(func.count()).select_from(model))


def test_propose_accept_measure_health(client, side, app):
    r = propose(client, side)
    assert r.status_code == 201, r.json
    body = r.json
    assert (body["period"], body["status"], body["proposed_by"]) == ("2026-Q1", "proposed", "vendor")
    assert body["metrics"][0] == {"key": "nps", "direction": "higher", "target": 50.0, "floor": 0.0, "weight": 2.0}
    # The partner admin is notified by e-mail.
    mails = outbox_messages(app)
    assert any(side.people["partner_admin"].user_id and "2026-Q1" in m["subject"] for m in mails)
    aid = body["id"]
    # The proposing side may not accept its own proposal.
    assert call(client, side, "vendor_admin", "POST", f"/agreements/{aid}/accept").status_code == 403
    assert call(client, side, "channel_manager", "POST", f"/agreements/{aid}/accept").status_code == 403
    assert call(client, side, "partner_user", "POST", f"/agreements/{aid}/accept").status_code == 403
    r = call(client, side, "partner_admin", "POST", f"/agreements/{aid}/accept")
    assert r.status_code == 200 and r.json["status"] == "accepted"
    # Accepting twice is a conflict.
    assert call(client, side, "partner_admin", "POST", f"/agreements/{aid}/accept").status_code == 409

    r = call(client, side, "partner_user", "PUT", f"/agreements/{aid}/measurements",
             {"values": {"nps": 40, "time_to_value": "45"}, "source": "customer survey"})
    assert r.status_code == 200, r.json
    assert {i["key"]: (i["value"], i["side"], i["source"]) for i in r.json["items"]} == {
        "nps": (40.0, "partner", "customer survey"), "time_to_value": (45.0, "partner", "customer survey")}
    health = call(client, side, "vendor_viewer", "GET", f"/agreements/{aid}/health").json
    # 100 * (2 * 0.8 + 0.75 + 0) / 4 = 58.75 -> 58.8 half-up; renewal missing.
    assert health["score"] == 58.8 and health["color"] == "yellow"
    lines = {m["key"]: m for m in health["metrics"]}
    assert lines["gross_renewal_rate"]["missing"] is True and lines["gross_renewal_rate"]["value"] is None
    assert lines["nps"]["attainment"] == 0.8 and lines["time_to_value"]["attainment"] == 0.75
    assert health["biggest_lever"] == "gross_renewal_rate"
    with tenant_scope(side.tenant_id):
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert {"agreement.propose", "agreement.accept", "measurement.record"} <= set(actions)


def test_counter_proposal_supersedes_and_history_is_shared(client, side):
    first = propose(client, side).json["id"]
    counter = propose(client, side, role="partner_admin", metrics=METRICS[:2])
    assert counter.status_code == 201 and counter.json["proposed_by"] == "partner"
    items = call(client, side, "partner_user", "GET", f"/partners/{side.partner_id}/agreements").json["items"]
    assert [(i["proposed_by"], i["status"]) for i in items] == [("partner", "proposed"), ("vendor", "superseded")]
    # The superseded proposal no longer waits for anyone.
    assert call(client, side, "partner_admin", "POST", f"/agreements/{first}/accept").status_code == 409
    # The partner may not accept its own counter-proposal; the vendor side may.
    assert call(client, side, "partner_admin", "POST", f"/agreements/{counter.json['id']}/accept").status_code == 403
    assert call(client, side, "channel_manager", "POST", f"/agreements/{counter.json['id']}/accept").status_code == 200
    assert call(client, side, "vendor_admin", "GET", f"/agreements/{first}").json["status"] == "superseded"


def test_copy_forward_and_stale_version(client, side):
    aid = propose(client, side).json["id"]
    assert call(client, side, "partner_admin", "POST", f"/agreements/{aid}/copy-forward").status_code == 409
    assert call(client, side, "partner_admin", "POST", f"/agreements/{aid}/accept", {"version": 99}).status_code == 409
    assert call(client, side, "partner_admin", "POST", f"/agreements/{aid}/accept", {"version": 1}).status_code == 200
    r = call(client, side, "partner_admin", "POST", f"/agreements/{aid}/copy-forward")
    assert r.status_code == 201
    assert (r.json["period"], r.json["proposed_by"], r.json["status"]) == ("2026-Q2", "partner", "proposed")
    assert [m["key"] for m in r.json["metrics"]] == [m["key"] for m in METRICS]


def test_roles_that_may_not_propose_or_record(client, side):
    for role in ("vendor_viewer", "partner_user", "other_manager"):
        assert propose(client, side, role=role).status_code == 403, role
    aid = propose(client, side).json["id"]
    for role in ("vendor_viewer", "other_manager"):
        r = call(client, side, role, "PUT", f"/agreements/{aid}/measurements", {"values": {"nps": 1}})
        assert r.status_code == 403, role


def test_another_partners_agreements_answer_404(client, side):
    aid = propose(client, side).json["id"]
    for path, method in ((f"/agreements/{aid}", "GET"), (f"/agreements/{aid}/health", "GET"),
                         (f"/agreements/{aid}/accept", "POST"), (f"/agreements/{aid}/measurements", "GET"),
                         (f"/partners/{side.partner_id}/agreements", "GET"),
                         (f"/partners/{side.partner_id}/margins", "GET")):
        r = call(client, side, "other_partner_admin", method, path)
        assert r.status_code == 404 and "Acme" not in r.get_data(as_text=True), path


@pytest.mark.parametrize("metrics, field", [
    ([{**METRICS[0], "target": 10, "floor": 10}], "metrics.0.target"),
    ([{**METRICS[0], "weight": -1}], "metrics.0.weight"),
    ([{**METRICS[0], "weight": 0}], "metrics.0.weight"),
    ([{**METRICS[0], "target": "lots"}], "metrics.0.target"),
    ([], "metrics"),
])
def test_bad_agreements_are_refused_and_nothing_changes(client, side, metrics, field):
    r = propose(client, side, metrics=metrics)
    assert r.status_code == 422 and field in r.json["error"]["fields"]
    assert count(Agreement, side.tenant_id) == 0


@pytest.mark.parametrize("period", ["2026-Q5", "2026Q1", "26-Q1", "2026-q1", "", None])
def test_periods_must_be_yyyy_qn(client, side, period):
    r = propose(client, side, period=period)
    assert r.status_code == 422 and "period" in r.json["error"]["fields"]
    assert count(Agreement, side.tenant_id) == 0


def test_bad_measurements_are_refused_and_nothing_changes(client, side):
    aid = propose(client, side).json["id"]
    path = f"/agreements/{aid}/measurements"
    r = call(client, side, "channel_manager", "PUT", path, {"values": {"nps": 10, "csat": 4}})
    assert r.status_code == 422 and "not a metric of this agreement" in r.json["error"]["fields"]["values.csat"]
    r = call(client, side, "channel_manager", "PUT", path, {"values": {"nps": "ten"}})
    assert r.status_code == 422 and "must be a number" in r.json["error"]["fields"]["values.nps"]
    r = call(client, side, "channel_manager", "PUT", path, {"values": {"nps": True}})
    assert r.status_code == 422
    r = call(client, side, "channel_manager", "PUT", path, {"values": []})
    assert r.status_code == 422
    assert count(Measurement, side.tenant_id) == 0


def test_measurements_on_a_superseded_agreement_conflict(client, side):
    first = propose(client, side).json["id"]
    propose(client, side, role="partner_admin")
    r = call(client, side, "channel_manager", "PUT", f"/agreements/{first}/measurements", {"values": {"nps": 1}})
    assert r.status_code == 409


def test_catalogue_has_the_defaults_and_custom_metrics(client, side):
    keys = {m["key"] for m in call(client, side, "partner_user", "GET", "/metrics").json["items"]}
    assert keys == {"nps", "product_adoption", "active_user_share", "advocacy", "gross_renewal_rate",
                    "net_revenue_retention", "time_to_value"}
    body = {"key": "csat", "name": "CSAT", "direction": "higher", "target": 5, "floor": 1, "weight": 1}
    assert call(client, side, "channel_manager", "POST", "/metrics", body).status_code == 403
    assert call(client, side, "vendor_admin", "POST", "/metrics", body).status_code == 201
    assert call(client, side, "vendor_admin", "POST", "/metrics", body).status_code == 422
