"""Jobs run by a real worker process: progress, all or nothing, kill -9, cancel, tenants, order."""
from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from app.accounts.models import Account
from app.audit.models import AuditEvent
from app.extensions import db
from app.jobs.models import Job
from app.jobs.runner import ABANDONED
from app.partners.models import Partner
from app.tenancy import tenant_scope
from tests.jobs.conftest import ENDED, bearer, csv_rows, job_of, post_import, wait_for

BIG = 150_000  # long enough (a few seconds) to be caught mid-import


def _setup(make, partners: int = 0):
    tenant = make.tenant()
    for i in range(partners):
        make.partner(tenant, f"Partner {i}")
    return tenant, make.token(make.admin_membership(tenant))


def _accounts(tenant) -> int:
    with tenant_scope(tenant.id):
        count = db.session.scalar(select(func.count()).select_from(Account))
        db.session.rollback()
        return count


def _job_row(tenant, job_id) -> Job:
    with tenant_scope(tenant.id):
        db.session.expire_all()
        job = db.session.scalar(select(Job).where(Job.id == uuid.UUID(str(job_id))))
        db.session.expunge(job)
        db.session.rollback()
        return job


def test_import_runs_in_the_worker_with_progress_rising_to_total(client, make, worker):
    tenant, token = _setup(make)
    r = post_import(client, token, csv_rows(BIG))
    assert r.status_code == 202
    job_id = r.get_json()["id"]
    assert r.headers["Location"] == f"/api/v1/jobs/{job_id}"
    assert r.get_json()["state"] == "queued"
    assert Path(_job_row(tenant, job_id).file_path).exists()  # kept until the job ends
    worker.start()
    seen: list = []
    job = wait_for(client, token, job_id, ENDED, seen=seen, worker=worker)
    assert job["state"] == "succeeded", job
    assert job["result"]["created"] == BIG and job["result"]["rows"] == BIG
    assert job["done"] == job["total"] == BIG and job["percent"] == 100
    running = [j["done"] for j in seen if j["state"] == "running"]
    assert len(set(running)) >= 2, running  # observed moving while it ran
    assert running == sorted(running) and 0 < max(running) <= BIG
    assert {j["phase"] for j in seen if j["state"] == "running"} & {"reading", "writing"}
    assert _accounts(tenant) == BIG
    row = _job_row(tenant, job_id)
    assert row.file_path is None and row.started_at <= row.finished_at and row.attempts == 1
    assert not list(Path(worker.env["JOBS_DIR"]).glob("*.csv"))  # the upload is deleted once done
    with tenant_scope(tenant.id):
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"job.start", "job.succeed", "accounts.import"} <= actions


def test_a_file_with_one_bad_row_fails_listing_it_and_writes_nothing(client, make, worker):
    tenant, token = _setup(make)
    worker.start()
    job_id = post_import(client, token, csv_rows(20_000, bad_row=12_345)).get_json()["id"]
    job = wait_for(client, token, job_id, ENDED, worker=worker)
    assert job["state"] == "failed"
    assert job["error"]["rows"] == [{"row": 12_346, "field": "domain", "message": job["error"]["rows"][0]["message"]}]
    assert "nothing was imported" in job["error"]["message"]
    assert _accounts(tenant) == 0
    assert _job_row(tenant, job_id).file_path is None


def test_kill_9_mid_import_leaves_no_rows_and_a_retry_succeeds(client, make, worker):
    tenant, token = _setup(make)
    worker.start()
    job_id = post_import(client, token, csv_rows(BIG)).get_json()["id"]
    wait_for(client, token, job_id, lambda j: j["state"] == "running" and j["done"] >= 10_000, worker=worker)
    worker.kill()
    assert _accounts(tenant) == 0
    assert job_of(client, token, job_id)["state"] == "running"  # nobody has noticed yet
    worker.start()  # the next worker finds the abandoned job at its start
    job = wait_for(client, token, job_id, ENDED, worker=worker)
    assert job["state"] == "failed" and job["error"]["message"] == ABANDONED and job["retryable"]
    assert _accounts(tenant) == 0
    r = client.post(f"/api/v1/jobs/{job_id}/retry", headers=bearer(token))
    assert r.status_code == 202, r.get_data(as_text=True)
    job = wait_for(client, token, job_id, ENDED, worker=worker)
    assert job["state"] == "succeeded" and job["attempts"] == 2
    assert _accounts(tenant) == BIG


