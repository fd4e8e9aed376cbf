"""Every main page and API list at scale, against the app's own bare route, on SQLite and PostgreSQL.

For each backend (SQLite file; PostgreSQL in a throwaway cluster with the app connecting as the
non-owner role under row-level security, when PostgreSQL is installed) and each tenant size made
by `flask bench-data` (app/admin/benchdata.py):
  1. SQL statements per request of each page (app/core/sqlcount.py) at 10 and 2,000 partners;
  2. p50/p95 latency of each page at 2,000 partners / 200,000 accounts through the Flask test
     client, and of a bare route registered only on this benchmark's app instance (same
     middleware, sign-in and tenant scope; no query of its own), with the ratio;
  3. requests per second under concurrent load: gunicorn, 2 workers, on 127.0.0.1, wrk in its own
     process, for the vendor dashboard, the partner home and an API list against the bare route;
  4. growth: each page's p95 at 200, 2,000 and 20,000 partners, as the 20k/2k ratio.
Sizes: 100 vendor accounts per partner up to 2,000 partners (200,000); the 20,000-partner tenant
gets BENCH_LARGE_ACCOUNTS vendor accounts (default 200,000: 2,000,000 takes about ten minutes to
generate here; set it to measure that size). PostgreSQL runs the sizes in BENCH_PG_SIZES (default
10, 200 and 2,000 partners) so `make bench` stays well under 20 minutes.
"""
from __future__ import annotations

import gc
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATEMENT_SIZES = (10, 2_000)
GROWTH_SIZES = (200, 2_000, 20_000)
ACCOUNTS_PER_PARTNER = 100
LARGE_ACCOUNTS = int(os.environ.get("BENCH_LARGE_ACCOUNTS", "200000"))
PG_SIZES = tuple(int(n) for n in os.environ.get("BENCH_PG_SIZES", "10,200,2000").split(","))
REQUESTS = {2_000: 30}  # timed requests per page and size (others: 12)
WARMUP = 2
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "6"))
WRK_CONNECTIONS = 8
MAX_STATEMENTS, MAX_LATENCY_RATIO, MAX_GROWTH, MIN_THROUGHPUT_SHARE = 15, 10.0, 3.0, 0.25
BARE = "/_bench/bare"
THROUGHPUT_PAGES = ("vendor dashboard", "partner home", "API partners")
RESULTS: dict = {}
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def accounts_for(partners: int) -> int:
    return LARGE_ACCOUNTS if partners > 2_000 else max(300, partners * ACCOUNTS_PER_PARTNER)


