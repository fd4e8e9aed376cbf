"""A real worker for the job tests: `huey_consumer worker.huey` in its own process, on a temp queue file
and the test database (on PostgreSQL as the app role, as the web side runs)."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from tests.conftest import BACKEND, _empty_all_tables

ROOT = Path(__file__).resolve().parents[2]
HEADER = "name,domain,employees,industry,region,arr,renewal_date,stage\n"


@pytest.fixture
def queue_paths(tmp_path):
    return {"HUEY_FILE": str(tmp_path / "huey.sqlite"), "JOBS_DIR": str(tmp_path / "jobs"),
            "UPLOAD_SPOOL_DIR": str(tmp_path / "jobs" / "incoming")}


@pytest.fixture
def app(database_url, app_database_url, tmp_path, queue_paths):
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": database_url, "APP_DATABASE_URL": app_database_url,
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"), **queue_paths,
    })
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    _empty_all_tables(database_url)


class Worker:
    """One consumer process; start() it, kill() it (SIGKILL) or stop() it (SIGINT, then wait)."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log, self.proc = env, log, None

    def start(self, workers: int = 1) -> "Worker":
        out = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "huey.bin.huey_consumer", "worker.huey", "-w", str(workers), "-k", "thread",
             "-d", "0.05", "-m", "0.2", "-b", "1.1", "-n"],
            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        return self

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def worker(app, database_url, app_database_url, queue_paths, tmp_path):
    env = {**os.environ, "TANDEM_ENV": "testing", "DATABASE_URL": database_url, **queue_paths,
           "TANDEM_INSTANCE_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}  # its outbox: tmp_path/outbox
    env.pop("APP_DATABASE_URL", None)
    if app_database_url:
        env["APP_DATABASE_URL"] = app_database_url
    w = Worker(env, tmp_path / "worker.log")
    yield w
    w.stop()


def csv_rows(n: int, prefix: str = "co", bad_row: int | None = None) -> bytes:
    buf = io.StringIO()
    buf.write(HEADER)
    for i in range(1, n + 1):
        domain = "not a domain" if i == bad_row else f"{prefix}{i}.example"
        buf.write(f"Company {i},{domain},{i % 5000},Software,EMEA,{i * 10},2027-01-01,customer\n")
    return buf.getvalue().encode()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def post_import(client, token: str, data: bytes, name: str = "accounts.csv"):
    return client.post("/api/v1/accounts/import", headers=bearer(token),
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def job_of(client, token: str, job_id: str) -> dict:
    r = client.get(f"/api/v1/jobs/{job_id}", headers=bearer(token))
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def wait_for(client, token: str, job_id: str, until, timeout: float = 60.0, seen: list | None = None,
             worker: Worker | None = None) -> dict:
    """Poll the job until until(job) holds; every answer goes into `seen`."""
    deadline = time.monotonic() + timeout
    while True:
        job = job_of(client, token, job_id)
        if seen is not None:
            seen.append(job)
        if until(job):
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job never got there: {job}\n{worker.output()[-3000:] if worker else ''}")
        time.sleep(0.02)


ENDED = lambda job: job["state"] in ("succeeded", "failed", "cancelled")  # noqa: E731


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A throwaway redis-server on 127.0.0.1 and a free port (nothing saved); start() it when the test wants."""

    def __init__(self, exe: str, folder: Path):
        self.exe, self.folder, self.proc, self.port = exe, folder, None, _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        import redis

        self.proc = subprocess.Popen([self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.folder)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        client = redis.Redis(host="127.0.0.1", port=self.port)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    client.ping()
                    return self
                except redis.ConnectionError:
                    if time.monotonic() > deadline or self.proc.poll() is not None:
                        raise
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server not started yet (its URL is known); required in CI (TANDEM_REQUIRE_BROWSER=1)."""
    import shutil

    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("TANDEM_REQUIRE_BROWSER") == "1":
            pytest.fail("redis-server is missing (scripts/bootstrap.sh test installs it)")
        pytest.skip("redis-server is not installed (apt-get install redis-server, or scripts/bootstrap.sh test)")
    server = RedisServer(exe, tmp_path)
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    """A running throwaway redis-server's URL, stopped at the end."""
    return redis_server.start().url
