"""Who sees and controls which jobs.

Vendor admins see every job of the tenant; partner staff see their own partner's jobs (a partner
user's import is its partner's business); other vendor staff see the jobs they started. The
vendor sees a partner's job as state and counts only: the error report lists the partner's rows.
"""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import Select, select

from app.auth import roles
from app.auth.context import Actor
from app.auth.policies import is_vendor_admin
from app.extensions import db
from app.jobs.models import Job


def scope_jobs(actor: Actor, stmt: Select) -> Select:
    if is_vendor_admin(actor):
        return stmt
    if actor.is_partner_side:
        return stmt.where(Job.owner_partner_id == actor.partner_id)
    return stmt.where(Job.started_by_id == actor.membership.id, Job.owner_partner_id.is_(None))


def get_job_or_404(actor: Actor, job_id: uuid.UUID) -> Job:
    job = db.session.scalar(scope_jobs(actor, select(Job).where(Job.id == job_id)))
    if job is None:
        abort(404)
    return job


def can_control(actor: Actor, job: Job) -> bool:
    """Cancel or retry: whoever started it, the vendor admin for vendor work, a partner admin for the partner's."""
    if job.started_by_id == actor.membership.id:
        return True
    if job.owner_partner_id is None:
        return is_vendor_admin(actor)
    return actor.is_partner_side and actor.partner_id == job.owner_partner_id and actor.role == roles.PARTNER_ADMIN


def sees_report(actor: Actor, job: Job) -> bool:
    """The error rows of a partner's import stay with the partner."""
    return job.owner_partner_id is None or (actor.is_partner_side and actor.partner_id == job.owner_partner_id)
