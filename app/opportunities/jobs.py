"""The deal-registration sweep as the worker's periodic work, per tenant (what `flask opportunities sweep` does)."""
from __future__ import annotations

from app.jobs.maintenance import TenantTask, register_tenant_task
from app.opportunities.services import sweep


def _sweep() -> dict:
    result = sweep()
    return {"expired": result.expired, "overdue_notified": result.overdue_notified}


# Every hour at :05; the sweep records each expiry and each overdue notice once, so runs may repeat.
register_tenant_task(TenantTask("opportunities.sweep", _sweep, minute="5"))
