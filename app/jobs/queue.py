"""The job queue: huey, with its SQLite file under instance/ by default, Redis when REDIS_URL is set.

Web processes only enqueue; `python -m huey.bin.huey_consumer worker.huey` (or `make run`) runs the
jobs. The database stays the record of every job (app/jobs/models.py); huey's storage carries the
messages, the locks and the live progress of running jobs. Progress lives there and not in the job
row because the import writes in one transaction for its whole run, and SQLite has one writer:
a second connection could not update the row before the import commits.
"""
from __future__ import annotations

import json
import os
import socket
import time
import uuid
from pathlib import Path

from flask import Flask
from huey import RedisHuey, SqliteHuey, crontab
from huey.exceptions import TaskLockedException

RUNNING_PREFIX = "tandem.running."
PROGRESS_PREFIX = "tandem.progress."
CANCEL_PREFIX = "tandem.cancel."


def make_huey(app: Flask):
    """The app's huey, with the one task that runs any job registered on it."""
    name = app.config.get("HUEY_NAME", "tandem")
    immediate = bool(app.config.get("HUEY_IMMEDIATE", False))
    # No task results are stored: the job row is the record, and a result nobody reads would stay forever.
    if app.config.get("REDIS_URL"):
        huey = RedisHuey(name, url=app.config["REDIS_URL"], immediate=immediate, results=False)
    else:
        path = Path(app.config.get("HUEY_FILE") or Path(app.instance_path) / "huey.sqlite")
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name, filename=str(path), immediate=immediate, results=False)

    @huey.task(name="tandem.run_job")
    def run_job(tenant_id: str, job_id: str) -> str:
        from app.jobs.runner import run

        return run(app, huey, uuid.UUID(tenant_id), uuid.UUID(job_id))

    @huey.task(name="tandem.tenant_task")
    def tenant_task(name: str, tenant_id: str):
        from app.jobs.maintenance import run_tenant_task

        return run_tenant_task(app, name, uuid.UUID(tenant_id))

    @huey.task(name="tandem.link_mail", retries=2, retry_delay=30)
    def link_mail(purpose: str, user_id: str) -> None:
        """A password-reset mail: only the user's id travels; the worker makes the token and the link."""
        from app.jobs.mailjobs import send_link_now

        send_link_now(app, purpose, user_id)

    @huey.on_startup(name="tandem.recover")
    def recover() -> None:
        from app.jobs.maintenance import requeue_stranded
        from app.jobs.runner import recover_abandoned

        recover_abandoned(app, huey)
        requeue_stranded(app, huey, at_start=True)

    @huey.periodic_task(crontab(minute="*"), name="tandem.requeue")
    def requeue() -> None:
        """Every minute: jobs whose enqueue was lost go in again; abandoned ones are failed."""
        from app.jobs.maintenance import requeue_stranded
        from app.jobs.runner import recover_abandoned

        recover_abandoned(app, huey)
        requeue_stranded(app, huey)

    @huey.periodic_task(crontab(minute="17"), name="tandem.clean_files")
    def clean_files() -> None:
        """Hourly: job files no job needs any more (ended jobs' inputs, packs past their retention)."""
        from app.jobs.maintenance import clean_files

        clean_files(app, huey)

    huey.tandem_run_job = run_job
    huey.tandem_tenant_task = tenant_task
    huey.tandem_link_mail = link_mail
    huey.tandem_periodic = {"requeue": requeue, "clean_files": clean_files}
    return huey


def add_tenant_periodics(app: Flask, huey) -> None:
    """One periodic task per registered tenant task (app.jobs.maintenance), fanned out per tenant.

    Called once the features are imported (they register their tasks), from create_app."""
    from app.jobs.maintenance import TENANT_TASKS, fan_out

    for task in TENANT_TASKS.values():
        def fan(name=task.name) -> None:
            fan_out(app, huey, name)

        huey.tandem_periodic[task.name] = huey.periodic_task(
            crontab(minute=task.minute, hour=task.hour), name=f"tandem.every.{task.name}")(fan)


def get_huey():
    from flask import current_app

    return current_app.extensions["huey"]


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _get(huey, key: str):
    raw = huey.storage.peek_data(key)
    from huey.constants import EmptyData

    if raw is EmptyData:
        return None
    return json.loads(raw)


def _put(huey, key: str, value) -> None:
    huey.storage.put_data(key, json.dumps(value).encode())


def progress_of(huey, job_id) -> dict | None:
    """A running job's live progress: {phase, done, total, errors, at}."""
    return _get(huey, PROGRESS_PREFIX + str(job_id))


def put_progress(huey, job_id, phase: str, done: int, total: int | None, errors: int) -> None:
    _put(huey, PROGRESS_PREFIX + str(job_id),
         {"phase": phase, "done": done, "total": total, "errors": errors, "at": time.time()})


def request_cancel(huey, job_id, who: tuple) -> None:
    _put(huey, CANCEL_PREFIX + str(job_id), {"user_id": str(who[0]) if who[0] else None, "email": who[1]})


def cancel_requested(huey, job_id) -> dict | None:
    return _get(huey, CANCEL_PREFIX + str(job_id))


def mark_running(huey, tenant_id, job_id, locks: list[str]) -> None:
    _put(huey, RUNNING_PREFIX + str(job_id), {"tenant_id": str(tenant_id), "job_id": str(job_id),
                                              "worker": worker_id(), "locks": locks})


def forget(huey, job_id) -> None:
    for prefix in (RUNNING_PREFIX, PROGRESS_PREFIX, CANCEL_PREFIX):
        huey.storage.delete_data(prefix + str(job_id))


def running_entries(huey) -> list[dict]:
    items = huey.all_results()
    return [json.loads(v) for k, v in items.items() if k.startswith(RUNNING_PREFIX)]


def acquire(huey, name: str) -> bool:
    try:
        huey.lock_task(name).acquire()
        return True
    except TaskLockedException:
        return False


def release(huey, name: str) -> None:
    huey.lock_task(name).release()
