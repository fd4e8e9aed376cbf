"""Several small reads of one panel in one statement (a UNION ALL of differently shaped selects).

    plan, contacts, meetings = read_together(
        select(CommPlan.channels, CommPlan.version).where(...),
        select(CommContact.id, CommContact.name).where(...).order_by(CommContact.name),
        select(CommMeeting.id, CommMeeting.next_date).where(...).order_by(CommMeeting.next_date).limit(10))

A composed page (the partner page, the partner home) is made of one panel per feature, and each
statement counts against its budget (tests/admin/test_bench_data.py). A panel that needs a plan,
its contacts and its meetings reads them here as one statement: each select becomes a branch whose
columns sit in their own slots of the union (NULLs cast to their type in every other branch, so
PostgreSQL matches the branches and each value comes back through its own type). Each branch
keeps its ORDER BY and LIMIT (a row number over the branch's order), and its rows come back as
named tuples with the select's column names (attribute access, unpacking), in that order.

Column selects only (an ORM entity becomes its columns: the rows are not ORM objects); a branch's
columns need distinct names (label them).
"""
from __future__ import annotations

from collections import namedtuple

from sqlalchemy import Integer, cast, func, literal_column, null, select, union_all

from sqlalchemy.types import NullType

from app.extensions import db


def _null(type_):
    """A NULL of the slot's type (an untyped expression: a plain NULL, typed by its own branch)."""
    return null() if isinstance(type_, NullType) else cast(null(), type_)


def read_together(*selects) -> list[list]:
    """Each select's rows, from one UNION ALL statement (see the module's docstring)."""
    if not selects:
        return []
    subqueries, shapes = [], []
    for number, stmt in enumerate(selects):
        ordering = list(stmt._order_by_clauses)  # the branch's order, carried by a row number
        sub = stmt.add_columns(func.row_number(type_=Integer()).over(order_by=ordering or None).label("_pos")).subquery()
        names = [c.key for c in sub.c if c.key != "_pos"]
        subqueries.append(sub)
        shapes.append((names, namedtuple(f"Branch{number}", names, rename=True)))
    slots = [(number, name, sub.c[name].type) for number, sub in enumerate(subqueries)
             for name in shapes[number][0]]
    branches = []
    for number, sub in enumerate(subqueries):
        columns = [sub.c[name].label(f"b{n}_{i}") if n == number else _null(type_).label(f"b{n}_{i}")
                   for i, (n, name, type_) in enumerate(slots)]
        branches.append(select(literal_column(str(number), Integer).label("_branch"), sub.c["_pos"].label("_pos"), *columns))
    union = union_all(*branches).subquery()
    stmt = select(union).order_by(union.c["_branch"], union.c["_pos"])
    rows: list[list] = [[] for _ in selects]
    positions: list[list[int]] = [[] for _ in selects]
    for i, (n, _, _) in enumerate(slots):
        positions[n].append(i + 2)
    for row in db.session.execute(stmt):
        number = row[0]
        rows[number].append(shapes[number][1](*(row[i] for i in positions[number])))
    return rows
