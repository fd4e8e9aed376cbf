"""Closing a quarter for every partner as a job: the same run as services.close_quarter, off the request."""
from __future__ import annotations

from sqlalchemy import func, select

from app.auth.context import Actor
from app.auth.models import Membership
from app.core.errors import ConflictError, InvalidInput
from app.extensions import db
from app.health.periods import parse_period
from app.jobs.kinds import JobKind, JobRejected, register_kind
from app.jobs.models import Job
from app.jobs.services import start_job
from app.partners.models import Partner
from app.tiers import services

KIND = "tiers.close_all"


def start_close_all(period_text: str, actor: Actor) -> Job:
    """Queue the close of `period` for every partner (422 at once for a period that is not one)."""
    try:
        period = str(parse_period(period_text or ""))
    except ValueError as exc:
        raise InvalidInput({"period": str(exc)}) from None
    return start_job(KIND, actor, {"period": period}, title=f"Close {period} for every partner")


def _run(job: Job, progress) -> dict:
    by = db.session.get(Membership, (job.tenant_id, job.started_by_id))
    total = db.session.scalar(select(func.count()).select_from(Partner))
    progress("writing", 0, total, force=True)
    try:
        report = services.close_quarter(job.params["period"], None, by,
                                        progress=lambda done: progress("writing", done, total))
    except (InvalidInput, ConflictError) as exc:
        fields = getattr(exc, "fields", None)
        message = "; ".join(f"{k}: {v}" for k, v in fields.items()) if fields else exc.description
        raise JobRejected(message, {}) from None
    progress("writing", total, total, force=True)
    return {"period": report.period, "closed": len(report.closed),
            "changed": sum(1 for c in report.closed if c.changed), "skipped": len(report.skipped),
            "skipped_partners": [{"partner_id": str(pid), "reason": why} for pid, why in report.skipped.items()]}


register_kind(JobKind(KIND, "Quarter close", _run, unit="partners",
                      serial=lambda job: f"tiers.close.{job.tenant_id}"))
