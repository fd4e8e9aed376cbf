"""The worker's own work: lost enqueues put back, per-tenant periodic tasks, old job files removed."""
from __future__ import annotations

import os
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.context import actor_for_email
from app.core.db import utcnow
from app.extensions import db
from app.jobs.maintenance import TENANT_TASKS, clean_files, fan_out
from app.jobs.models import Job
from app.jobs.services import AFTER_COMMIT
from app.tenancy import tenant_scope
from app.tiers.jobs import start_close_all
from tests.jobs.conftest import ENDED, bearer, wait_for


@pytest.fixture
def queue_paths(tmp_path):
    return {"HUEY_FILE": str(tmp_path / "huey.sqlite"), "JOBS_DIR": str(tmp_path / "jobs"),
            "UPLOAD_SPOOL_DIR": str(tmp_path / "jobs" / "incoming"), "JOBS_REQUEUE_AFTER": "0"}


def _lost_close_all(app, tenant) -> str:
    """A close-all job committed by a request that died before it could enqueue it."""
    with app.test_request_context("/"), tenant_scope(tenant.id):
        g.actor = actor_for_email(tenant, f"admin@{tenant.slug}.example")
        job = start_close_all("2026-Q1", g.actor)
        job_id = str(job.id)
        db.session.info.pop(AFTER_COMMIT)  # the enqueue never happens
        db.session.commit()
    return job_id


def test_the_minutely_requeue_puts_back_a_job_whose_enqueue_was_lost(app, client, make, worker):
    tenant = make.tenant()
    make.partner(tenant)
    token = make.token(make.admin_membership(tenant))
    huey = app.extensions["huey"]
    worker.start()
    job_id = _lost_close_all(app, tenant)
    assert huey.pending_count() == 0
    time.sleep(1.0)
    assert client.get(f"/api/v1/jobs/{job_id}", headers=bearer(token)).get_json()["state"] == "queued"  # stranded
    huey.tandem_periodic["requeue"]()  # what the worker's scheduler sends every minute
    job = wait_for(client, token, job_id, ENDED, worker=worker)
    assert job["state"] == "succeeded" and job["attempts"] == 1, job
    huey.tandem_periodic["requeue"]()  # a job that ran is not run again
    follow = client.post("/api/v1/quarters/2026-Q2/close", headers=bearer(token)).get_json()["id"]
    wait_for(client, token, follow, ENDED, worker=worker)  # the worker has been through the queue
    assert client.get(f"/api/v1/jobs/{job_id}", headers=bearer(token)).get_json()["attempts"] == 1
    # The scheduler sends the requeue every minute (huey's periodic tasks, in the worker without -n).
    task = huey.tandem_periodic["requeue"].task_class()
    assert all(task.validate_datetime(datetime(2026, 12, 4, 3, m)) for m in (0, 1, 29, 59))


def test_a_starting_worker_puts_back_a_lost_job_and_leaves_a_pending_one_single(app, client, make, worker):
    tenant = make.tenant()
    make.partner(tenant)
    token = make.token(make.admin_membership(tenant))
    lost = _lost_close_all(app, tenant)
    pending = client.post("/api/v1/quarters/2026-Q2/close", headers=bearer(token)).get_json()["id"]
    assert app.extensions["huey"].pending_count() == 1  # the second one's message only
    worker.start()
    for job_id in (lost, pending):
        assert wait_for(client, token, job_id, ENDED, worker=worker)["state"] == "succeeded"
    assert "re-enqueued 1 queued job(s)" in worker.output() and lost in worker.output()


def test_periodic_tenant_tasks_fan_out_one_message_per_tenant_each_in_its_own_scope(app, make, worker):
    from app.notifications.models import Notification

    assert {"opportunities.sweep", "reviews.remind"} <= set(TENANT_TASKS)
    huey = app.extensions["huey"]
    busy, quiet = make.tenant(), make.tenant()
    acme = make.partner(busy, "Acme")
    person = make.member(busy, "partner_admin", acme)
    with tenant_scope(busy.id):  # an open action item due in three days, in one tenant only
        from app.reviews.models import ActionItem, Review

        review = Review(partner_id=acme.id, period="2026-Q4")
        db.session.add(review)
        db.session.flush()
        db.session.add(ActionItem(review_id=review.id, title="Call the sponsor", owner_side="partner",
                                  owner_id=person.id, due_date=utcnow().date() + timedelta(days=3)))
        db.session.commit()
    assert fan_out(app, huey, "reviews.remind") == 2
    messages = sorted(t.args for t in huey.pending())
    assert messages == sorted([("reviews.remind", str(busy.id)), ("reviews.remind", str(quiet.id))])
    worker.start()
    deadline = time.monotonic() + 60
    while huey.pending_count() and time.monotonic() < deadline:
        time.sleep(0.05)
    subjects = []
    while time.monotonic() < deadline:
        with tenant_scope(busy.id):
            subjects = list(db.session.scalars(select(Notification.subject).where(
                Notification.membership_id == person.id)))
            db.session.rollback()
        if subjects:
            break
        time.sleep(0.05)
    assert subjects == ["Action item due within a week: Call the sponsor"], worker.output()[-2000:]
    with tenant_scope(quiet.id):
        assert db.session.scalar(select(Notification.id)) is None
        db.session.rollback()
    # Each runs from the worker's scheduler at its hour: the sweep hourly, the reminders daily.
    sweep = huey.tandem_periodic["opportunities.sweep"].task_class()
    remind = huey.tandem_periodic["reviews.remind"].task_class()
    assert sweep.validate_datetime(datetime(2026, 12, 4, 13, 5)) and not sweep.validate_datetime(datetime(2026, 12, 4, 13, 6))
    assert remind.validate_datetime(datetime(2026, 12, 4, 6, 35)) and not remind.validate_datetime(datetime(2026, 12, 4, 7, 35))


