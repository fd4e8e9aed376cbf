"""On PostgreSQL every connection of the app plans each statement for its values (no generic plans)."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from app.extensions import db
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="PostgreSQL plan cache")


def test_every_pooled_connection_forces_custom_plans_and_keeps_it_after_a_rollback(app):
    # psycopg prepares a statement from its fifth run on; a generic plan for the partner home's
    # tier overlaps took 12 s instead of 0.8 s at 2,000 partners (bench/README.md).
    for _ in range(3):
        assert db.session.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
        db.session.rollback()  # the pool's reset on check-in must not undo it
        db.session.remove()
    with db.engine.connect() as conn:
        assert conn.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
