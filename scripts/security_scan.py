"""sqlmap against a throwaway local instance: start it, sign in, scan a list of routes, stop it.

Exits 1 if sqlmap reports any injection point, if a scan does not finish in time, or if the
signed-in session stops working (a scan of the sign-in page would prove nothing). Only
127.0.0.1 is ever a target.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# The demo's published login (app/demo), on a throwaway instance.
ADMIN, PASSWORD = "admin@northwind.example", "tandem-demo-2026"
LEVEL, RISK = os.environ.get("SQLMAP_LEVEL", "2"), os.environ.get("SQLMAP_RISK", "1")
PER_TARGET_SECONDS = int(os.environ.get("SQLMAP_TARGET_SECONDS", "240"))
STATUS = re.compile(r"^HTTP (?:response|redirect) \[#\d+\] \((\d{3})", re.M)
# Only confirmed findings: sqlmap says "appears to be injectable" before its own false-positive checks.
FOUND = re.compile(r"identified the following injection point|\bis vulnerable\b", re.I)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def flask(env, *args) -> str:
    return subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                          check=True, capture_output=True, text=True, timeout=300).stdout


def start_server(env, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"{HOST}:{port}", "--workers", "1",
         "--threads", "4", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(100):
        try:
            if requests.get(f"http://{HOST}:{port}/healthz", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("security: the local instance did not start")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def sign_in(base: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/auth/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    browser.post(f"{base}/auth/login", data={"email": ADMIN, "password": PASSWORD, "csrf_token": token}, timeout=30)
    if browser.get(f"{base}/partners/", allow_redirects=False, timeout=10).status_code != 200:
        raise SystemExit("security: could not sign in to the local instance")
    return browser


def session_alive(browser: requests.Session, base: str) -> bool:
    return browser.get(f"{base}/partners/", allow_redirects=False, timeout=10).status_code == 200


def targets(ids: dict) -> list[tuple[str, str, str, str | None]]:
    out = []
    for line in (ROOT / "scripts" / "security_targets.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        auth, method, rest = line.split(" ", 2)
        path, _, body = rest.partition(" ")
        for key, value in ids.items():  # plain replacement: JSON bodies have braces of their own
            path, body = path.replace(f"{{{key}}}", value), body.replace(f"{{{key}}}", value)
        out.append((auth, method, path, body or None))
    return out


def run_sqlmap(base: str, auth: str, method: str, path: str, body: str | None, cookie: str, bearer: str,
               out_dir: Path) -> tuple[bool, bool, str, list[int]]:
    """(finding, finished, last lines, HTTP statuses seen) for one target."""
    out_dir.mkdir(parents=True, exist_ok=True)
    traffic = out_dir / "traffic.txt"
    cmd = ["sqlmap", "--batch", "--disable-coloring", f"--level={LEVEL}", f"--risk={RISK}", "--flush-session",
           "--output-dir", str(out_dir), "-t", str(traffic), "--timeout=10", "--retries=1", "-u", f"{base}{path}",
           "--method", method, "--skip-waf", "--answers=follow=N"]
    if auth == "cookie":
        # The session cookie is what keeps us signed in: sqlmap must not inject into it.
        cmd += ["--cookie", f"session={cookie}", "--skip=session,csrf_token", "--drop-set-cookie"]
        if method != "GET":
            # The form's own page hands out the CSRF token; sqlmap swaps a fresh one into each request.
            data = f"{body}&csrf_token=fetched-per-request" if body else "csrf_token=fetched-per-request"
            cmd += ["--data", data, "--csrf-token=csrf_token", f"--csrf-url={base}{path}",
                    "--csrf-method=GET"]
    else:
        cmd += ["-H", f"Authorization: Bearer {bearer}"]
        if body:
            cmd += ["--data", body, "-H", "Content-Type: application/json"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PER_TARGET_SECONDS,
                              stdin=subprocess.DEVNULL)
        output, finished = proc.stdout + proc.stderr, True
    except subprocess.TimeoutExpired as exc:
        raw = exc.stdout or ""
        output, finished = (raw.decode(errors="replace") if isinstance(raw, bytes) else raw), False
    finding = bool(FOUND.search(output)) or any(p.stat().st_size > 0 for p in out_dir.rglob("log"))
    statuses = [int(code) for code in STATUS.findall(traffic.read_text(errors="replace"))] if traffic.exists() else []
    (out_dir / "sqlmap.out").write_text(output)
    evidence = [line for line in output.splitlines() if FOUND.search(line)] or output.strip().splitlines()[-3:]
    return finding, finished, "\n".join(evidence[:10]), statuses


def main() -> int:
    if shutil.which("sqlmap") is None:
        raise SystemExit("security: sqlmap is not installed (apt-get install sqlmap)")
    work = Path(tempfile.mkdtemp(prefix="tandem-security-"))
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "APP_DATABASE_URL")}
    # sqlmap sends thousands of requests a minute with one token: under the API's per-token limit
    # they would answer 429 and the bearer routes would never be reached (that limit has its own tests).
    env.update({"TANDEM_INSTANCE_DIR": str(work / "instance"), "TANDEM_ENV": "development",
                "PUBLIC_BASE_URL": base, "API_RATE_LIMIT": "1000000 per minute"})
    flask(env, "db", "upgrade")
    flask(env, "demo")
    bearer = flask(env, "tokens", "create", "--tenant", "demo", "--email", ADMIN, "--name", "sqlmap").strip()
    server = start_server(env, port)
    started = time.monotonic()
    findings, unfinished, void, scanned, sent = [], [], [], 0, 0
    try:
        browser = sign_in(base)
        cookie = browser.cookies.get("session")
        api = {"Authorization": f"Bearer {bearer}"}
        partners = requests.get(f"{base}/api/v1/partners?limit=1", headers=api, timeout=10).json()["items"]
        settings = browser.get(f"{base}/settings/", timeout=10).text
        ids = {"partner_id": partners[0]["id"], "partner_version": str(partners[0]["version"]),
               "settings_version": re.search(r'name="version"[^>]*value="(\d+)"', settings).group(1)}
        only = os.environ.get("SQLMAP_ONLY", "")  # e.g. "POST /settings" while working on one route
        for auth, method, path, body in targets(ids):
            if only and only not in f"{method} {path}":
                continue
            out_dir = work / f"sqlmap-{scanned}"
            finding, finished, tail, statuses = run_sqlmap(base, auth, method, path, body, cookie, bearer, out_dir)
            scanned += 1
            sent += len(statuses)
            label = f"{method} {path} ({auth})"
            accepted = sum(1 for code in statuses if code < 400)
            print(f"security: sqlmap {label}: {'FINDING' if finding else 'clean' if finished else 'TIMED OUT'} "
                  f"({len(statuses)} requests, {accepted} answered below 400)", flush=True)
            if not accepted:
                # Every request refused (CSRF, auth, validation): the view was never reached.
                void.append(label)
            if finding:
                findings.append(f"{label}\n{tail}")
            if not finished:
                unfinished.append(label)
            if auth == "cookie" and not session_alive(browser, base):
                raise SystemExit(f"security: the signed-in session ended during {label}; the scan would be void")
    finally:
        stop_server(server)
    elapsed = time.monotonic() - started
    print(f"security: sqlmap scanned {scanned} routes with {sent} requests (level {LEVEL}, risk {RISK}) "
          f"in {elapsed:.0f}s: {len(findings)} findings, {len(unfinished)} unfinished, {len(void)} never reached")
    for finding in findings:
        print(f"  FINDING {finding}")
    for label in void:
        print(f"  NEVER REACHED {label}")
    if findings or unfinished or void:
        print(f"security: sqlmap's output and traffic are kept in {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
