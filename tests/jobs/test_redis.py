"""The queue on Redis (production's setting, REDIS_URL): a real redis-server and a real worker run an import."""
from __future__ import annotations

import time

import pytest

from app.jobs import queue
from tests.jobs.conftest import ENDED, bearer, csv_rows, post_import, wait_for
from tests.jobs.test_worker import _accounts, _job_row, _setup


@pytest.fixture
def queue_paths(tmp_path, redis_server):
    # Both the app under test and the worker process take these (the worker as environment variables);
    # the server itself starts when a test asks for redis_url.
    return {"REDIS_URL": redis_server.url, "JOBS_DIR": str(tmp_path / "jobs"),
            "UPLOAD_SPOOL_DIR": str(tmp_path / "jobs" / "incoming")}


def test_an_import_runs_through_redis_and_a_real_worker(redis_url, app, client, make, worker):
    from huey import RedisHuey

    assert isinstance(app.extensions["huey"], RedisHuey)
    tenant, token = _setup(make)
    job_id = post_import(client, token, csv_rows(20_000)).get_json()["id"]
    worker.start()
    seen: list = []
    job = wait_for(client, token, job_id, ENDED, seen=seen, worker=worker)
    assert job["state"] == "succeeded", job
    assert job["result"]["created"] == 20_000 and _accounts(tenant) == 20_000
    assert _job_row(tenant, job_id).file_path is None
    # Live progress, the running list and the locks live in Redis, and are gone once the job ended
    # (the worker forgets them, then releases its locks, just after it commits the job's outcome:
    # the API can show the outcome a moment before, so wait for all of it).
    huey = app.extensions["huey"]
    deadline = time.monotonic() + 10
    while huey.storage.result_items() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert queue.running_entries(huey) == [] and queue.progress_of(huey, job_id) is None
    # Nothing piles up in Redis (locks released, no task results kept: the job row is the record).
    assert set(huey.storage.result_items()) == set(), huey.storage.result_items()
    assert "huey" in worker.output().lower()


def test_a_killed_worker_on_redis_is_noticed_by_the_next_one(redis_url, app, client, make, worker):
    from app.jobs.runner import ABANDONED
    from tests.jobs.test_worker import BIG

    tenant, token = _setup(make)
    worker.start()
    job_id = post_import(client, token, csv_rows(BIG)).get_json()["id"]
    wait_for(client, token, job_id, lambda j: j["state"] == "running" and j["done"] >= 10_000, worker=worker)
    assert queue.running_entries(app.extensions["huey"])[0]["job_id"] == job_id
    worker.kill()
    worker.start()
    job = wait_for(client, token, job_id, ENDED, worker=worker)
    assert job["state"] == "failed" and job["error"]["message"] == ABANDONED
    assert _accounts(tenant) == 0
    assert client.post(f"/api/v1/jobs/{job_id}/retry", headers=bearer(token)).status_code == 202
    assert wait_for(client, token, job_id, ENDED, worker=worker)["state"] == "succeeded"
    assert _accounts(tenant) == BIG


def test_an_import_queued_while_redis_was_down_runs_when_a_worker_starts(redis_server, app, client, make, worker):
    tenant, token = _setup(make)
    r = post_import(client, token, csv_rows(500))  # Redis is not running: the enqueue after the commit fails
    assert r.status_code == 202, r.get_data(as_text=True)  # the job is committed; the answer is still its 202
    job_id = r.get_json()["id"]
    assert _job_row(tenant, job_id).state == "queued"
    redis_server.start()
    assert app.extensions["huey"].pending_count() == 0  # no message stands for the job
    worker.start()  # a starting worker enqueues the queued jobs nothing stands for
    job = wait_for(client, token, job_id, ENDED, worker=worker)
    assert job["state"] == "succeeded" and job["attempts"] == 1, job
    assert _accounts(tenant) == 500
