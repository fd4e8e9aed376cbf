"""The review PDF pack as a job: the same pack as GET /reviews/{id}/pdf, rendered by the worker."""
from __future__ import annotations

import uuid

from flask import current_app

from app.auth.context import Actor
from app.auth.models import Membership, User
from app.extensions import db
from app.jobs.kinds import JobKind, JobRejected, register_kind
from app.jobs.maintenance import TenantTask, register_tenant_task
from app.jobs.models import Job
from app.jobs.services import new_file_path, start_job
from app.reviews.policies import can_read, get_review_or_404
from app.tenants.models import Tenant

KIND = "reviews.pdf_pack"


def start_pack(review, partner, actor: Actor) -> Job:
    return start_job(KIND, actor, {"review_id": str(review.id)}, title=f"Review pack {review.period} for {partner.name}",
                     owner_partner_id=None if actor.is_vendor else actor.partner_id)


def _run(job: Job, progress) -> dict:
    from app.reviews.routes import pdf_pack

    membership = db.session.get(Membership, (job.tenant_id, job.started_by_id))
    user = db.session.get(User, membership.user_id) if membership else None
    if membership is None or user is None or not (membership.active and user.active):
        raise JobRejected("The person who asked for this pack no longer has access.", {})
    actor = Actor(user=user, tenant=db.session.get(Tenant, job.tenant_id), membership=membership)
    progress("reading", 0, 1, force=True)
    # The pack is built for its requester's side, with the same checks as the page (404, then 403).
    with current_app.test_request_context("/"):
        try:
            review, partner = get_review_or_404(actor, uuid.UUID(job.params["review_id"]))
        except Exception:
            raise JobRejected("The review is not there any more.", {}) from None
        if not can_read(actor, partner):
            raise JobRejected("You may not read this review.", {})
        name, body = pdf_pack(actor, review, partner)
    # The request context's end removed the session (app/core/web.py): load the job again.
    job = db.session.get(Job, (job.tenant_id, job.id))
    path = new_file_path(job.id, ".pdf")
    path.write_bytes(body)
    job.params = {**job.params, "output": path.name, "output_name": name}
    progress("writing", 1, 1, force=True)
    return {"file_name": name, "bytes": len(body)}


register_kind(JobKind(KIND, "Review pack", _run, unit="packs"))


def _remind() -> dict:
    from app.reviews.services import remind_due

    return {"reminded": remind_due()}


# Daily at 06:35 UTC (what `flask reviews remind` does); each item is reminded once, so a rerun sends nothing new.
register_tenant_task(TenantTask("reviews.remind", _remind, minute="35", hour="6"))
