"""The demo's registrations (clear, in conflict, approved, won, expired) and the sweep command."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.opportunities.models import DealRegistration, Opportunity
from app.tenancy import tenant_scope, unscoped
from app.tenants.models import Tenant


def test_demo_holds_registrations_in_every_state_and_the_sweep_is_idempotent(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with unscoped("test: find the demo tenant"):
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "demo"))
    with tenant_scope(tenant.id):
        rows = db.session.execute(select(Opportunity.product, DealRegistration.status, DealRegistration.check_outcome)
                                  .join(Opportunity, Opportunity.id == DealRegistration.opportunity_id)).all()
        states = {(status, outcome) for _, status, outcome in rows}
        assert {("pending", "clear"), ("pending", "conflict"), ("approved", "clear"), ("won", "clear"),
                ("expired", "clear")} <= states
        conflict = next(r for r in rows if r[2] == "conflict")
        assert conflict[0] == "Store analytics for 40 stores"
        db.session.rollback()
    swept = runner.invoke(args=["opportunities", "sweep", "--tenant", "demo"])
    assert swept.exit_code == 0 and "0 expired" in swept.output
    missing = runner.invoke(args=["opportunities", "sweep", "--tenant", "nowhere"])
    assert missing.exit_code != 0
