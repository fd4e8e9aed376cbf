"""What the worker does on its own: re-enqueue lost jobs, per-tenant periodic work, clean up old files.

A job is enqueued after its transaction commits; if that enqueue fails (Redis down, the web process
killed in between) the row stays `queued` with no message anywhere. `requeue_stranded` finds such
rows when a worker starts and every minute, and enqueues them again; a duplicate message is harmless
(the runner takes the job's lock and runs only a job still `queued`).

Features register periodic work per tenant (`register_tenant_task`); the worker's scheduler fans each
one out as one message per tenant carrying its tenant id, and the task runs in that tenant's scope.
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import select

from app.audit.services import record
from app.core.db import utcnow
from app.extensions import db
from app.jobs import queue
from app.jobs.models import ACTIVE, Job
from app.tenancy import tenant_scope, unscoped
from app.tenants.models import Tenant

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TenantTask:
    """run() does one tenant's share in its tenant scope and returns a short summary; the run commits it."""
    name: str
    run: Callable[[], object]
    minute: str = "0"  # huey crontab fields: when the worker's scheduler fans it out
    hour: str = "*"


TENANT_TASKS: dict[str, TenantTask] = {}


def register_tenant_task(task: TenantTask) -> None:
    TENANT_TASKS[task.name] = task


def _messages_of(tasks) -> set[str]:
    return {str(t.args[1]) for t in tasks if t.name == "tandem.run_job" and len(t.args) == 2}


def requeue_stranded(app, huey, at_start: bool = False) -> list[str]:
    """Enqueue again the jobs still queued (for JOBS_REQUEUE_AFTER seconds) that no message stands for.

    At a worker's start every such job goes in again at once: a message being enqueued right now
    would at worst run as a duplicate, which the runner skips."""
    grace = 0 if at_start else float(app.config.get("JOBS_REQUEUE_AFTER", 30))
    cutoff = utcnow() - timedelta(seconds=grace)
    with app.app_context():
        rows = []
        # Tenant by tenant: on PostgreSQL the app role sees one tenant's jobs at a time (RLS).
        for tenant_id in _tenant_ids():
            with tenant_scope(tenant_id):
                rows += db.session.execute(select(Job.tenant_id, Job.id).where(
                    Job.state == "queued", Job.created_at <= cutoff)).all()
                db.session.rollback()
        if not rows:
            return []
        known = (_messages_of(huey.pending()) | _messages_of(huey.scheduled())
                 | {e["job_id"] for e in queue.running_entries(huey)})
        again = []
        for tenant_id, job_id in rows:
            if str(job_id) in known:
                continue
            huey.tandem_run_job(str(tenant_id), str(job_id))
            again.append(str(job_id))
    if again:
        log.warning("re-enqueued %d queued job(s) whose message was lost: %s", len(again), ", ".join(again))
    return again


def fan_out(app, huey, name: str) -> int:
    """One message per tenant for the tenant task `name`, each carrying its tenant id."""
    with app.app_context():
        tenant_ids = _tenant_ids()
    for tenant_id in tenant_ids:
        huey.tandem_tenant_task(name, str(tenant_id))
    return len(tenant_ids)


def run_tenant_task(app, name: str, tenant_id: uuid.UUID):
    """One tenant's share of a periodic task, in its own app context and tenant scope, committed once."""
    task = TENANT_TASKS[name]
    with app.app_context(), tenant_scope(tenant_id):
        try:
            with unscoped("check the tenant a periodic message names still exists"):
                exists = db.session.get(Tenant, tenant_id) is not None
            if not exists:
                return None
            result = task.run()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("periodic %s failed for tenant %s", name, tenant_id)
            raise
    log.info("periodic %s for tenant %s: %s", name, tenant_id, result)
    return result


def clean_files(app, huey) -> list[str]:
    """Delete the job files no job needs once their retention period (JOBS_FILE_RETENTION_HOURS) is over.

    Succeeded, rejected and cancelled imports delete their upload as they end (app.jobs.runner); what
    stays is a succeeded pack (to download) and the upload of a failed import (to retry). Both go once
    their job has been over for the retention period; a queued or running job's file always stays.
    Files no job row names (an upload whose request failed) go once they are that old.
    """
    retention = timedelta(hours=float(app.config.get("JOBS_FILE_RETENTION_HOURS", 24)))
    removed: list[str] = []
    with app.app_context():
        from app.jobs.services import jobs_dir

        files = [p for p in jobs_dir().iterdir() if p.is_file()]
        ids = [i for i in (_job_id(p) for p in files) if i is not None]
        owners: dict = {}
        for tenant_id in _tenant_ids() if ids else []:
            with tenant_scope(tenant_id):  # one tenant at a time, as RLS lets the app role see them
                owners.update(db.session.execute(select(Job.id, Job.tenant_id).where(Job.id.in_(ids))).all())
                db.session.rollback()
        now = utcnow()
        for path in sorted(files):
            job_id = _job_id(path)
            if job_id not in owners:
                if path.stat().st_mtime < time.time() - retention.total_seconds():
                    path.unlink(missing_ok=True)
                    removed.append(path.name)
                continue
            with tenant_scope(owners[job_id]):
                job = db.session.get(Job, (owners[job_id], job_id))
                ended = job.finished_at
                if ended is not None and ended.tzinfo is None:
                    ended = ended.replace(tzinfo=timezone.utc)
                if job.state in ACTIVE or ended is None or now - ended < retention:
                    db.session.rollback()
                    continue
                path.unlink(missing_ok=True)
                removed.append(path.name)
                if job.file_path and Path(job.file_path).name == path.name:
                    job.file_path = None
                if (job.params or {}).get("output") == path.name:
                    job.params = {**job.params, "output": None, "output_expired_at": now.isoformat()}
                record("job.file_removed", job, after={"kind": job.kind, "file": path.name}, actor=(None, "system"),
                       summary=f"Removed the file of {job.title} after the retention period")
                db.session.commit()
    if removed:
        log.info("removed %d job file(s): %s", len(removed), ", ".join(removed))
    return removed


def _tenant_ids() -> list[uuid.UUID]:
    with unscoped("list the tenants the worker's own work goes through"):
        ids = list(db.session.scalars(select(Tenant.id).order_by(Tenant.id)))
        db.session.rollback()
    return ids


def _job_id(path: Path) -> uuid.UUID | None:
    try:
        return uuid.UUID(path.name.split(".", 1)[0])
    except ValueError:
        return None
