"""The work queue's one statement (registry.WorkQuery) and the per-request cache (issue 15)."""
from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import select

from app.core import registry
from app.core.registry import WorkItem, WorkQuery, work_columns, work_items
from app.core.requestcache import forget, per_request
from app.core.sqlcount import count_statements
from app.extensions import db
from app.partners.models import Partner
from app.partners.policies import book_for, in_book
from tests.home.world import build


@pytest.fixture
def w(app):
    return build()


def _partner_branch(actor, book):
    """A test source in the new contract: one branch over the book's partners."""
    def items(rows):
        return [WorkItem("test_partner", f"Look at {r.name}", "/", partner_id=r.partner_id)
                for r in sorted(rows, key=lambda r: r.name)]
    return WorkQuery(in_book(select(*work_columns(partner_id=Partner.id, name=Partner.name)), book), items)


def _gamma_branch(actor, book):
    def items(rows):
        return [WorkItem("test_gamma", f"Gamma again: {r.name}", "/", urgent=True) for r in rows]
    return [WorkQuery(select(*work_columns(name=Partner.name)).where(Partner.name == "Gamma"), items)]


def _old_style(actor, book):
    return [WorkItem("test_old", "A list source still works", "/")]


@pytest.fixture
def test_sources():
    saved = list(registry.WORK_ITEM_SOURCES)
    registry.WORK_ITEM_SOURCES[:] = [(1, _partner_branch), (2, _old_style), (3, _gamma_branch)]
    yield
    registry.WORK_ITEM_SOURCES[:] = saved


def test_work_query_branches_run_as_one_statement_within_the_tenant(w, test_sources):
    with w.scope():
        actor = w.actor("admin")
        with count_statements(db.engine) as counted:
            items = work_items(actor, book_for(actor))
    # Both WorkQuery branches in one UNION ALL statement (plus the tenant setting on PostgreSQL).
    assert counted.count - counted.rls_settings == 1 and "UNION ALL" in counted.statements[-1]
    kinds = [(i.kind, i.title) for i in items]
    assert kinds[0] == ("test_gamma", "Gamma again: Gamma")  # urgent first
    assert [t for k, t in kinds if k == "test_partner"] == ["Look at Alpha", "Look at Beta", "Look at Gamma"]
    assert ("test_old", "A list source still works") in kinds
    # South's partners are another tenant's: no branch sees them.
    assert not any("South" in t for _, t in kinds)


def test_a_manager_book_narrows_the_branch(w, test_sources):
    with w.scope():
        actor = w.actor("cm")
        titles = [i.title for i in work_items(actor, book_for(actor)) if i.kind == "test_partner"]
        mine = set(db.session.scalars(select(Partner.name).where(Partner.channel_manager_id == actor.membership.id)))
    assert mine and {t.removeprefix("Look at ") for t in titles} == mine


def test_work_columns_refuses_an_unknown_slot():
    with pytest.raises(ValueError, match="unknown work-queue columns"):
        work_columns(colour=Partner.name)


def test_per_request_computes_once_per_request_and_key_and_forget_drops_it(w):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    with w.scope():
        assert per_request(("k",), compute) == 1 and per_request(("k",), compute) == 2  # no request: no cache
        with current_app.test_request_context("/"):
            assert per_request(("k",), compute) == 3
            assert per_request(("k",), compute) == 3
            assert per_request(("other",), compute) == 4
            forget(("k",))
            assert per_request(("k",), compute) == 5
            with w.scope(w.other):  # the tenant is part of the key
                assert per_request(("k",), compute) == 6
        with current_app.test_request_context("/"):
            assert per_request(("k",), compute) == 7  # a new request starts empty


def test_read_together_gives_each_select_its_rows_in_one_statement(w):
    """app.core.together: differently shaped selects as one UNION ALL, each branch with its own
    types, ORDER BY and LIMIT, within the tenant."""
    from datetime import datetime

    from sqlalchemy import func

    from app.auth.models import Membership
    from app.core.together import read_together

    with w.scope():
        with count_statements(db.engine) as counted:
            by_name, last_two, counted_partners, nothing = read_together(
                select(Partner.id, Partner.name, Partner.created_at).order_by(Partner.name.desc()),
                select(Partner.name.label("who")).order_by(Partner.name).limit(2),
                select(func.count().label("n")).select_from(Partner),
                select(Membership.id).where(Membership.role == "no such role"))
    assert counted.count - counted.rls_settings == 1 and "UNION ALL" in counted.statements[-1]
    assert [r.name for r in by_name] == ["Gamma", "Beta", "Alpha"]  # South is the other tenant's
    assert {r.id for r in by_name} == {w.partners[n] for n in ("Alpha", "Beta", "Gamma")}
    assert all(isinstance(r.created_at, datetime) for r in by_name)  # each value through its own type
    assert [who for (who,) in last_two] == ["Alpha", "Beta"]
    assert counted_partners[0].n == 3 and nothing == []


def test_read_together_shares_slots_by_type_and_keeps_each_value_exact(w):
    """Branches share the union's slots of one type (the union is as wide as its widest branch per
    type); a Numeric's scale is part of its type, so values of different scales never share a slot."""
    from decimal import Decimal

    from sqlalchemy import Numeric, String, cast, literal

    from app.core.together import read_together

    with w.scope():
        with count_statements(db.engine) as counted:
            first, second, third = read_together(
                select(Partner.name, Partner.id, cast(literal("12.5"), Numeric(4, 1)).label("fit"))
                .order_by(Partner.name).limit(1),
                select(Partner.id.label("pid"), Partner.name.label("who"), cast(literal("2.125"), Numeric(24, 6)).label("w"),
                       cast(literal("x"), String(7)).label("period")).order_by(Partner.name.desc()).limit(1),
                select(cast(literal("7.0"), Numeric(4, 1)).label("score")))
        sql = counted.statements[-1]
    assert first[0].name == "Alpha" and first[0].fit == Decimal("12.5") and first[0].id == w.partners["Alpha"]
    assert second[0].who == "Gamma" and second[0].pid == w.partners["Gamma"] and second[0].w == Decimal("2.125")
    assert second[0].period == "x" and third[0].score == Decimal("7.0")
    # Slots: two texts (name; who and period), one uuid, Numeric(4, 1) and Numeric(24, 6): 5, not 9.
    assert sql.count(" AS s") >= 5 and " AS s5" not in sql and " AS s4" in sql
