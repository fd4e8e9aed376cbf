"""What the worker does with one job: load it from its own record, run it in its tenant, record how it ended.

Nothing ambient crosses between jobs: each run pushes a fresh app context (a fresh session on the
app's engine; on PostgreSQL the app role, with RLS set per transaction by app.tenancy) and sets
the tenant scope from the message, then checks the job row found there is that tenant's.
"""
from __future__ import annotations

import logging
import os
import time
import uuid
from pathlib import Path

from huey.exceptions import RetryTask
from sqlalchemy import update

from app.audit.services import record
from app.core.db import utcnow
from app.extensions import db
from app.jobs import queue
from app.jobs.kinds import KINDS, JobCancelled, JobRejected
from app.jobs.models import Job
from app.tenancy import tenant_scope

log = logging.getLogger(__name__)
PROGRESS_EVERY = 0.2  # seconds between progress writes (and cancel checks)
ABANDONED = ("The worker stopped while running this job (it was killed or crashed); nothing was written. "
             "Retry to run it again from the start.")


class Progress:
    """The progress callback a job kind receives; writes to huey's storage, at most every PROGRESS_EVERY."""

    def __init__(self, huey, job_id: uuid.UUID):
        self.huey, self.job_id = huey, job_id
        self.phase, self.done, self.total, self.errors = "reading", 0, None, 0
        self._last = 0.0

    def __call__(self, phase: str, done: int, total: int | None = None, errors: int = 0, force: bool = False):
        changed = phase != self.phase
        self.phase, self.done, self.errors = phase, done, errors
        if total is not None:
            self.total = total
        now = time.monotonic()
        if not (force or changed) and now - self._last < PROGRESS_EVERY:
            return
        self._last = now
        queue.put_progress(self.huey, self.job_id, phase, done, self.total, errors)
        if queue.cancel_requested(self.huey, self.job_id):
            raise JobCancelled()


def _who(job: Job) -> tuple:
    by = (job.params or {}).get("by") or [None, "system"]
    return (uuid.UUID(by[0]) if by[0] else None, by[1])


def _load(tenant_id: uuid.UUID, job_id: uuid.UUID) -> Job | None:
    db.session.expire_all()
    job = db.session.get(Job, (tenant_id, job_id))
    if job is not None and job.tenant_id != tenant_id:  # the scope guarantees it; say so anyway
        raise RuntimeError("job of another tenant")
    return job


def _serial_lock(job: Job) -> str | None:
    kind = KINDS[job.kind]
    if db.engine.dialect.name == "sqlite":
        return "tandem.sqlite-writer"  # SQLite has one writer: jobs that write run one at a time
    return f"serial.{kind.serial(job)}" if kind.serial else None


def _remove_file(job: Job) -> None:
    if job.file_path:
        Path(job.file_path).unlink(missing_ok=True)
        job.file_path = None


def run(app, huey, tenant_id: uuid.UUID, job_id: uuid.UUID) -> str:
    """Run one job at most once at a time (a lock per job); the serial lock queues same-owner work."""
    job_lock = f"job.{job_id}"
    if not queue.acquire(huey, job_lock):
        return "locked"  # another worker has it
    serial, marked = None, False
    try:
        with app.app_context(), tenant_scope(tenant_id):
            job = _load(tenant_id, job_id)
            if job is None or job.state != "queued":
                return "skipped"
            if queue.cancel_requested(huey, job_id):
                marked = True  # forget the cancel request with the job
                return _finish_cancelled(huey, tenant_id, job_id)
            serial = _serial_lock(job)
            if serial and not queue.acquire(huey, serial):
                serial = None
                db.session.rollback()
                raise RetryTask(delay=0.5)  # queued behind the job holding it, not interleaved
            queue.mark_running(huey, tenant_id, job_id, [job_lock] + ([serial] if serial else []))
            marked = True
            started = db.session.execute(
                update(Job).where(Job.tenant_id == tenant_id, Job.id == job_id, Job.state == "queued")
                .values(state="running", phase="reading", started_at=utcnow(), finished_at=None,
                        attempts=Job.attempts + 1).execution_options(synchronize_session=False))
            db.session.commit()
            if started.rowcount != 1:
                return "skipped"
            return _execute(huey, tenant_id, job_id)
    finally:
        if marked:
            queue.forget(huey, job_id)
        if serial:
            queue.release(huey, serial)
        queue.release(huey, job_lock)


