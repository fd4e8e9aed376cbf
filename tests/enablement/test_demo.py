"""The demo's touch plans (Acme's partly done) and certifications (one about to expire, notified once)."""
from __future__ import annotations

from sqlalchemy import func, select

from app.enablement.models import Completion, TouchPlan, Touchpoint
from app.extensions import db
from app.notifications.models import Notification
from app.partners.models import Partner
from app.tenancy import tenant_scope, unscoped
from app.tenants.models import Tenant


def test_demo_touch_plan_partly_done_and_certification_expiring(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with unscoped("test: find the demo tenant"):
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "demo"))
    with tenant_scope(tenant.id):
        acme = db.session.scalar(select(Partner).where(Partner.name == "Acme Consulting"))
        assert db.session.scalar(select(func.count()).select_from(TouchPlan)) == db.session.scalar(
            select(func.count()).select_from(Partner))
        states = [p.done_on is not None for p in db.session.scalars(
            select(Touchpoint).where(Touchpoint.partner_id == acme.id))]
        assert any(states) and not all(states)
        assert db.session.scalar(select(func.count()).select_from(Completion)
                                 .where(Completion.expiry_notified_at.is_not(None))) == 1
        assert db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.kind == "certification_expiry")) == 1
        db.session.rollback()
    again = runner.invoke(args=["enablement", "sweep", "--tenant", "demo"])
    assert again.exit_code == 0 and "0 expiry notices" in again.output
    assert runner.invoke(args=["enablement", "sweep", "--tenant", "nowhere"]).exit_code != 0
