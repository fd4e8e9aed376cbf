"""Accounts benchmarks: overlap of 200,000 x 200,000 accounts (the app's queries against a
hand-written indexed SQL join on the same database in the same run), and importing a generated
1,000,000-row CSV (rows per second, peak memory of the importing process).

Run: `python -m bench accounts` (SQLite file in a temporary directory; set
BENCH_DATABASE_URL=postgresql+psycopg://... to use an empty PostgreSQL database instead).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

N = 200_000
IMPORT_ROWS = 1_000_000


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _best(fn, repeat: int = 3) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - started)
    return best, value


def _app(url: str):
    from app import create_app
    from app.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        db.engine.dispose()
    return app


def overlap(url: str) -> list[tuple[str, float, float]]:
    """Seed N vendor and N partner accounts (half overlapping) and time both ways of counting."""
    from sqlalchemy import text

    from app.accounts.models import Account
    from app.extensions import db
    from app.partners.services import create_partner
    from app.accounts.policies import PAIR_COLUMNS
    from app.sharing.policies import overlap_count, overlap_counts_by_partner, overlap_pairs
    from app.tenancy import tenant_scope, unscoped
    from app.tenants.services import create_tenant

    app = _app(url)
    results = []
    with app.app_context():
        with unscoped("benchmark setup"):
            tenant = create_tenant("Bench", f"bench-{uuid.uuid4().hex[:6]}", "bench@example.com", "benchmark-password")
            db.session.commit()
        with tenant_scope(tenant.id):
            partner = create_partner(name="Bench Partner")
            db.session.commit()
            table = Account.__table__
            conn = db.session.connection()
            for owner, pid, offset in (("vendor", None, 0), (str(partner.id), partner.id, N // 2)):
                for start in range(0, N, 10_000):
                    conn.execute(table.insert(), [{
                        "tenant_id": tenant.id, "id": uuid.uuid4(), "owner_key": owner, "owner_partner_id": pid,
                        "name": f"Co {i}", "domain": f"c{i + offset}.example", "version": 1,
                        "created_at": __import__("app.core.db", fromlist=["utcnow"]).utcnow()}
                        for i in range(start, start + 10_000)])
            db.session.commit()
            if db.engine.dialect.name == "postgresql":
                db.session.execute(text("ANALYZE accounts"))
            else:
                db.session.execute(text("ANALYZE"))
            db.session.commit()
            params = {"t": tenant.id if db.engine.dialect.name == "postgresql" else tenant.id.hex,
                      "p": str(partner.id)}
            raw_count = text(
                "SELECT count(*) FROM accounts p JOIN accounts v ON v.tenant_id = p.tenant_id "
                "AND v.owner_key = 'vendor' AND v.domain = p.domain "
                "WHERE p.tenant_id = :t AND p.owner_key = :p")
            raw_group = text(
                "SELECT p.owner_partner_id, count(*) FROM accounts p JOIN accounts v ON v.tenant_id = p.tenant_id "
                "AND v.owner_key = 'vendor' AND v.domain = p.domain "
                "WHERE p.tenant_id = :t AND p.owner_partner_id IS NOT NULL GROUP BY p.owner_partner_id")
            raw_page = text(
                "SELECT v.id, v.name, v.domain, p.id, p.name FROM accounts v JOIN accounts p "
                "ON p.tenant_id = v.tenant_id AND p.owner_key = :p AND p.domain = v.domain "
                "WHERE v.tenant_id = :t AND v.owner_key = 'vendor' ORDER BY v.domain LIMIT 50")
            t_raw, n_raw = _best(lambda: db.session.execute(raw_count, params).scalar())
            t_app, n_app = _best(lambda: overlap_count(partner.id))
            assert n_raw == n_app == N // 2, (n_raw, n_app)
            results.append(("overlap count (one partner)", t_app, t_raw))
            t_raw, _ = _best(lambda: db.session.execute(raw_group, {"t": params["t"]}).all())
            t_app, counts = _best(lambda: overlap_counts_by_partner())
            assert counts[partner.id] == N // 2
            results.append(("overlap counts (vendor-wide)", t_app, t_raw))
            # A page takes a fraction of a millisecond: the best of 20 runs, not 3, so one descheduled
            # run on a shared machine does not decide the figure.
            t_raw, _ = _best(lambda: db.session.execute(raw_page, params).all(), 20)
            t_app, pairs = _best(lambda: db.session.execute(overlap_pairs(partner.id).limit(50)).all(), 20)
            results.append(("overlap list, first page", t_app, t_raw))
            # The same page by hand with every column the app's page carries (PAIR_COLUMNS of each
            # side: the fields a level may show), for reading the figure above; not a target.
            cols = ", ".join(f"{side}.{c}" for side in ("v", "p") for c in PAIR_COLUMNS)
            raw_full = text(f"SELECT {cols} FROM accounts v JOIN accounts p "  # nosec B608: fixed column names
                            "ON p.tenant_id = v.tenant_id AND p.owner_key = :p AND p.domain = v.domain "
                            "WHERE v.tenant_id = :t AND v.owner_key = 'vendor' ORDER BY v.domain LIMIT 50")
            t_full, rows = _best(lambda: db.session.execute(raw_full, params).all(), 20)
            assert [r[3] for r in rows] == [v.domain for v, _ in pairs]
            results.append(("first page, same columns by hand", t_app, t_full))
    return results


IMPORT_SCRIPT = textwrap.dedent("""
    import resource, sys, time, uuid
    from app import create_app
    from app.extensions import db
    from app.tenancy import tenant_scope, unscoped
    from app.tenants.services import create_tenant
    from app.accounts.services import import_accounts

    def peak_rss_kib():
        # VmHWM is this process's own high-water mark; ru_maxrss can carry over the parent's
        # (larger) resident set through vfork + exec, which would hide what the import uses.
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
    with app.app_context():
        with unscoped("benchmark setup"):
            tenant = create_tenant("Bench", "imp-" + uuid.uuid4().hex[:6], "imp@example.com", "benchmark-password")
            db.session.commit()
        baseline = peak_rss_kib()
        with tenant_scope(tenant.id), open(sys.argv[2], "rb") as stream:
            started, cpu_started = time.perf_counter(), time.process_time()
            result = import_accounts(stream, "bench.csv", None, (None, "bench"), tenant)
            db.session.commit()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        peak = peak_rss_kib()
        print(result.rows, result.created, elapsed, cpu, baseline, peak)
