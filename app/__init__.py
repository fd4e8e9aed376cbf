"""Tandem: the application factory, a list of small register_* steps."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import BASE_DIR, CONFIGS, INSTANCE_DIR

# Feature packages: each has a blueprint and may have an api.py adding JSON endpoints.
FEATURES = ["auth", "home", "partners", "users", "audit", "settings", "sso", "ipp", "health", "tiers",
            "accounts", "sharing", "notifications", "commplan", "enhancements", "termchanges", "opportunities", "enablement",
            "reviews", "onboarding", "jobs"]


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    config_name = config_name or os.environ.get("TANDEM_ENV", "development")
    config_class = CONFIGS[config_name]
    app = Flask(__name__, template_folder=str(BASE_DIR / "templates"), static_folder=str(BASE_DIR / "static"),
                instance_path=str(INSTANCE_DIR))
    app.config.from_object(config_class)
    if config_name != "testing":
        # Read at start-up, not at import, so the process environment always wins.
        for key in ("SECRET_KEY",):
            if os.environ.get(key):
                app.config[key] = os.environ[key]
    if overrides:
        app.config.update(overrides)
    if hasattr(config_class, "check"):
        config_class.check(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from app.core.serialize import TandemJSONProvider
    from app.core.web import TandemRequest, wrap_proxy_fix

    app.request_class = TandemRequest
    wrap_proxy_fix(app)

    app.json = TandemJSONProvider(app)
    register_extensions(app)
    register_blueprints(app)
    register_periodic(app)
    register_lifecycle(app)
    register_templates(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from app.extensions import csrf, db, limiter, login_manager, migrate

    if app.config.get("APP_DATABASE_URL"):
        # The app connects as a role that owns no table and cannot bypass RLS; migrations
        # (migrations/env.py) use the owner's URL, kept here.
        app.config["OWNER_DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["APP_DATABASE_URL"]
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    from app.jobs.queue import make_huey

    app.extensions["huey"] = make_huey(app)  # the job queue (web enqueues, worker.py runs)
    import app.tenancy  # noqa: F401  (installs the tenant scope listeners)
    import app.models  # noqa: F401  (every table, for relationships and migrations)


@event.listens_for(Engine, "connect")
def _postgres_custom_plans(dbapi_connection, connection_record):
    # psycopg prepares a statement from its fifth run on, and PostgreSQL may then switch it to a
    # generic plan, made without the tenant's and partner's values: at 2,000 partners the partner
    # home went from 0.8 s to 12 s on its eleventh request. Always a plan for the values at hand
    # (planning these statements costs about a millisecond).
    if type(dbapi_connection).__module__.startswith("psycopg"):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_custom_plan")
        dbapi_connection.commit()  # a SET inside a transaction rolled back on check-in would not last


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # SQLite enforces foreign keys only when asked, per connection.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        # WAL with synchronous=NORMAL stays consistent after a crash (it may lose the last commits
        # on power loss); a 64 MiB page cache keeps large imports and overlap joins off the disk.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()


def register_blueprints(app: Flask) -> None:
    from importlib import import_module

    from app.api import bp as api_bp

    for name in FEATURES:
        module = import_module(f"app.{name}")
        app.register_blueprint(module.bp)
        try:
            import_module(f"app.{name}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.{name}.api":
                raise
    app.register_blueprint(api_bp)

    @app.get("/healthz", endpoint="health")
    def health():
        return {"status": "ok"}


def register_periodic(app: Flask) -> None:
    from app.jobs.queue import add_tenant_periodics

    add_tenant_periodics(app, app.extensions["huey"])  # the features' per-tenant periodic work


def register_lifecycle(app: Flask) -> None:
    from app.core.web import register_request_lifecycle

    register_request_lifecycle(app)


def register_templates(app: Flask) -> None:
    from app.core import templating

    templating.register(app)


def register_commands(app: Flask) -> None:
    from app.admin.commands import register

    register(app)
