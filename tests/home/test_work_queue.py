"""Each work-queue item appears exactly when its condition holds, for exactly the people who may act
on it, and disappears when resolved; never another partner's or another tenant's (issue 18)."""
from __future__ import annotations

import pytest

from app.auth.context import actor_for_email
from app.commplan import services as commplan
from app.enhancements import services as enhancements
from app.extensions import db
from app.health import services as health
from app.health.models import Agreement
from app.sharing import services as sharing
from app.termchanges import services as termchanges
from app.tiers import services as tiers
from tests.home.world import GOOD, POOR, agree, build, queue

EVERYONE = ("admin", "cm", "cm2", "viewer", "alpha_admin", "alpha_user", "beta_admin")


@pytest.fixture
def w(app):
    return build()


def _who_sees(w, kind, partner="Alpha"):
    return {label for label in EVERYONE if (kind, partner) in queue(w, label, kind)}


# --- agreements ---------------------------------------------------------------------------


def test_partner_proposal_waits_for_the_assigned_manager_and_admin_until_accepted(w):
    with w.scope():
        proposal = health.propose(w.partner("Alpha"), "2025-Q1", health.default_terms(),
                                  w.actor("alpha_admin").membership)
        db.session.commit()
    assert _who_sees(w, "agreement_to_answer") == {"admin", "cm"}
    with w.scope():
        health.accept(db.session.get(Agreement, (w.tenant.id, proposal.id)), w.partner("Alpha"),
                      w.actor("cm").membership)
        db.session.commit()
    assert _who_sees(w, "agreement_to_answer") == set()


def test_vendor_proposal_waits_for_that_partners_admin_only(w):
    with w.scope():
        proposal = health.propose(w.partner("Beta"), "2025-Q1", health.default_terms(), w.actor("cm2").membership)
        db.session.commit()
    assert _who_sees(w, "agreement_to_answer", "Beta") == {"beta_admin"}
    assert queue(w, "alpha_admin", "agreement_to_answer") == []  # never another partner's
    with w.scope():
        health.accept(db.session.get(Agreement, (w.tenant.id, proposal.id)), w.partner("Beta"),
                      w.actor("beta_admin").membership)
        db.session.commit()
    assert _who_sees(w, "agreement_to_answer", "Beta") == set()


# --- tiers: closable quarters and partners at risk ---------------------------------------


def test_an_ended_accepted_measured_quarter_is_closable_until_closed(w):
    agree(w, "Alpha", "2025-Q1", None)
    assert _who_sees(w, "quarter_to_close") == set()  # accepted but nothing measured yet
    with w.scope():
        agreement = health.in_force(w.partners["Alpha"], "2025-Q1")
        health.record_measurements(agreement, w.partner("Alpha"), GOOD, "test", w.actor("cm").membership)
        db.session.commit()
    assert _who_sees(w, "quarter_to_close") == {"admin", "cm"}
    with w.scope():
        tiers.close_one(w.partner("Alpha"), "2025-Q1", w.actor("admin").membership)
        db.session.commit()
    assert _who_sees(w, "quarter_to_close") == set()


def test_a_quarter_waits_for_the_one_before_it(w):
    agree(w, "Alpha", "2025-Q1", GOOD)
    agree(w, "Alpha", "2025-Q2", GOOD)
    with w.scope():
        tiers.close_one(w.partner("Alpha"), "2025-Q1", w.actor("admin").membership)
        db.session.commit()
    titles = [t for t in queue(w, "cm", "quarter_to_close")]
    assert titles == [("quarter_to_close", "Alpha")]


def test_at_risk_partner_shows_until_a_good_quarter_keeps_it(w):
    agree(w, "Alpha", "2025-Q1", GOOD)
    agree(w, "Alpha", "2025-Q2", POOR)
    agree(w, "Alpha", "2025-Q3", GOOD)
    with w.scope():
        tiers.close_one(w.partner("Alpha"), "2025-Q1", w.actor("admin").membership)
        db.session.commit()
    assert _who_sees(w, "partner_at_risk") == set()
    with w.scope():
        tiers.close_one(w.partner("Alpha"), "2025-Q2", w.actor("admin").membership)
        db.session.commit()
    # the partner's own people see it too (what would keep their tier); the viewer and others do not
    assert _who_sees(w, "partner_at_risk") == {"admin", "cm", "alpha_admin", "alpha_user"}
    with w.scope():
        tiers.close_one(w.partner("Alpha"), "2025-Q3", w.actor("admin").membership)
        db.session.commit()
    assert _who_sees(w, "partner_at_risk") == set()