def _job(tenant, state: str, ended_hours_ago: float | None, suffix: str, output: bool = False) -> tuple[str, Path]:
    from app.jobs.services import new_file_path

    membership = None
    with tenant_scope(tenant.id):
        from app.auth.models import Membership
        membership = db.session.scalar(select(Membership.id).where(Membership.role == "vendor_admin"))
        job_id = uuid.uuid4()
        path = new_file_path(job_id, suffix)
        path.write_bytes(b"%PDF-1.7 test" if output else b"name,domain\n")
        finished = utcnow() - timedelta(hours=ended_hours_ago) if ended_hours_ago is not None else None
        db.session.add(Job(id=job_id, kind="reviews.pdf_pack" if output else "accounts.import", state=state,
                           started_by_id=membership, title="test", finished_at=finished,
                           params={"output": path.name, "output_name": "pack.pdf"} if output else {},
                           file_path=None if output else str(path)))
        db.session.commit()
    return str(job_id), path


def test_job_files_are_removed_after_their_retention_period(app, client, make):
    tenant = make.tenant()
    token = make.token(make.admin_membership(tenant))
    app.config["JOBS_FILE_RETENTION_HOURS"] = 24
    old_pack, old_pack_file = _job(tenant, "succeeded", 25, ".pdf", output=True)
    new_pack, new_pack_file = _job(tenant, "succeeded", 1, ".pdf", output=True)
    old_failed, old_failed_file = _job(tenant, "failed", 30, ".csv")  # kept for a retry, for a day
    new_failed, new_failed_file = _job(tenant, "failed", 2, ".csv")
    queued, queued_file = _job(tenant, "queued", None, ".csv")
    os.utime(queued_file, (time.time() - 90_000, time.time() - 90_000))  # old, but its job has not run
    from app.jobs.services import jobs_dir

    with app.app_context():
        stray_old, stray_new = jobs_dir() / f"{uuid.uuid4()}.csv", jobs_dir() / f"{uuid.uuid4()}.csv"
    for p in (stray_old, stray_new):
        p.write_bytes(b"x")
    os.utime(stray_old, (time.time() - 90_000, time.time() - 90_000))
    assert client.get(f"/api/v1/jobs/{old_pack}/download", headers=bearer(token)).status_code == 200
    assert client.get(f"/api/v1/jobs/{old_failed}", headers=bearer(token)).get_json()["retryable"]

    removed = clean_files(app, app.extensions["huey"])

    assert sorted(removed) == sorted([old_pack_file.name, old_failed_file.name, stray_old.name])
    assert not old_pack_file.exists() and not old_failed_file.exists() and not stray_old.exists()
    assert new_pack_file.exists() and new_failed_file.exists() and queued_file.exists() and stray_new.exists()
    assert client.get(f"/api/v1/jobs/{old_pack}/download", headers=bearer(token)).status_code == 404
    assert not client.get(f"/api/v1/jobs/{old_pack}", headers=bearer(token)).get_json()["has_output"]
    assert not client.get(f"/api/v1/jobs/{old_failed}", headers=bearer(token)).get_json()["retryable"]
    assert client.get(f"/api/v1/jobs/{new_pack}/download", headers=bearer(token)).status_code == 200
    assert client.get(f"/api/v1/jobs/{new_failed}", headers=bearer(token)).get_json()["retryable"]
    with tenant_scope(tenant.id):
        events = list(db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "job.file_removed")))
        db.session.rollback()
    assert sorted(str(e) for e in events) == sorted([old_pack, old_failed])
    assert clean_files(app, app.extensions["huey"]) == []  # nothing more to do
    # The worker's scheduler runs it hourly.
    assert app.extensions["huey"].tandem_periodic["clean_files"].task_class().validate_datetime(datetime(2026, 1, 1, 4, 17))
