"""Fixtures: the database (SQLite file or a throwaway PostgreSQL 15), the app, clients, factories.

TANDEM_TEST_DB=postgres runs the whole suite on a PostgreSQL cluster started for the run.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
import re
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from app.tenancy import tenant_scope, unscoped

BACKEND = os.environ.get("TANDEM_TEST_DB", "sqlite")

# Property tests check results, never speed (speed is `make bench`'s job): on a loaded shared machine
# hypothesis's default 200 ms per-example deadline and its too-slow health check fail correct code.
hypothesis_settings.register_profile(
    "tandem", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
hypothesis_settings.load_profile("tandem")
pytest_plugins = ["tests.browser_fixtures"]


def pytest_report_header(config):
    return f"tandem database backend: {BACKEND}"


@pytest.fixture(scope="session")
def pg_cluster():
    if BACKEND != "postgres":
        pytest.skip("PostgreSQL-only test (run with TANDEM_TEST_DB=postgres)")
    from tests.support.pgcluster import PgCluster

    cluster = PgCluster().start()
    yield cluster
    cluster.stop()


APP_ROLE = "tandem_app"
APP_ROLE_PASSWORD = "tandem-app-test-only"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, request):
    """One migrated database for the whole run (the owner's URL); tests empty it after themselves."""
    if BACKEND == "postgres":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database("tandem_test")
        # The app runs as a role that owns nothing and cannot bypass RLS; migrations grant it.
        cluster.create_role(APP_ROLE, password=APP_ROLE_PASSWORD)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tandem.sqlite'}"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url,
                                 "APP_DATABASE_URL": request.getfixturevalue("app_database_url")})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def app_database_url(request):
    """On PostgreSQL the URL of the non-owner app role the whole suite runs as; None on SQLite."""
    if BACKEND != "postgres":
        return None
    cluster = request.getfixturevalue("pg_cluster")
    return cluster.url("tandem_test", user=APP_ROLE, password=APP_ROLE_PASSWORD)


def _empty_all_tables(url: str) -> None:
    engine = create_engine(url)
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        else:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))
            conn.execute(text("PRAGMA foreign_keys=ON"))
    engine.dispose()


@pytest.fixture
def app(database_url, app_database_url, tmp_path):
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "APP_DATABASE_URL": app_database_url,
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
    })
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    _empty_all_tables(database_url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


PASSWORD = "correct-horse-battery"


class Factory:
    """Makes tenants, partners and people through the real services, committed.

    Objects come back detached, so a later request's rollback cannot expire them under the test.
    """

    def __init__(self, app):
        self.app = app

    @staticmethod
    def _done():
        db.session.commit()
        db.session.expunge_all()

    def tenant(self, slug: str = None, name: str = None, admin_email: str = None):
        from app.tenants.services import create_tenant

        slug = slug or f"t{uuid.uuid4().hex[:8]}"
        with unscoped("test factory"):
            tenant = create_tenant(name or slug.title(), slug, admin_email or f"admin@{slug}.example", PASSWORD)
            self._done()
        return tenant

    def partner(self, tenant, name: str = None, **fields):
        from app.partners.services import create_partner

        with tenant_scope(tenant.id):
            partner = create_partner(name=name or f"Partner {uuid.uuid4().hex[:6]}", **fields)
            self._done()
        return partner

    def member(self, tenant, role: str, partner=None, email: str = None, password: str = PASSWORD):
        from app.tenants.services import add_member

        email = email or f"{role}-{uuid.uuid4().hex[:6]}@{tenant.slug}.example"
        with tenant_scope(tenant.id):
            membership = add_member(email, password, role, partner.id if partner else None)
            self._done()
        return membership

    def admin_membership(self, tenant):
        from sqlalchemy import select

        from app.auth.models import Membership
        with tenant_scope(tenant.id):
            return db.session.scalar(select(Membership).where(Membership.role == "vendor_admin"))

    def token(self, membership) -> str:
        from app.auth.services import create_api_token

        with tenant_scope(membership.tenant_id):
            raw = create_api_token(membership, "test")
            self._done()
        return raw


@pytest.fixture
def make(app):
    return Factory(app)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD, choose: bool = True):
    """Sign in through the real form (with its CSRF token); enter the only or first tenant."""
    page = client.get("/auth/login")
    response = client.post("/auth/login", data={"email": email, "password": password,
                                                "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if choose:
        response = client.get("/auth/tenants", follow_redirects=False)
        if response.status_code == 200:  # several tenants: pick the first
            html = response.get_data(as_text=True)
            membership_id = re.search(r'name="membership_id" value="([^"]+)"', html).group(1)
            client.post("/auth/tenants", data={"membership_id": membership_id, "csrf_token": csrf_from(html)})
    return response


def page_csrf(client, path: str = "/auth/account") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def outbox_messages(app) -> list[dict]:
    """Mail the app wrote to its development outbox: to, subject and decoded body."""
    from email import message_from_bytes, policy

    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    messages = []
    for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
        msg = message_from_bytes(path.read_bytes(), policy=policy.default)
        messages.append({"to": msg["To"], "subject": msg["Subject"], "body": msg.get_content()})
    return messages


def link_in(body: str) -> str:
    """The path of the first http link in a mail body."""
    url = re.search(r"https?://\S+", body).group(0)
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def owner(database_url):
    """An engine connected as the database owner (the test cluster's superuser on PostgreSQL)."""
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@contextmanager
def owner_view():
    """A session as the database owner, for tests that count rows across tenants.

    On PostgreSQL the app role sees only its tenant's rows (row-level security), even inside
    unscoped(); the owner of the throwaway test cluster is a superuser and sees everything.
    On SQLite it is the app's own database file. The tenant scope is bypassed explicitly.
    """
    from flask import current_app
    from sqlalchemy.orm import Session

    url = current_app.config.get("OWNER_DATABASE_URL") or current_app.config["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(url)
    try:
        with unscoped("test: read across tenants as the owner"), Session(engine) as session:
            yield session
    finally:
        engine.dispose()