""")


def import_speed(url: str, folder: Path) -> tuple[int, float, float, int, int]:
    path = folder / "accounts-1m.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write("name,domain,employees,industry,region,arr,renewal_date,stage\n")
        for i in range(IMPORT_ROWS):
            out.write(f"Company {i},company{i}.example,{i % 5000},Software,EMEA,{i % 977}.50,2027-01-31,customer\n")
    script = folder / "import_bench.py"
    script.write_text(IMPORT_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, str(script), url, str(path)], capture_output=True, text=True, env=env)
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    rows, created, elapsed, cpu, baseline, peak = done.stdout.split()[-6:]
    return int(rows), float(elapsed), float(cpu), int(baseline), int(peak)


def raw_import(url: str, folder: Path) -> tuple[int, float]:
    """The same CSV rows written by a plain DB-API executemany into the same (migrated) table with
    the same indexes: no parsing of values, no domain normalisation, no checks. Rows per second."""
    import csv

    from sqlalchemy import create_engine

    from app.core.db import utcnow

    engine = create_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        tenant_id = uuid.uuid4()
        conn.exec_driver_sql(
            "INSERT INTO tenants (id, slug, name, settings, created_at, version) VALUES "
            + ("(?, ?, ?, ?, ?, ?)" if sqlite else "(%s, %s, %s, %s, %s, %s)"),
            (tenant_id.hex if sqlite else tenant_id, "raw-" + tenant_id.hex[:6], "Raw", "{}",
             str(utcnow()) if sqlite else utcnow(), 1))
    columns = ("tenant_id", "id", "created_at", "owner_key", "name", "domain", "employees", "industry",
               "region", "arr", "renewal_date", "stage", "version")
    mark = "?" if sqlite else "%s"
    sql = f"INSERT INTO accounts ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    tid = tenant_id.hex if sqlite else tenant_id
    started = time.perf_counter()
    rows = 0
    with engine.begin() as conn, open(folder / "accounts-1m.csv", newline="", encoding="utf-8") as stream:
        if sqlite:  # the page cache the import gives itself (app.accounts.services), for a like-for-like run
            from app.accounts.services import IMPORT_PAGE_CACHE_KIB
            conn.exec_driver_sql(f"PRAGMA cache_size=-{max(IMPORT_PAGE_CACHE_KIB.values())}")
        reader = csv.reader(stream)
        next(reader)
        now = str(utcnow()) if sqlite else utcnow()
        batch = []
        for name, domain, employees, industry, region, arr, renewal, stage in reader:
            batch.append((tid, uuid.uuid4().hex if sqlite else uuid.uuid4(), now, "vendor", name, domain,
                          employees, industry, region, arr, renewal, stage, 1))
            if len(batch) == 10_000:
                conn.exec_driver_sql(sql, batch)
                rows += len(batch)
                batch = []
        if batch:
            conn.exec_driver_sql(sql, batch)
            rows += len(batch)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return rows, elapsed


# Issue 4's targets. The overlap target is for computing the overlap (the count for one partner
# and the counts for every partner); the first page of the overlap list has none.
MAX_OVERLAP_RATIO = 1.5
MIN_IMPORT_ROWS_PER_SECOND = 20_000
MAX_IMPORT_PEAK_MB = 250
TARGETED_CASES = ("overlap count (one partner)", "overlap counts (vendor-wide)")
MAX_FIRST_PAGE_RATIO = 3.0  # issue 15: the overlap list's first page within 3x of the hand-written query
MIN_IMPORT_SHARE_OF_RAW = 0.60  # issue 15: the import at least 60 % of a raw executemany's rows per second
RESULTS: dict = {}


def run() -> bool:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'overlap.sqlite'}"
        print(f"database: {url.split('@')[-1]}; load {_load()}")
        RESULTS["load"] = _load()
        print(f"{'case':<32} {'app (s)':>9} {'raw SQL (s)':>12} {'ratio':>7}")
        for name, t_app, t_raw in overlap(url):
            print(f"{name:<32} {t_app:>9.4f} {t_raw:>12.4f} {t_app / t_raw:>7.2f}")
            RESULTS.setdefault("overlap", {})[name] = {"app_s": t_app, "raw_s": t_raw, "ratio": t_app / t_raw}
            if name == "overlap list, first page" and t_app / t_raw > MAX_FIRST_PAGE_RATIO:
                ok = False
            if name in TARGETED_CASES and t_app / t_raw > MAX_OVERLAP_RATIO:
                ok = False
        import_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'import.sqlite'}"
        _app(import_url)
        rows, elapsed, cpu, baseline, peak = import_speed(import_url, folder)
        print(f"import {rows:,} rows: {elapsed:.1f} s wall, {rows / elapsed:,.0f} rows/s; "
              f"{cpu:.1f} s CPU, {rows / cpu:,.0f} rows/CPU-s; "
              f"peak RSS {peak / 1024:.0f} MB (process before import {baseline / 1024:.0f} MB)")
        raw_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'raw.sqlite'}"
        _app(raw_url)
        raw_rows, raw_elapsed = raw_import(raw_url, folder)
        share = (rows / elapsed) / (raw_rows / raw_elapsed)
        print(f"raw executemany of the same {raw_rows:,} rows: {raw_elapsed:.1f} s, {raw_rows / raw_elapsed:,.0f} rows/s; "
              f"the import reaches {share:.0%} of it (target at least {MIN_IMPORT_SHARE_OF_RAW:.0%})")
        RESULTS.update({"import_rows": rows, "import_s": elapsed, "import_rows_per_s": rows / elapsed,
                        "import_peak_mb": peak / 1024, "raw_rows_per_s": raw_rows / raw_elapsed,
                        "import_share_of_raw": share})
        ok = (ok and rows / elapsed >= MIN_IMPORT_ROWS_PER_SECOND and peak / 1024 < MAX_IMPORT_PEAK_MB
              and share >= MIN_IMPORT_SHARE_OF_RAW)
    print(f"targets: overlap within {MAX_OVERLAP_RATIO}x of raw SQL, its list's first page within "
          f"{MAX_FIRST_PAGE_RATIO:.0f}x, import at least {MIN_IMPORT_SHARE_OF_RAW:.0%} of raw and "
          f"{MIN_IMPORT_ROWS_PER_SECOND:,} rows/s with peak RSS under {MAX_IMPORT_PEAK_MB} MB")
    print("PASS" if ok else "FAIL")
    return ok
