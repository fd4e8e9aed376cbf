"""Counting the SQL statements an engine sends (for the statement-count test and `make bench`).

    with count_statements(db.engine) as counted:
        client.get("/partners/")
    counted.count, counted.statements

Every cursor execution counts once: an executemany of 1,000 rows is one statement, as it is one
round trip. Transaction control (BEGIN, COMMIT) is not a cursor execution and does not count.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    @property
    def rls_settings(self) -> int:
        """PostgreSQL only: the `set_config` statements that give row-level security its tenant
        (app.tenancy sends one per transaction and scope change); 0 on SQLite."""
        return sum(1 for s in self.statements if "set_config(" in s)


@contextmanager
def count_statements(engine: Engine) -> Iterator[Counted]:
    counted = Counted()

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        counted.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)
