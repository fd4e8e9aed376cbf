"""A shared rate-limit store in the app's own database: RATELIMIT_STORAGE_URI=tandem+db://.

Fixed windows, one row per limiter key (`rate_limit_counters`, a global table: keys name tokens
or addresses, never tenant data). Each count is its own short transaction on its own connection,
so it holds whatever the request does, and every gunicorn worker (and every host) on one database
counts together. Redis (`redis://...`, with the `redis` package) is the other shared choice;
`memory://` stays the development default.
"""
from __future__ import annotations

import random
import time

from limits.storage import Storage
from sqlalchemy import Column, Float, Integer, String, Table, delete, select
from sqlalchemy.exc import SQLAlchemyError

from app.core.db import Base

counters = Table(
    "rate_limit_counters", Base.metadata,
    Column("key", String(255), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)


def _engine():
    from app.extensions import db

    return db.engine


def _upsert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


class DatabaseStorage(Storage):
    """limits' Storage interface over the `rate_limit_counters` table."""

    STORAGE_SCHEME = ["tandem+db"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        engine = _engine()
        insert = _upsert(engine.dialect.name)
        with engine.begin() as conn:
            conn.execute(delete(counters).where(counters.c.key == key, counters.c.expires_at <= now))
            if random.random() < 0.01:  # nosec B311 - now and then, forget every finished window (not security)
                conn.execute(delete(counters).where(counters.c.expires_at <= now))
            stmt = insert(counters).values(key=key, count=amount, expires_at=now + expiry)
            stmt = stmt.on_conflict_do_update(index_elements=[counters.c.key],
                                              set_={"count": counters.c.count + amount})
            return int(conn.execute(stmt.returning(counters.c.count)).scalar_one())

    def get(self, key: str) -> int:
        with _engine().connect() as conn:
            count = conn.execute(select(counters.c.count).where(
                counters.c.key == key, counters.c.expires_at > time.time())).scalar()
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        with _engine().connect() as conn:
            expires = conn.execute(select(counters.c.expires_at).where(counters.c.key == key)).scalar()
        return float(expires) if expires and expires > time.time() else time.time()

    def check(self) -> bool:
        try:
            with _engine().connect() as conn:
                conn.execute(select(counters.c.key).limit(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with _engine().begin() as conn:
            return conn.execute(delete(counters)).rowcount

    def clear(self, key: str) -> None:
        with _engine().begin() as conn:
            conn.execute(delete(counters).where(counters.c.key == key))