def test_cancel_mid_import_leaves_no_rows(client, make, worker):
    tenant, token = _setup(make)
    worker.start()
    job_id = post_import(client, token, csv_rows(BIG)).get_json()["id"]
    wait_for(client, token, job_id, lambda j: j["state"] == "running" and j["done"] >= 10_000, worker=worker)
    assert client.post(f"/api/v1/jobs/{job_id}/cancel", headers=bearer(token)).status_code == 202
    job = wait_for(client, token, job_id, ENDED, worker=worker)
    assert job["state"] == "cancelled"
    assert _accounts(tenant) == 0
    assert client.post(f"/api/v1/jobs/{job_id}/cancel", headers=bearer(token)).status_code == 409


def test_cancel_a_queued_job_before_any_worker_runs(client, make, worker):
    tenant, token = _setup(make)
    job_id = post_import(client, token, csv_rows(100)).get_json()["id"]
    r = client.post(f"/api/v1/jobs/{job_id}/cancel", headers=bearer(token))
    assert r.status_code == 202 and r.get_json()["state"] == "cancelled"
    worker.start()
    follow = post_import(client, token, csv_rows(10, prefix="after")).get_json()["id"]
    wait_for(client, token, follow, ENDED, worker=worker)  # the worker has been through the queue
    assert job_of(client, token, job_id)["state"] == "cancelled"
    assert _accounts(tenant) == 10


def test_close_all_runs_in_the_worker(client, make, worker):
    tenant, token = _setup(make, partners=3)
    worker.start()
    r = client.post("/api/v1/quarters/2026-Q1/close", headers=bearer(token))
    assert r.status_code == 202 and r.headers["Location"].startswith("/api/v1/jobs/")
    seen: list = []
    job = wait_for(client, token, r.get_json()["id"], ENDED, seen=seen, worker=worker)
    assert job["state"] == "succeeded", job
    assert job["total"] == job["done"] == 3 and job["unit"] == "partners"
    assert job["result"]["period"] == "2026-Q1" and job["result"]["skipped"] == 3  # no agreements yet


def test_a_job_of_tenant_a_after_one_of_tenant_b_sees_only_a(client, make, worker):
    a, a_token = _setup(make, partners=2)
    b, b_token = _setup(make, partners=5)
    worker.start()  # one worker runs B's jobs, then A's
    b_import = post_import(client, b_token, csv_rows(2_000)).get_json()["id"]
    b_close = client.post("/api/v1/quarters/2026-Q1/close", headers=bearer(b_token)).get_json()["id"]
    wait_for(client, b_token, b_close, ENDED, worker=worker)
    a_import = post_import(client, a_token, csv_rows(2_000)).get_json()["id"]  # the same domains as B's
    a_close = client.post("/api/v1/quarters/2026-Q1/close", headers=bearer(a_token)).get_json()["id"]
    a_job = wait_for(client, a_token, a_close, ENDED, worker=worker)
    assert wait_for(client, b_token, b_import, ENDED)["result"]["created"] == 2_000
    imported = wait_for(client, a_token, a_import, ENDED)
    assert imported["result"]["created"] == 2_000 and imported["result"]["updated"] == 0  # none of B's matched
    assert a_job["total"] == 2 and a_job["result"]["skipped"] == 2  # A's two partners, not B's five
    with tenant_scope(a.id):
        a_partners = {str(p) for p in db.session.scalars(select(Partner.id))}
    assert {s["partner_id"] for s in a_job["result"]["skipped_partners"]} == a_partners
    assert _accounts(a) == _accounts(b) == 2_000
    assert client.get(f"/api/v1/jobs/{b_import}", headers=bearer(a_token)).status_code == 404


def test_a_second_import_for_the_same_owner_waits_for_the_first(client, make, worker):
    tenant, token = _setup(make)
    first = post_import(client, token, csv_rows(60_000)).get_json()["id"]
    second = post_import(client, token, csv_rows(60_000, prefix="more")).get_json()["id"]
    worker.start(workers=2)
    one = wait_for(client, token, first, ENDED, worker=worker)
    two = wait_for(client, token, second, ENDED, worker=worker)
    assert one["state"] == two["state"] == "succeeded"
    spans = sorted((datetime.fromisoformat(j["started_at"]), datetime.fromisoformat(j["finished_at"])) for j in (one, two))
    assert spans[1][0] >= spans[0][1], spans  # one after the other (either may go first), never interleaved
    assert (one["result"]["created"], two["result"]["created"]) == (60_000, 60_000)
    assert _accounts(tenant) == 120_000