def _execute(huey, tenant_id: uuid.UUID, job_id: uuid.UUID) -> str:
    job = _load(tenant_id, job_id)
    kind = KINDS[job.kind]
    progress = Progress(huey, job_id)
    progress("reading", 0, force=True)
    try:
        result = kind.run(job, progress)
    except JobCancelled:
        db.session.rollback()
        return _finish_cancelled(huey, tenant_id, job_id)
    except JobRejected as rejected:
        db.session.rollback()
        job = _load(tenant_id, job_id)
        job.state, job.phase, job.finished_at = "failed", "done", utcnow()
        job.error = {"message": rejected.message, **rejected.report}
        job.done, job.total = rejected.done, rejected.total
        job.errors_found = len(rejected.report.get("rows") or [])
        _remove_file(job)  # the file itself is wrong: a retry could only fail the same way
        record("job.fail", job, after={"kind": job.kind, "message": rejected.message}, actor=_who(job),
               summary=f"{kind.label} failed: {rejected.message}")
        db.session.commit()
        return "failed"
    except Exception as exc:  # the job's own failure: nothing it wrote stays
        log.exception("job %s failed", job_id)
        db.session.rollback()
        job = _load(tenant_id, job_id)
        job.state, job.phase, job.finished_at = "failed", "done", utcnow()
        job.error = {"message": f"The job stopped with an error: {type(exc).__name__}: {exc}"[:2000]}
        record("job.fail", job, after={"kind": job.kind, "message": job.error["message"]}, actor=_who(job),
               summary=f"{kind.label} failed")
        db.session.commit()
        return "failed"
    # The work and the job's success commit together: a crash before this leaves neither.
    job = db.session.get(Job, (tenant_id, job_id))
    job.state, job.phase, job.finished_at = "succeeded", "done", utcnow()
    job.result = result
    job.done, job.total, job.errors_found = progress.done, progress.total or progress.done, 0
    _remove_file(job)
    record("job.succeed", job, after={"kind": job.kind, "result": result}, actor=_who(job),
           summary=f"{kind.label} finished")
    db.session.commit()
    return "succeeded"


def _finish_cancelled(huey, tenant_id: uuid.UUID, job_id: uuid.UUID) -> str:
    who = queue.cancel_requested(huey, job_id) or {}
    job = _load(tenant_id, job_id)
    job.state, job.phase, job.finished_at = "cancelled", "done", utcnow()
    _remove_file(job)
    actor = (uuid.UUID(who["user_id"]) if who.get("user_id") else None, who.get("email") or "system")
    record("job.cancel", job, after={"kind": job.kind}, actor=actor,
           summary=f"Cancelled {KINDS[job.kind].label.lower()}; nothing was written")
    db.session.commit()
    return "cancelled"


def _alive(worker: str) -> bool:
    import socket

    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname():
        return True  # another machine's worker: not ours to judge
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


def recover_abandoned(app, huey) -> None:
    """At a worker's start: jobs left running by a worker that died are failed (nothing was committed)."""
    me = queue.worker_id()
    for entry in queue.running_entries(huey):
        if entry.get("worker") == me or _alive(entry.get("worker", "")):
            continue
        tenant_id, job_id = uuid.UUID(entry["tenant_id"]), uuid.UUID(entry["job_id"])
        with app.app_context(), tenant_scope(tenant_id):
            job = _load(tenant_id, job_id)
            if job is not None and job.state == "running":
                job.state, job.phase, job.finished_at = "failed", "done", utcnow()
                job.error = {"message": ABANDONED, "abandoned": True}
                record("job.fail", job, after={"kind": job.kind, "message": ABANDONED}, actor=_who(job),
                       summary=f"{KINDS[job.kind].label} failed: the worker stopped")
                db.session.commit()
        for lock in entry.get("locks") or []:
            queue.release(huey, lock)
        queue.forget(huey, job_id)
        log.warning("job %s was abandoned by worker %s; marked failed", job_id, entry.get("worker"))
