"""Configuration classes; secrets and the database URL come from the environment."""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("TANDEM_INSTANCE_DIR", BASE_DIR / "instance"))
DEFAULT_SECRET = "dev-only-not-secret"


def _database_url(default: str | None, variable: str = "DATABASE_URL") -> str | None:
    url = os.environ.get(variable, default)
    if url is None:
        return None
    # Hosted PostgreSQL URLs often say postgres:// or postgresql://; we speak psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET)
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'tandem.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # When set, the app connects as this non-owner role while migrations use the owner URL.
    # Migrations run as DATABASE_URL's user (the owner); see app/security/rls.py.
    APP_DATABASE_URL = _database_url(None, "APP_DATABASE_URL")
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "60")))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")))
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_TIMEOUT
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Requests per token across the whole API; `tandem+db://` (the app's database) or redis://
    # in RATELIMIT_STORAGE_URI lets every worker count together.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    LOGIN_FAILURE_LIMIT = "5 per 15 minutes"
    # API POSTs sent with Idempotency-Key replay their first answer for this long (per token).
    IDEMPOTENCY_TTL = timedelta(hours=int(os.environ.get("IDEMPOTENCY_TTL_HOURS", "24")))
    MAIL_SMTP_HOST = os.environ.get("SMTP_HOST")
    MAIL_SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    MAIL_SMTP_USER = os.environ.get("SMTP_USER")
    MAIL_SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    MAIL_SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "1") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "Tandem <no-reply@tandem.localhost>")
    MAIL_OUTBOX_DIR = str(INSTANCE_DIR / "outbox")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    RESET_TOKEN_TTL = timedelta(hours=1)
    INVITE_TOKEN_TTL = timedelta(days=7)
    PAGE_SIZE = 25
    HSTS = False
    # Request size limits (README, "Configuration"). Every request body is capped at
    # MAX_CONTENT_LENGTH (JSON, forms); views marked as CSV uploads (app.core.web.upload) get
    # UPLOAD_MAX_BYTES instead: 256 MiB holds the million-row benchmark file (79 MiB) three times.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024)))
    UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(256 * 1024 * 1024)))
    # Behind a TLS-terminating proxy: how many proxies to trust for X-Forwarded-For / -Proto
    # (werkzeug's ProxyFix). 0 (the default) ignores those headers.
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    PROXY_FIX_X_PROTO = int(os.environ.get("PROXY_FIX_X_PROTO", "0"))
    PROXY_FIX_X_HOST = int(os.environ.get("PROXY_FIX_X_HOST", "0"))
    # The job queue (huey): Redis when REDIS_URL is set, else a SQLite file (no server needed).
    # The worker (`make run` starts it; `python -m huey.bin.huey_consumer worker.huey`) must use the same.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    HUEY_FILE = os.environ.get("HUEY_FILE", str(INSTANCE_DIR / "huey.sqlite"))
    HUEY_IMMEDIATE = False
    # Mail sent from a request goes through the worker (app/jobs/mailjobs.py); off in tests.
    MAIL_VIA_QUEUE = os.environ.get("MAIL_VIA_QUEUE", "1") == "1"
    # Uploaded files of queued imports, kept until their job ends.
    JOBS_DIR = os.environ.get("JOBS_DIR", str(INSTANCE_DIR / "jobs"))
    # A queued job whose enqueue was lost is enqueued again by the worker after this many seconds.
    JOBS_REQUEUE_AFTER = float(os.environ.get("JOBS_REQUEUE_AFTER", "30"))
    # Job files (review packs to download, stray uploads) are removed after this many hours.
    JOBS_FILE_RETENTION_HOURS = float(os.environ.get("JOBS_FILE_RETENTION_HOURS", "24"))
    # Where uploads are spooled while a request reads them: on JOBS_DIR's file system, so a queued
    # import keeps its file by a hard link, not a copy.
    UPLOAD_SPOOL_DIR = os.environ.get("UPLOAD_SPOOL_DIR", str(Path(JOBS_DIR) / "incoming"))


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    # OWASP's minimum for argon2id, so the suite stays quick without dropping below it.
    ARGON2_PARAMS = {"time_cost": 2, "memory_cost": 19456, "parallelism": 1}
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://")
    RATELIMIT_STORAGE_URI = "memory://"
    API_RATE_LIMIT = "100000 per minute"  # tests that check the limit set their own
    MAIL_VIA_QUEUE = False
    # Each test process gets its own queue file; tests of the worker pass theirs (tests/jobs).
    HUEY_FILE = os.environ.get("HUEY_FILE") or str(Path(os.environ.get("TMPDIR", "/tmp")) / f"tandem-test-huey-{os.getpid()}.sqlite")
    JOBS_DIR = os.environ.get("JOBS_DIR") or str(Path(os.environ.get("TMPDIR", "/tmp")) / f"tandem-test-jobs-{os.getpid()}")
    UPLOAD_SPOOL_DIR = str(Path(JOBS_DIR) / "incoming")


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    HSTS = True

    @staticmethod
    def check(config: dict) -> None:
        """Refuse to run production with the development secret."""
        secret = config.get("SECRET_KEY") or ""
        if secret == DEFAULT_SECRET or len(secret) < 32:
            raise RuntimeError("SECRET_KEY must be set to a random value of at least 32 characters in production")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
