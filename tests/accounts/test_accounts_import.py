"""Account import through the real endpoints: all or nothing, clear outcomes, history, and a
worker killed mid-import leaving nothing behind."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.accounts_world import build  # noqa: I001  (imports app.auth first)
from sqlalchemy import func, select

from app.accounts.models import Account, AccountImport
from app.audit.models import AuditEvent
from app.extensions import db
from app.tenancy import tenant_scope
from tests.conftest import login, page_csrf

HEADER = "name,domain,employees,industry,region,arr,renewal_date,stage\n"


@pytest.fixture
def world(app, make):
    return build(make, with_accounts=False)


def _upload(world, client, data: bytes, who="partner_admin", name="customers.csv"):
    return world.api(client, who, "POST", "/accounts/import?wait=true",
                     data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _counts(world):
    with tenant_scope(world.tenant_id):
        return (db.session.scalar(select(func.count()).select_from(Account)),
                db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "accounts.import")))


def _rows(n, bad_at=None):
    lines = [f"Company {i},company{i}.example,{i},Software,EMEA,{i}.25,2026-01-01,customer" for i in range(n)]
    if bad_at is not None:
        lines[bad_at] = f"Company {bad_at},company{bad_at}.example,lots,Software,EMEA,1,2026-01-01,customer"
    return (HEADER + "\n".join(lines) + "\n").encode()


def test_import_creates_then_reimport_updates_without_duplicates(client, world):
    first = _upload(world, client, _rows(30))
    assert first.status_code == 201 and first.get_json()["created"] == 30 and first.get_json()["updated"] == 0
    again = _upload(world, client, _rows(30).replace(b"Software", b"Services"))
    assert again.status_code == 201 and again.get_json() == {**again.get_json(), "created": 0, "updated": 30}
    assert _counts(world)[0] == 30
    with tenant_scope(world.tenant_id):
        industries = set(db.session.scalars(select(Account.industry)))
        segments = dict(db.session.execute(select(Account.employees, Account.segment)).all())
    assert industries == {"Services"}
    assert segments[5] == "smb"
    # The vendor's list is another owner: the same domains are new accounts there, not updates.
    vendor = _upload(world, client, _rows(3), who="vendor_admin")
    assert vendor.get_json()["created"] == 3



def test_reimport_writes_every_value_it_carries_and_keeps_the_columns_it_lacks(client, world):
    from datetime import date
    from decimal import Decimal

    first = (HEADER + "Acme,acme.example,50,Software,EMEA,100.25,2026-01-01,customer\n"
             "Beta,beta.example,,Retail,APAC,,,prospect\n").encode()
    assert _upload(world, client, first).get_json()["created"] == 2
    again = ("name,domain,employees,arr,renewal_date\n"
             "Acme Corp,acme.example,5000,99999.5,2027-03-31\nBeta,beta.example,20,,\n").encode()
    response = _upload(world, client, again)
    assert response.status_code == 201 and response.get_json()["updated"] == 2
    with tenant_scope(world.tenant_id):
        rows = {a.domain: a for a in db.session.scalars(select(Account))}
    acme, beta = rows["acme.example"], rows["beta.example"]
    assert (acme.name, acme.employees, acme.segment, acme.arr, acme.renewal_date) == (
        "Acme Corp", 5000, "enterprise", Decimal("99999.50"), date(2027, 3, 31))
    assert (acme.industry, acme.region, acme.stage, acme.version) == ("Software", "EMEA", "customer", 2)
    assert (beta.employees, beta.segment, beta.arr, beta.renewal_date, beta.industry) == (20, "smb", None, None, "Retail")


def test_reimport_with_new_and_known_domains_updates_and_creates(client, world):
    assert _upload(world, client, _rows(10)).get_json()["created"] == 10
    again = _upload(world, client, _rows(25).replace(b"EMEA", b"APAC"))
    assert again.status_code == 201 and (again.get_json()["created"], again.get_json()["updated"]) == (15, 10)
    with tenant_scope(world.tenant_id):
        accounts = db.session.scalars(select(Account)).all()
    assert len(accounts) == 25 and {a.region for a in accounts} == {"APAC"}
    # Ids made in bulk are still random version-4 UUIDs, all distinct.
    assert {a.id.version for a in accounts} == {4} and len({a.id for a in accounts}) == 25
    assert {a.version for a in accounts if a.domain == "company3.example"} == {2}
    if db.engine.dialect.name == "sqlite":  # the import's page-cache cap is undone afterwards
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -65536

def test_one_bad_row_in_5000_leaves_the_tables_unchanged(client, world):
    _upload(world, client, _rows(10))
    before = _counts(world)
    response = _upload(world, client, _rows(5000, bad_at=4321), name="big.csv")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["rows"] == [{"row": 4323, "field": "employees", "message": "must be a whole number"}]
    assert _counts(world) == before
    with tenant_scope(world.tenant_id):
        history = db.session.scalars(select(AccountImport).order_by(AccountImport.created_at)).all()
    assert [(h.file_name, h.outcome, h.rows, h.error_count) for h in history] == [
        ("customers.csv", "imported", 10, 0), ("big.csv", "rejected", 5000, 1)]


@pytest.mark.parametrize("data, outcome", [
    (b"\xef\xbb\xbfname,domain\nZo\xc3\xab,zoe.example\n", 201),
    ("name;domain;arr\nAcme;acme.example;1234,50\n".encode(), 201),
    ("name,domain\nCaf\u00e9 Cr\u00e8me,cafe.example\n".encode("latin-1"), 201),
    (b"", [(0, "file", "the file is empty")]),
    (b"name,domain\n", [(0, "file", "the file has no data rows")]),
    (b"name,domain\nA,dup.example\nB,https://www.DUP.example/\n",
     [(3, "domain", "duplicate of row 2 (same domain dup.example)")]),
    (("name,domain\n" + "x" * 201 + ",long.example\n").encode(), [(2, "name", "longer than 200 characters")]),
    (b'name,domain,industry\n"=HYPERLINK(""http://evil"")",formula.example,+cmd\n', 201),
])
def test_each_kind_of_file_gets_a_clear_outcome(client, world, data, outcome):
    response = _upload(world, client, data)
    if outcome == 201:
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["created"] == 1
    else:
        assert response.status_code == 422
        assert [(r["row"], r["field"], r["message"]) for r in response.get_json()["error"]["rows"]] == outcome
        assert _counts(world) == (0, 0)


class _OneWay(io.RawIOBase):
    """An upload that cannot be rewound (as a socket would be)."""

    def __init__(self, data: bytes):
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._data.read(len(buffer))
        buffer[:len(chunk)] = chunk
        return len(chunk)


def _repeats_file():
    """Rows 2-13; row 11 repeats row 3's domain in a later batch (of 4), row 7 has a bad number."""
    lines = [f"Company {i},company{i}.example,{i},Software,EMEA,1,2026-01-01,customer" for i in range(12)]
    lines[5] = "Company 5,company5.example,many,Software,EMEA,1,2026-01-01,customer"
    lines[9] = "Again,HTTPS://WWW.Company1.example/about,3,Software,EMEA,1,2026-01-01,customer"
    return (HEADER + "\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("how", ["first import", "one-way stream", "re-import"])
def test_repeated_domains_are_named_by_row_whichever_way_they_are_caught(world, how):
    """A first import from a rewindable file leaves repeats to the unique index, then reads the file
    again to name them; a re-import or a one-way stream checks while reading. Same answer, nothing written."""
    from app.accounts.services import ImportRejected, import_accounts

    expected = [(7, "employees", "must be a whole number"),
                (11, "domain", "duplicate of row 3 (same domain company1.example)")]
    with tenant_scope(world.tenant_id):
        if how == "re-import":
            import_accounts(io.BytesIO((HEADER + "Kept,kept.example,1,,,,,\n").encode()), "first.csv", None,
                            (None, "test"), world.tenant)
            db.session.commit()
        before = db.session.scalar(select(func.count()).select_from(Account))
        data = _repeats_file()
        stream = io.BufferedReader(_OneWay(data)) if how == "one-way stream" else io.BytesIO(data)
        with pytest.raises(ImportRejected) as rejected:
            import_accounts(stream, "repeats.csv", None, (None, "test"), world.tenant, batch_size=4)
        result = rejected.value.result
        assert [(e.row, e.field, e.message) for e in result.errors] == expected
        assert result.rows == 12 and result.created == 0
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Account)) == before
        latest = db.session.scalars(select(AccountImport).order_by(AccountImport.created_at.desc())).first()
        assert (latest.file_name, latest.outcome, latest.error_count) == ("repeats.csv", "rejected", 2)