# --- sharing, term changes, enhancements, communication plans -----------------------------


def test_data_request_waits_for_the_sharing_sides_admin(w):
    with w.scope():
        req = sharing.request_data(w.partner("Alpha"), "vendor_to_partner", "overlaps", "partner",
                                   "alpha_admin@north.example")
        db.session.commit()
    assert _who_sees(w, "data_request") == {"admin", "cm"}
    with w.scope():
        from app.sharing.models import DataRequest
        sharing.decide_request(db.session.get(DataRequest, (w.tenant.id, req.id)), w.partner("Alpha"), False,
                               "cm@north.example")
        db.session.commit()
    assert _who_sees(w, "data_request") == set()


def test_margin_exception_waits_for_the_vendor_admin_agreement_terms_for_the_manager(w):
    agree(w, "Alpha", "2025-Q1", GOOD)
    with w.scope():
        tiers.close_one(w.partner("Alpha"), "2025-Q1", w.actor("admin").membership)
        margin = termchanges.propose_change(w.actor("alpha_admin"), w.partner("Alpha"), {
            "kind": "margin_exception", "margin_pct": "16.50", "reason": "Two new consultants ramp up this quarter."})
        db.session.commit()
    assert _who_sees(w, "term_change_to_answer") == {"admin"}
    with w.scope():
        from app.termchanges.models import TermChange
        termchanges.decline_change(w.actor("admin"), db.session.get(TermChange, (w.tenant.id, margin.id)),
                                   w.partner("Alpha"), "Not this quarter, after the next close.")
        db.session.commit()
    assert _who_sees(w, "term_change_to_answer") == set()
    with w.scope():
        terms = [dict(t, target="40") if t["key"] == "nps" else dict(t)
                 for t in health.in_force(w.partners["Alpha"]).terms]
        termchanges.propose_change(w.actor("alpha_admin"), w.partner("Alpha"), {
            "kind": "agreement_terms", "metrics": terms, "reason": "Two customers migrate this quarter."})
        db.session.commit()
    assert _who_sees(w, "term_change_to_answer") == {"admin", "cm"}


def test_new_enhancement_request_waits_for_triage_by_its_partners_manager_and_admin(w):
    with w.scope():
        req = enhancements.file_request(w.actor("alpha_user"), {
            "title": "Bulk export", "problem": "Slow", "outcome": "Fast", "urgency": "high", "affected_count": "3"})
        db.session.commit()
    assert _who_sees(w, "enhancement_to_triage") == {"admin", "cm"}
    with w.scope():
        from app.enhancements.models import EnhancementRequest
        enhancements.change_status(w.actor("cm"), db.session.get(EnhancementRequest, (w.tenant.id, req.id)),
                                   {"status": "under_review", "note": ""})
        db.session.commit()
    assert _who_sees(w, "enhancement_to_triage") == set()


def test_plan_review_due_until_reviewed_and_a_meeting_due_this_week(w):
    assert _who_sees(w, "plan_review_due") == {"admin", "cm", "alpha_admin"}
    with w.scope():
        commplan.mark_reviewed(w.actor("alpha_admin"), w.partner("Alpha"))
        db.session.commit()
    assert _who_sees(w, "plan_review_due") == set()
    from datetime import timedelta

    from app.core.db import utcnow
    with w.scope():
        commplan.add_meeting(w.actor("cm"), w.partner("Alpha"), {
            "kind": "qbr", "cadence": "quarterly", "next_date": str(utcnow().date() + timedelta(days=3))})
        db.session.commit()
    assert _who_sees(w, "touch_due") == {"admin", "cm", "alpha_admin"}


# --- isolation --------------------------------------------------------------------------


def test_another_tenants_items_never_show(w):
    with w.scope(w.other):
        south = w.partner("South")
        health.propose(south, "2025-Q1", health.default_terms(),
                       actor_for_email(w.other, "pa@south.example").membership)
        db.session.commit()
    assert ("agreement_to_answer", "South") in queue(w, "south_admin", tenant=w.other)
    for label in EVERYONE:
        assert all(name != "South" for _, name in queue(w, label))


def test_partner_side_queue_holds_only_its_own_partnership(w):
    with w.scope():
        health.propose(w.partner("Alpha"), "2025-Q1", health.default_terms(), w.actor("cm").membership)
        health.propose(w.partner("Beta"), "2025-Q1", health.default_terms(), w.actor("cm2").membership)
        db.session.commit()
    assert {name for _, name in queue(w, "alpha_admin")} == {"Alpha"}
    assert {name for _, name in queue(w, "beta_admin")} == {"Beta"}
