"""Term-change requests: applied through the agreement and override mechanisms exactly as by hand,
audited once; only the other side answers; declines and counter-proposals; the walk-through."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from tests.support.accounts_world import build  # noqa: I001  (imports app.auth first)
from app.audit.models import AuditEvent
from app.extensions import db
from app.health import services as health_services
from app.health.models import Agreement
from app.partners.models import Partner
from app.termchanges.models import TermChange
from app.termchanges.services import current_period
from app.tiers import services as tier_services
from app.tiers.models import QuarterClose
from app.tenancy import tenant_scope
from tests.conftest import csrf_from, login

PERIOD = current_period()
CLOSED = "2026-Q1"
KEYS = ["nps", "product_adoption", "active_user_share", "advocacy", "gross_renewal_rate",
        "net_revenue_retention", "time_to_value"]


@pytest.fixture
def world(app, make):
    """Two identical partnerships (A gets the term change, B the same change by hand), each with an
    accepted agreement for this quarter and a closed earlier quarter; the channel manager runs both."""
    w = build(make, with_accounts=False)
    with tenant_scope(w.tenant_id):
        from app.auth.models import Membership
        manager = db.session.get(Membership, (w.tenant_id, w.members["channel_manager"].id))
        admins = {w.a_id: db.session.get(Membership, (w.tenant_id, w.members["partner_admin"].id)),
                  w.b_id: db.session.get(Membership, (w.tenant_id, w.members["b_admin"].id))}
        for pid in (w.a_id, w.b_id):
            partner = db.session.get(Partner, (w.tenant_id, pid))
            partner.channel_manager_id = manager.id
            db.session.flush()
            for period in (CLOSED, PERIOD):
                proposal = health_services.propose(partner, period, health_services.default_terms(), manager)
                health_services.accept(proposal, partner, admins[pid])
            health_services.record_measurements(health_services.in_force(pid, CLOSED), partner,
                                                dict(zip(KEYS, (40, 70, 60, 3, 92, 110, 40))), "test", manager)
            tier_services.close_one(partner, CLOSED, manager)
        db.session.commit()
    return w


def _events(world, action: str) -> int:
    with tenant_scope(world.tenant_id):
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def _lower_nps():
    terms = [dict(t) for t in _terms()]
    for t in terms:
        if t["key"] == "nps":
            t["target"] = "35"
    return terms


def _terms():
    from app.health.services import DEFAULT_METRICS
    return [{"key": k, "direction": d, "target": t, "floor": f, "weight": w} for k, _, d, _, t, f, w, _ in DEFAULT_METRICS]


def _agreement_state(world, partner_id):
    with tenant_scope(world.tenant_id):
        rows = db.session.scalars(select(Agreement).where(Agreement.partner_id == partner_id, Agreement.period == PERIOD)
                                  .order_by(Agreement.proposed_at)).all()
        return [(a.status, a.terms, a.proposed_by, a.proposed_by_id is not None, a.accepted_by_id is not None)
                for a in rows]


def test_accepted_agreement_change_equals_doing_it_by_hand_and_is_audited_once(client, world):
    before = {a: _events(world, a) for a in ("agreement.propose", "agreement.accept")}
    asked = world.api(client, "partner_admin", "POST", f"/partners/{world.a_id}/term-changes", json={
        "kind": "agreement_terms", "metrics": _lower_nps(), "reason": "Two customers migrate this quarter."})
    assert asked.status_code == 201, asked.get_json()
    change = asked.get_json()
    assert change["status"] == "pending" and change["period"] == PERIOD and change["proposed_by"] == "partner"
    assert _agreement_state(world, world.a_id)[-1][0] == "accepted"  # nothing applied while it waits
    accepted = world.api(client, "channel_manager", "POST", f"/term-changes/{change['id']}/accept", json={})
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"

    # By hand on B: the partner proposes the same metrics, the channel manager accepts.
    proposal = world.api(client, "b_admin", "POST", f"/partners/{world.b_id}/agreements",
                         json={"period": PERIOD, "metrics": _lower_nps()}).get_json()
    assert world.api(client, "channel_manager", "POST", f"/agreements/{proposal['id']}/accept").status_code == 200

    assert _agreement_state(world, world.a_id) == _agreement_state(world, world.b_id)
    state = _agreement_state(world, world.a_id)
    assert [s[0] for s in state] == ["superseded", "accepted"] and state[-1][2] == "partner"
    assert next(t for t in state[-1][1] if t["key"] == "nps")["target"] == "35"
    with tenant_scope(world.tenant_id):
        applied = db.session.get(TermChange, (world.tenant_id, uuid.UUID(change["id"]))).applied_object_id
        assert applied == str(health_services.in_force(world.a_id, PERIOD).id)
    # One propose and one accept event per partnership (A's through the term change, B's by hand).
    assert _events(world, "agreement.propose") - before["agreement.propose"] == 2
    assert _events(world, "agreement.accept") - before["agreement.accept"] == 2
    assert _events(world, "termchange.propose") == 1 and _events(world, "termchange.accept") == 1
    health = world.api(client, "partner_user", "GET", f"/agreements/{applied}/health")
    assert health.status_code == 200


def test_accepted_margin_and_tier_changes_equal_overrides_by_hand(client, world):
    asked = world.api(client, "partner_admin", "POST", f"/partners/{world.a_id}/term-changes", json={
        "kind": "margin_exception", "margin_pct": "17.25", "reason": "We funded two consultants this quarter."})
    assert asked.status_code == 201 and asked.get_json()["period"] == CLOSED
    change_id = asked.get_json()["id"]
    assert world.api(client, "channel_manager", "POST", f"/term-changes/{change_id}/accept").status_code == 403
    assert world.api(client, "vendor_admin", "POST", f"/term-changes/{change_id}/accept").status_code == 200
    by_hand = world.api(client, "vendor_admin", "POST", f"/partners/{world.b_id}/quarters/{CLOSED}/override",
                        json={"margin_pct": "17.25", "reason": "We funded two consultants this quarter."})
    assert by_hand.status_code == 200

    # Then the vendor asks for a tier position; a tier change keeps the margin exception in place.
    tier = world.api(client, "vendor_admin", "POST", f"/partners/{world.a_id}/term-changes", json={
        "kind": "tier_position", "tier": "Gold", "reason": "Strategic launch partner for the new region."})
    assert world.api(client, "vendor_admin", "POST", f"/term-changes/{tier.get_json()['id']}/accept").status_code == 403
    assert world.api(client, "partner_admin", "POST", f"/term-changes/{tier.get_json()['id']}/accept").status_code == 200
    world.api(client, "vendor_admin", "POST", f"/partners/{world.b_id}/quarters/{CLOSED}/override",
              json={"tier": "Gold", "margin_pct": "17.25", "reason": "Strategic launch partner for the new region."})

    def state(pid):
        with tenant_scope(world.tenant_id):
            row = db.session.scalar(select(QuarterClose).where(QuarterClose.partner_id == pid))
            partner = db.session.get(Partner, (world.tenant_id, pid))
            return (row.override_tier, row.override_margin_pct, row.override_reason, row.effective_tier,
                    row.effective_margin, partner.tier, row.overridden_by_id == world.members["vendor_admin"].id)

    assert state(world.a_id) == state(world.b_id)
    assert state(world.a_id)[:2] == ("Gold", state(world.a_id)[1]) and str(state(world.a_id)[1]) == "17.25"
    assert _events(world, "quarter.override") == 4  # two per partnership: one per change, none twice


def test_the_asking_side_may_not_accept_its_own_request(client, world):
    asked = world.api(client, "partner_admin", "POST", f"/partners/{world.a_id}/term-changes", json={
        "kind": "agreement_terms", "metrics": _lower_nps(), "reason": "A lower target while we ramp up."}).get_json()
    for who in ("partner_admin", "partner_user"):
        assert world.api(client, who, "POST", f"/term-changes/{asked['id']}/accept").status_code == 403
        assert world.api(client, who, "POST", f"/term-changes/{asked['id']}/decline",
                         json={"reason": "changed our mind entirely"}).status_code == 403
    assert world.api(client, "vendor_viewer", "POST", f"/term-changes/{asked['id']}/accept").status_code == 403
    assert world.api(client, "b_admin", "POST", f"/term-changes/{asked['id']}/accept").status_code == 404
    login(client, world.emails["partner_admin"])
    page = client.get(f"/terms/partners/{world.a_id}").get_data(as_text=True)
    assert ">Accept<" not in page
    assert client.post(f"/terms/{asked['id']}/accept", data={"csrf_token": csrf_from(page)}).status_code == 403
    vendor = world.api(client, "vendor_admin", "POST", f"/partners/{world.b_id}/term-changes", json={
        "kind": "agreement_terms", "metrics": _lower_nps(), "reason": "We propose a lower target for you."}).get_json()
    for who in ("vendor_admin", "channel_manager"):
        assert world.api(client, who, "POST", f"/term-changes/{vendor['id']}/accept").status_code == 403
    with tenant_scope(world.tenant_id):
        assert set(db.session.scalars(select(TermChange.status))) == {"pending"}
    assert _events(world, "termchange.accept") == 0


def test_decline_needs_a_reason_and_a_counter_proposal_goes_back_to_the_asker(client, world):
    asked = world.api(client, "partner_admin", "POST", f"/partners/{world.a_id}/term-changes", json={
        "kind": "agreement_terms", "metrics": _lower_nps(), "reason": "A lower target while we ramp up."}).get_json()
    bad = world.api(client, "channel_manager", "POST", f"/term-changes/{asked['id']}/decline", json={"reason": "no"})
    assert bad.status_code == 422 and "reason" in bad.get_json()["error"]["fields"]
    counter_terms = _lower_nps()
    next(t for t in counter_terms if t["key"] == "nps")["target"] = "45"
    countered = world.api(client, "channel_manager", "POST", f"/term-changes/{asked['id']}/counter",
                          json={"metrics": counter_terms, "reason": "Meet us halfway on the NPS target."})
    assert countered.status_code == 201
    counter = countered.get_json()
    assert counter["proposed_by"] == "vendor" and counter["counter_of"] == asked["id"]
    assert world.api(client, "partner_admin", "GET", f"/term-changes/{asked['id']}").get_json()["status"] == "countered"
    assert world.api(client, "channel_manager", "POST", f"/term-changes/{counter['id']}/accept").status_code == 403
    assert world.api(client, "partner_admin", "POST", f"/term-changes/{asked['id']}/accept").status_code == 403
    assert world.api(client, "partner_admin", "POST", f"/term-changes/{counter['id']}/accept").status_code == 200
    with tenant_scope(world.tenant_id):
        assert next(t for t in health_services.in_force(world.a_id, PERIOD).terms if t["key"] == "nps")["target"] == "45"
    again = world.api(client, "partner_admin", "POST", f"/term-changes/{counter['id']}/accept")
    assert again.status_code in (403, 409)
    declined = world.api(client, "partner_admin", "POST", f"/partners/{world.a_id}/term-changes", json={
        "kind": "named_contact", "channel_manager_id": str(world.members["vendor_admin"].id),
        "reason": "We would like the admin as our named contact."}).get_json()
    out = world.api(client, "vendor_admin", "POST", f"/term-changes/{declined['id']}/decline",
                    json={"reason": "The admin covers no partners directly."})
    assert out.status_code == 200 and out.get_json()["status"] == "declined"
    history = world.api(client, "partner_user", "GET", f"/partners/{world.a_id}/term-changes").get_json()["items"]
    assert [c["status"] for c in history] == ["declined", "accepted", "countered"]


def test_bad_input_answers_422_and_writes_nothing(client, world):
    cases = [({"kind": "everything", "reason": "a good long reason"}, "kind"),
             ({"kind": "agreement_terms", "metrics": _lower_nps(), "reason": "short"}, "reason"),
             ({"kind": "agreement_terms", "metrics": [], "reason": "a good long reason"}, "metrics"),
             ({"kind": "agreement_terms", "metrics": _lower_nps(), "period": "2026-Q9", "reason": "a good long reason"}, "period"),
             ({"kind": "tier_position", "tier": "Platinum", "reason": "a good long reason"}, "tier"),
             ({"kind": "margin_exception", "margin_pct": "101", "reason": "a good long reason"}, "margin_pct"),
             ({"kind": "named_contact", "channel_manager_id": str(uuid.uuid4()), "reason": "a good long reason"},
              "channel_manager_id")]
    for body, field in cases:
        response = world.api(client, "partner_admin", "POST", f"/partners/{world.a_id}/term-changes", json=body)
        assert response.status_code == 422 and field in response.get_json()["error"]["fields"], body
    assert world.api(client, "partner_user", "POST", f"/partners/{world.a_id}/term-changes",
                     json={"kind": "agreement_terms"}).status_code == 403
    with tenant_scope(world.tenant_id):
        assert db.session.scalar(select(func.count()).select_from(TermChange)) == 0
    assert _events(world, "termchange.propose") == 0


def test_a_partner_asks_for_a_lower_target_and_the_channel_manager_accepts_it_on_the_pages(client, world, app):
    login(client, world.emails["partner_admin"])
    page = client.get(f"/terms/partners/{world.a_id}").get_data(as_text=True)
    assert "Ask for a change" in page
    form = {"csrf_token": csrf_from(page), "kind": "agreement_terms", "period": PERIOD, "rows": "7",
            "reason": "Our two largest customers migrate this quarter."}
    for i, t in enumerate(_terms()):
        form.update({f"key-{i}": t["key"], f"direction-{i}": t["direction"], f"target-{i}": t["target"],
                     f"floor-{i}": t["floor"], f"weight-{i}": t["weight"]})
    form["target-0"] = "35"  # nps
    bad = client.post(f"/terms/partners/{world.a_id}", data={**form, "reason": "short"})
    assert bad.status_code == 422 and "at least 10 characters" in bad.get_data(as_text=True)
    assert client.post(f"/terms/partners/{world.a_id}", data=form).status_code == 302
    home = client.get("/home").get_data(as_text=True)
    assert "Term changes" in home and "pending" in home

    manager = app.test_client()
    login(manager, world.emails["channel_manager"])
    page = manager.get(f"/terms/partners/{world.a_id}").get_data(as_text=True)
    assert "Our two largest customers migrate this quarter." in page and ">Accept<" in page
    with tenant_scope(world.tenant_id):
        change = db.session.scalar(select(TermChange))
    assert manager.post(f"/terms/{change.id}/accept", data={"csrf_token": csrf_from(page),
                                                            "version": str(change.version)}).status_code == 302
    with tenant_scope(world.tenant_id):
        agreement = health_services.in_force(world.a_id, PERIOD)
        assert agreement.proposed_by == "partner"
        assert next(t for t in agreement.terms if t["key"] == "nps")["target"] == "35"
    partner_page = manager.get(f"/partners/{world.a_id}").get_data(as_text=True)
    assert "Term changes" in partner_page and "accepted" in partner_page