def test_a_repeat_alone_in_a_first_import_is_caught_by_the_index_and_named(world):
    from app.accounts.services import ImportRejected, import_accounts

    lines = [f"Company {i},company{i}.example" for i in range(9)] + ["Twice,company8.example"]
    with tenant_scope(world.tenant_id):
        with pytest.raises(ImportRejected) as rejected:
            import_accounts(io.BytesIO(("name,domain\n" + "\n".join(lines)).encode()), "twice.csv", None,
                            (None, "test"), world.tenant, batch_size=3)
        db.session.rollback()
        assert [(e.row, e.message) for e in rejected.value.result.errors] == [
            (11, "duplicate of row 10 (same domain company8.example)")]
        assert db.session.scalar(select(func.count()).select_from(Account)) == 0


def test_formula_looking_cells_are_stored_as_typed_and_neutralised_on_export(app, client, world):
    _upload(world, client, b'name,domain,industry\n"=HYPERLINK(""http://evil"")",formula.example,+cmd\n')
    c = app.test_client()
    login(c, world.emails["partner_user"])
    text = c.get("/accounts/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text and "'+cmd" in text
    assert world.api(client, "partner_user", "GET", "/accounts").get_json()["items"][0]["name"].startswith("=HYPERLINK")


def test_html_import_shows_counts_errors_and_history(app, world):
    c = app.test_client()
    login(c, world.emails["partner_user"])
    token = page_csrf(c, "/accounts/import")
    ok = c.post("/accounts/import?wait=true", data={"csrf_token": token, "file": (io.BytesIO(_rows(3)), "mine.csv")},
                content_type="multipart/form-data")
    assert ok.status_code == 200 and "3 new accounts" in ok.get_data(as_text=True)
    bad = c.post("/accounts/import?wait=true", data={"csrf_token": token, "file": (io.BytesIO(b"name,domain\nA,not a domain\n"), "bad.csv")},
                 content_type="multipart/form-data")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "not a valid domain" in html and "nothing was written" in html
    missing = c.post("/accounts/import?wait=true", data={"csrf_token": token}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "Choose a CSV file" in missing.get_data(as_text=True)
    history = c.get("/accounts/imports").get_data(as_text=True)
    assert "mine.csv" in history and "bad.csv" in history and "rejected" in history
    vendor = app.test_client()
    login(vendor, world.emails["vendor_admin"])
    assert "mine.csv" not in vendor.get("/accounts/imports").get_data(as_text=True)
    viewer = app.test_client()
    login(viewer, world.emails["vendor_viewer"])
    assert viewer.get("/accounts/import").status_code == 403


KILL_SCRIPT = textwrap.dedent("""
    import sys, uuid
    from app import create_app
    from app.extensions import db
    from app.tenancy import tenant_scope
    from app.tenants.models import Tenant

    class Rows:
        # An endless-looking upload: 200,000 valid rows, generated as they are read.
        def __init__(self):
            self.chunks = iter([b"name,domain\\n"] + [
                "".join(f"Co {i},co{i}.example\\n" for i in range(s, s + 1000)).encode()
                for s in range(0, 200_000, 1000)])
            self.buf = b""
        def read(self, n=-1):
            while n < 0 or len(self.buf) < n:
                try:
                    self.buf += next(self.chunks)
                except StopIteration:
                    break
            out, self.buf = (self.buf, b"") if n < 0 else (self.buf[:n], self.buf[n:])
            return out

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
    with app.app_context():
        tenant_id = uuid.UUID(sys.argv[2])
        with tenant_scope(tenant_id):
            tenant = db.session.get(Tenant, tenant_id)
            from app.accounts.services import import_accounts
            def progress(rows):
                print("written", rows, flush=True)
                if rows >= 20_000:
                    sys.stdin.readline()  # wait here, mid-import, until the test kills us
            import_accounts(Rows(), "huge.csv", None, (None, "worker"), tenant, batch_size=2000, progress=progress)
            db.session.commit()
            print("committed", flush=True)
""")


def test_a_worker_killed_mid_import_leaves_nothing_behind(app, world, database_url, tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(KILL_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, str(script), database_url, str(world.tenant_id)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        written = 0
        for line in proc.stdout:
            if line.startswith("written"):
                written = int(line.split()[1])
                if written >= 20_000:
                    break
        assert written >= 20_000, proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    db.session.remove()
    assert _counts(world) == (0, 0)
    with tenant_scope(world.tenant_id):
        assert db.session.scalar(select(func.count()).select_from(AccountImport)) == 0
