"""Starting, cancelling and retrying jobs; every change is audited. Services flush, never commit.

A job is enqueued only once the transaction that created it has committed (the worker reads the
job's own row), through the session's after_commit hook below.
"""
from __future__ import annotations

import logging
import uuid
from pathlib import Path

from flask import current_app
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from app.audit.services import record
from app.auth.context import Actor
from app.core.db import utcnow
from app.core.errors import ConflictError
from app.extensions import db
from app.jobs import queue
from app.jobs.kinds import KINDS
from app.jobs.models import Job

AFTER_COMMIT = "tandem_after_commit"
log = logging.getLogger(__name__)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session) -> None:
    for fn in session.info.pop(AFTER_COMMIT, []):
        fn()


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session) -> None:
    session.info.pop(AFTER_COMMIT, None)


def _enqueue_after_commit(job: Job) -> None:
    huey, tenant_id, job_id = queue.get_huey(), str(job.tenant_id), str(job.id)

    def enqueue() -> None:
        # The job is committed: a queue that is down must not turn the answer into an error. The row
        # stays queued and the worker enqueues it again (app.jobs.maintenance.requeue_stranded).
        try:
            huey.tandem_run_job(tenant_id, job_id)
        except Exception:
            log.exception("enqueue of job %s failed; the worker will pick it up", job_id)

    db.session.info.setdefault(AFTER_COMMIT, []).append(enqueue)


def jobs_dir() -> Path:
    path = Path(current_app.config.get("JOBS_DIR") or Path(current_app.instance_path) / "jobs")
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_file_path(job_id: uuid.UUID, suffix: str = ".csv") -> Path:
    return jobs_dir() / f"{job_id}{suffix}"


def start_job(kind: str, actor: Actor, params: dict | None = None, *, title: str = "",
              owner_partner_id: uuid.UUID | None = None, file_path: str | None = None,
              job_id: uuid.UUID | None = None) -> Job:
    """Record a queued job and enqueue it once this transaction commits."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind}")
    job = Job(id=job_id or uuid.uuid4(), kind=kind, title=(title or KINDS[kind].label)[:200],
              started_by_id=actor.membership.id, owner_partner_id=owner_partner_id,
              params={**(params or {}), "by": [str(actor.user.id), actor.user.email]},
              file_path=file_path, state="queued", phase="queued")
    db.session.add(job)
    db.session.flush()
    record("job.start", job, after={"kind": kind, "title": job.title}, summary=f"Started: {job.title}")
    _enqueue_after_commit(job)
    return job


def cancel_job(job: Job, actor: Actor) -> str:
    """A queued job is cancelled at once; a running one is asked to stop (it rolls back and says so)."""
    if not job.active:
        raise ConflictError("This job has already ended.")
    queue.request_cancel(queue.get_huey(), job.id, (actor.user.id, actor.user.email))
    # Only a job still queued is changed here: a running one's row is the worker's to write
    # (on SQLite the import holds the one write lock until it ends).
    changed = db.session.execute(
        update(Job).where(Job.id == job.id, Job.state == "queued")
        .values(state="cancelled", phase="done", finished_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if changed:
        db.session.expire(job)
        if job.file_path:
            Path(job.file_path).unlink(missing_ok=True)
            job.file_path = None
        record("job.cancel", job, after={"kind": job.kind}, summary=f"Cancelled {job.title} before it started")
        return "cancelled"
    return "cancelling"


def retry_job(job: Job, actor: Actor) -> Job:
    """Run a failed or cancelled job again from the start, if its input is still there."""
    if job.active or job.state == "succeeded":
        raise ConflictError("Only a failed or cancelled job can be run again.")
    if job.kind == "accounts.import" and not (job.file_path and Path(job.file_path).exists()):
        raise ConflictError("The uploaded file of this job is gone; upload it again.")
    queue.forget(queue.get_huey(), job.id)
    job.state, job.phase, job.done, job.errors_found = "queued", "queued", 0, 0
    job.error = job.result = None
    job.started_at = job.finished_at = None
    db.session.flush()
    record("job.retry", job, after={"kind": job.kind}, summary=f"Retried: {job.title}")
    _enqueue_after_commit(job)
    return job


def live_view(job: Job) -> dict:
    """The job as the status endpoint and the API show it, with live progress while it runs."""
    phase, done, total, errors = job.phase, job.done, job.total, job.errors_found
    if job.state == "running":
        live = queue.progress_of(queue.get_huey(), job.id)
        if live:
            phase, done, total, errors = live["phase"], live["done"], live["total"], live["errors"]
    elapsed = None
    if job.started_at:
        elapsed = ((job.finished_at or utcnow()) - job.started_at).total_seconds()
    rate = round(done / elapsed, 1) if elapsed and elapsed > 0 and done else None
    percent = int(100 * done / total) if total else (100 if job.state == "succeeded" else 0)
    return {"id": str(job.id), "kind": job.kind, "title": job.title, "state": job.state, "phase": phase,
            "done": done, "total": total, "percent": min(percent, 100), "errors_found": errors,
            "per_second": rate, "unit": KINDS[job.kind].unit if job.kind in KINDS else "items",
            "attempts": job.attempts,
            "created_at": job.created_at.isoformat() if job.created_at else None,
            "started_at": job.started_at.isoformat() if job.started_at else None,
            "finished_at": job.finished_at.isoformat() if job.finished_at else None,
            "result": job.result, "error": job.error}
