"""Enablement's periodic work in the worker, per tenant (what `flask enablement plans|sweep` do)."""
from __future__ import annotations

from app.enablement.services import current_quarter, generate_plans, sweep
from app.jobs.maintenance import TenantTask, register_tenant_task


def _daily() -> dict:
    # The quarter's plans are made from the bands as they stand when it begins (existing plans stay,
    # so a band change shapes the next quarter's plan, never the running one); expiry notices go
    # out once per expiry, so a rerun sends nothing new.
    return {"plans_made": generate_plans(current_quarter()), "expiry_notices": sweep()}


# Daily at 06:20 UTC.
register_tenant_task(TenantTask("enablement.daily", _daily, minute="20", hour="6"))