def load() -> str:
    """The machine's 1, 5 and 15 minute load averages (uptime), quoted with every figure."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _bare_view():
    from app.auth.context import current_actor

    actor = current_actor()
    # The worker's pid lets the throughput run wait until every gunicorn worker serves.
    return f"ok {actor.membership.role} {os.getpid()}", 200, {"Content-Type": "text/plain"}


def bench_app(url: str, app_url: str | None):
    """The app as `make run` builds it, plus the bare route (on this instance only, never public)."""
    from app import create_app

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "APP_DATABASE_URL": app_url,
                                 "MAIL_OUTBOX_DIR": tempfile.gettempdir()})
    app.add_url_rule(BARE, "bench_bare", _bare_view)
    gc.freeze()  # as wsgi.py does in production: start-up's objects out of the collector's view
    return app


def _login(client, email: str) -> None:
    from app.admin.benchdata import PASSWORD

    page = client.get("/auth/login").get_data(as_text=True)
    done = client.post("/auth/login", data={"email": email, "password": PASSWORD,
                                            "csrf_token": CSRF_RE.search(page).group(1)})
    assert done.status_code == 302, done.status_code
    client.get("/auth/tenants")


def _prepare(url: str, app_url: str | None, partners: int) -> dict:
    """Migrate, generate the tenant, and return what the measurements need."""
    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from app.admin import benchdata
    from app.auth.models import Membership, User
    from app.auth.services import create_api_token
    from app.extensions import db
    from app.tenancy import tenant_scope

    app = bench_app(url, app_url)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        made = benchdata.generate(partners, accounts_for(partners), seed=1)
        db.session.commit()
        generated = time.perf_counter() - started
        tokens = {}
        with tenant_scope(made.tenant_id):
            for side, email in (("vendor", made.admin_email), ("partner", made.partner_admin_email)):
                membership = db.session.scalar(select(Membership).join(User, User.id == Membership.user_id)
                                               .where(User.email == email))
                tokens[side] = create_api_token(membership, "bench")
            db.session.commit()
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    if app_url is not None:  # ANALYZE as the owner (the app role owns no table)
        from sqlalchemy import create_engine

        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
        engine.dispose()
    with app.app_context():  # the largest partner's frozen reviews, on analysed rows (as bench-data does)
        started = time.perf_counter()
        benchdata.freeze_earlier_reviews(made)
        db.session.commit()
        generated += time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return {"made": made, "tokens": tokens, "generated_s": generated}


def _fresh_sessions() -> None:
    from sqlalchemy import update

    from app.auth.models import LoginSession
    from app.core.db import utcnow
    from app.extensions import db

    db.session.execute(update(LoginSession).values(last_seen_at=utcnow()))
    db.session.commit()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _measure(url: str, app_url: str | None, prepared: dict, partners: int) -> dict:
    """Statements and latency of every page, and of the bare route, at one size."""
    from app.admin.benchdata import Page, main_pages
    from app.core.sqlcount import count_statements
    from app.extensions import db

    made, tokens = prepared["made"], prepared["tokens"]
    app = bench_app(url, app_url)
    out = {}
    with app.app_context():
        clients = {}
        for side, email in (("vendor", made.admin_email), ("partner", made.partner_admin_email)):
            clients[side] = app.test_client()
            _login(clients[side], email)
        pages = [Page("bare route", "vendor", BARE)] + main_pages(made)
        n = REQUESTS.get(partners, 12)
        for page in pages:
            client = clients[page.side]
            headers = {"Authorization": f"Bearer {tokens[page.side]}"} if page.api else {}
            response = None
            for _ in range(WARMUP):
                response = client.get(page.path, headers=headers)
            if response.status_code != 200:  # recorded and flagged, the run goes on
                out[page.name] = {"statements": -1, "p50_ms": float("nan"), "p95_ms": float("nan"),
                                  "requests": 0, "status": response.status_code}
                continue
            _fresh_sessions()  # keep the once-a-minute session touch out of the count
            with count_statements(db.engine) as counted:
                client.get(page.path, headers=headers)
            times = []
            for _ in range(n):
                started = time.perf_counter()
                client.get(page.path, headers=headers)
                times.append(time.perf_counter() - started)
            out[page.name] = {"statements": counted.count, "p50_ms": _percentile(times, 0.5) * 1000,
                              "p95_ms": _percentile(times, 0.95) * 1000, "requests": n}
        db.session.remove()
        db.engine.dispose()
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_serving(port: int, cookie: str, workers: int = 2, timeout: float = 180) -> None:
    """Until every worker answers the bare route. The master listens at once, but each worker builds
    the app first (imports, the OpenAPI models: 6-15 s on a loaded machine) and accepts nothing
    until then; timing before that measured boot time, not throughput (the bare route, measured
    first, showed 0-2 requests/s). Concurrent requests reach the workers that are ready; their pids
    (in the bare route's answer) say when all of them are."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    def ask(_):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{BARE}", headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # nosec B310 - our own 127.0.0.1 server
                return response.read().decode().split()[-1] if response.status == 200 else None
        except OSError:
            return None

    deadline, pids = time.time() + timeout, set()
    with ThreadPoolExecutor(WRK_CONNECTIONS) as pool:
        while len(pids) < workers:
            if time.time() > deadline:
                raise RuntimeError(f"gunicorn on port {port}: {len(pids)} of {workers} workers serving after {timeout:.0f} s")
            found = {pid for pid in pool.map(ask, range(4 * WRK_CONNECTIONS)) if pid}
            pids |= found
            if not found:
                time.sleep(0.2)


def _throughput(url: str, app_url: str | None, prepared: dict) -> dict:
    """wrk against gunicorn (2 workers) for the bare route and THROUGHPUT_PAGES."""
    from app.admin.benchdata import main_pages

    wrk, gunicorn = shutil.which("wrk"), Path(sys.executable).with_name("gunicorn")
    if wrk is None or not gunicorn.exists():
        return {"skipped": "wrk or gunicorn missing (make bench installs wrk)"}
    made, tokens = prepared["made"], prepared["tokens"]
    app = bench_app(url, app_url)
    cookies = {}
    with app.app_context():
        for side, email in (("vendor", made.admin_email), ("partner", made.partner_admin_email)):
            client = app.test_client()
            _login(client, email)
            cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
            cookies[side] = f"{cookie.key}={cookie.value}"
        from app.extensions import db
        db.session.remove()
        db.engine.dispose()
    port = _free_port()
    env = {**os.environ, "BENCH_DATABASE_URL": url, "BENCH_APP_DATABASE_URL": app_url or "",
           "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning", "bench._wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    out = {}
    try:
        _wait_until_serving(port, cookies["vendor"])
        # Warm both workers up (imports, templates, connections) before anything is timed.
        subprocess.run([wrk, "-t2", f"-c{WRK_CONNECTIONS}", "-d2s", "-H", f"Cookie: {cookies['vendor']}",
                        f"http://127.0.0.1:{port}{BARE}"], capture_output=True, timeout=60)
        by_name = {p.name: p for p in main_pages(made)}
        targets = [("bare route", "vendor", BARE, False)] + [
            (name, by_name[name].side, by_name[name].path, by_name[name].api) for name in THROUGHPUT_PAGES]
        for name, side, path, api in targets:
            # Each target starts on idle workers: requests wrk gave up on are still queued in
            # gunicorn's backlog and would be served during the next target's run.
            _wait_until_serving(port, cookies["vendor"])
            header = f"Authorization: Bearer {tokens[side]}" if api else f"Cookie: {cookies[side]}"
            # wrk's 2 s default timeout drops slow pages' answers (8 connections on 2 workers queue
            # four deep) and counts nothing; 30 s counts every answer that arrives.
            done = subprocess.run([wrk, "-t2", f"-c{WRK_CONNECTIONS}", f"-d{WRK_SECONDS}s", "--timeout", "30s",
                                   "-H", header, f"http://127.0.0.1:{port}{path}"],
                                  capture_output=True, text=True, timeout=180)
            rps = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
            bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", done.stdout)
            timeouts = re.search(r"timeout (\d+)", done.stdout)
            out[name] = {"rps": float(rps.group(1)) if rps else 0.0, "non_2xx": int(bad.group(1)) if bad else 0,
                         "timeouts": int(timeouts.group(1)) if timeouts else 0}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return out


class _Backends:
    """SQLite files in a temporary folder; PostgreSQL databases in one throwaway cluster."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.cluster = None

    def available(self) -> list[str]:
        names = ["sqlite"]
        if os.environ.get("BENCH_SKIP_POSTGRES") != "1":
            sys.path.insert(0, str(ROOT))
            try:
                from tests.support.pgcluster import find_pg_bin
                find_pg_bin()
                names.append("postgresql")
            except Exception:  # noqa: BLE001 - no PostgreSQL here: SQLite only, said in the output
                pass
        return names

    def database(self, backend: str, partners: int) -> tuple[str, str | None]:
        if backend == "sqlite":
            return f"sqlite:///{self.folder / f'pages-{partners}.sqlite'}", None
        from tests.support.pgcluster import PgCluster

        if self.cluster is None:
            self.cluster = PgCluster().start()
            self.cluster.create_role("tandem_app", password="bench-app-role")
        name = f"bench_{partners}"
        url = self.cluster.create_database(name)
        return url, self.cluster.url(name, user="tandem_app", password="bench-app-role")

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()


def run() -> bool:
    started = time.perf_counter()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        backends = _Backends(Path(tmp))
        try:
            for backend in backends.available():
                sizes = sorted(set(STATEMENT_SIZES + GROWTH_SIZES)) if backend == "sqlite" else sorted(PG_SIZES)
                figures = RESULTS.setdefault(backend, {"sizes": {}, "load": {}})
                for partners in sizes:
                    url, app_url = backends.database(backend, partners)
                    prepared = _prepare(url, app_url, partners)
                    figures["sizes"][partners] = {
                        "accounts": accounts_for(partners), "generated_s": prepared["generated_s"],
                        "pages": _measure(url, app_url, prepared, partners), "load": load()}
                    print(f"  {backend} {partners:,} partners / {accounts_for(partners):,} accounts: "
                          f"generated in {prepared['generated_s']:.1f} s, measured; load {load()}", flush=True)
                    if partners == 2_000:
                        figures["throughput"] = _throughput(url, app_url, prepared)
                        figures["throughput_load"] = load()
                    if backend == "sqlite":
                        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        finally:
            backends.close()
    ok = report()
    RESULTS["seconds"] = time.perf_counter() - started
    return ok


def report() -> bool:
    ok = True
    for backend, figures in RESULTS.items():
        if not isinstance(figures, dict) or "sizes" not in figures:
            continue
        sizes = figures["sizes"]
        small, mid = sizes.get(10), sizes.get(2_000)
        big = sizes.get(20_000)
        if mid is None:
            continue
        print(f"\n{backend}: pages at 2,000 partners / {mid['accounts']:,} accounts "
              f"(statements at 10 | 2,000; latency via the test client; load {mid['load']})")
        bare = mid["pages"]["bare route"]
        print(f"{'page':<24} {'stmts':>9} {'p50 ms':>8} {'p95 ms':>8} {'x bare':>7} "
              f"{'p95 200':>8} {'p95 20k':>8} {'20k/2k':>7}")
        for name, row in mid["pages"].items():
            s_small = small["pages"][name]["statements"] if small else None
            ratio = row["p95_ms"] / bare["p95_ms"]
            p200 = sizes.get(200, {}).get("pages", {}).get(name, {}).get("p95_ms")
            p20k = big["pages"][name]["p95_ms"] if big else None
            growth = p20k / row["p95_ms"] if p20k else None
            flags = []
            if name != "bare route":
                if s_small is not None and (s_small != row["statements"] or row["statements"] > MAX_STATEMENTS):
                    flags.append("stmts")
                if ratio > MAX_LATENCY_RATIO:
                    flags.append("latency")
                if growth is not None and growth > MAX_GROWTH:
                    flags.append("growth")
            if row.get("status"):
                flags.append(f"HTTP {row['status']}")
            ok = ok and not flags
            row.update({"statements_at_10": s_small, "x_bare_p95": ratio, "growth_20k_2k": growth})
            stmts = f"{s_small if s_small is not None else '-'} | {row['statements']}"
            print(f"{name:<24} {stmts:>9} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {ratio:>7.1f} "
                  f"{p200 if p200 is not None else float('nan'):>8.1f} "
                  f"{p20k if p20k is not None else float('nan'):>8.1f} "
                  f"{growth if growth is not None else float('nan'):>7.2f}  {' '.join(flags)}")
        if big:
            print(f"(20,000 partners with {big['accounts']:,} vendor accounts; load {big['load']})")
        thr = figures.get("throughput", {})
        if "bare route" in thr:
            print(f"throughput, gunicorn 2 workers, wrk {WRK_CONNECTIONS} connections {WRK_SECONDS} s "
                  f"(load {figures.get('throughput_load')}):")
            base = thr["bare route"]["rps"] or float("nan")
            for name, row in thr.items():
                share = row["rps"] / base
                row["share_of_bare"] = share
                flag = "" if name == "bare route" or name.startswith("API") or share >= MIN_THROUGHPUT_SHARE else "rps"
                ok = ok and not flag and not row["non_2xx"]
                print(f"  {name:<22} {row['rps']:>8.1f} req/s  {share:>6.0%} of bare"
                      f"{'  non-2xx: ' + str(row['non_2xx']) if row['non_2xx'] else ''}"
                      f"{'  timeouts: ' + str(row.get('timeouts')) if row.get('timeouts') else ''}  {flag}")
        elif thr:
            print(f"throughput: {thr.get('skipped')}")
    print(f"targets: statements equal at 10 and 2,000 and <= {MAX_STATEMENTS}; p95 <= {MAX_LATENCY_RATIO:.0f}x bare; "
          f"20k/2k p95 <= {MAX_GROWTH:.0f}x; dashboard and partner home >= {MIN_THROUGHPUT_SHARE:.0%} of bare rps")
    print("PASS" if ok else "FAIL (flagged rows above)")
    return ok


if __name__ == "__main__":
    result = run()
    print(json.dumps(RESULTS, default=str)[:2000])
    sys.exit(0 if result else 1)
