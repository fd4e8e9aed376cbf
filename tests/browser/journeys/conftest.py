"""The app as it runs for people: gunicorn and a real job worker on 127.0.0.1, on a fresh database seeded
with the demo tenant (`flask demo`), shared by every journey of the session and stopped at its end.

On SQLite the database is a new file; with TANDEM_TEST_DB=postgres it is a new database in the suite's
throwaway cluster, migrated as the owner and served as the non-owner app role (row-level security on).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import APP_ROLE, APP_ROLE_PASSWORD, BACKEND

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    base: str
    env: dict
    folder: Path
    outbox: Path
    shots: Path

    def flask(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout


def _stop(proc: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture(scope="session")
def stack(tmp_path_factory, request):
    folder = tmp_path_factory.mktemp("journeys")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "APP_DATABASE_URL")}
    if BACKEND == "postgres":
        request.getfixturevalue("database_url")  # the cluster and the app role exist
        cluster = request.getfixturevalue("pg_cluster")
        name = f"tandem_journeys_{uuid.uuid4().hex[:6]}"
        env["DATABASE_URL"] = cluster.create_database(name)
        env["APP_DATABASE_URL"] = cluster.url(name, user=APP_ROLE, password=APP_ROLE_PASSWORD)
    else:
        env["DATABASE_URL"] = f"sqlite:///{folder / 'tandem.sqlite'}"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env.update({
        "TANDEM_ENV": "development", "TANDEM_INSTANCE_DIR": str(folder), "PUBLIC_BASE_URL": base,
        "SECRET_KEY": "journeys-" + uuid.uuid4().hex, "HUEY_FILE": str(folder / "huey.sqlite"),
        "JOBS_DIR": str(folder / "jobs"), "UPLOAD_SPOOL_DIR": str(folder / "jobs" / "incoming"),
        "MAIL_VIA_QUEUE": "1", "PYTHONUNBUFFERED": "1",
    })
    shots = Path(os.environ.get("TANDEM_SCREENSHOTS") or folder / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    s = Stack(base=base, env=env, folder=folder, outbox=folder / "outbox", shots=shots)
    s.flask("db", "upgrade")
    s.flask("demo")
    log = open(folder / "server.log", "ab")
    web = subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "--threads", "4", "-b", f"127.0.0.1:{port}",
                            "--graceful-timeout", "5", "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    worker = subprocess.Popen([sys.executable, "-m", "huey.bin.huey_consumer", "worker.huey", "-w", "2", "-k", "thread",
                               "-d", "0.05", "-m", "0.2", "-b", "1.1"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:  # nosec B310 - our own server
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert web.poll() is None and time.monotonic() < deadline, (folder / "server.log").read_text()[-3000:]
            time.sleep(0.2)
        print(f"\njourneys: {base} on {BACKEND}; screenshots in {shots}")
        yield s
    finally:
        _stop(worker, signal.SIGINT)
        _stop(web)
        log.close()


@pytest.fixture(scope="session")
def shots_folder(stack):
    return stack.shots
