"""Several small reads of one panel in one statement (a UNION ALL of differently shaped selects).

    plan, contacts, meetings = read_together(
        select(CommPlan.channels, CommPlan.version).where(...),
        select(CommContact.id, CommContact.name).where(...).order_by(CommContact.name),
        select(CommMeeting.id, CommMeeting.next_date).where(...).order_by(CommMeeting.next_date).limit(10))

A composed page (the partner page, the partner home) is made of one panel per feature, and each
statement counts against its budget (tests/admin/test_bench_data.py). A panel that needs a plan,
its contacts and its meetings reads them here as one statement: each select becomes a branch whose
columns sit in slots of the union typed like them (NULLs cast to the slot's type where a branch
has nothing for it, so PostgreSQL matches the branches and each value comes back through its own
type); branches share the slots of a type, so the union is as wide as its widest branch per type. Each branch
keeps its ORDER BY and LIMIT (a row number over the branch's order), and its rows come back as
named tuples with the select's column names (attribute access, unpacking), in that order.

Column selects only (an ORM entity becomes its columns: the rows are not ORM objects); a branch's
columns need distinct names (label them).
"""
from __future__ import annotations

from collections import namedtuple
from functools import lru_cache

from sqlalchemy import Integer, cast, func, literal_column, null, select, union_all
from sqlalchemy.types import NullType, String, Text, Unicode, UnicodeText

from app.extensions import db


def _null(type_):
    """A NULL of the slot's type (an untyped expression: a plain NULL, typed by its own branch)."""
    return null() if isinstance(type_, NullType) else cast(null(), type_)


def _type_key(type_) -> str | None:
    """Columns with the same key share a slot of the union (None: never shared). Text types share
    whatever their length (no result processing depends on it); others only when their repr (class
    and arguments, e.g. a Numeric's scale, which SQLite's result processing uses) is the same."""
    if isinstance(type_, NullType):
        return None
    if type(type_) in (String, Text, Unicode, UnicodeText):
        return "text"
    return f"{type(type_).__module__}.{type(type_).__qualname__}:{type_!r}"


@lru_cache(maxsize=512)
def _row_class(number: int, names: tuple[str, ...]):
    return namedtuple(f"Branch{number}", names, rename=True)


def read_together(*selects) -> list[list]:
    """Each select's rows, from one UNION ALL statement (see the module's docstring).

    Branches share slots: a branch's k-th column of a type uses the union's k-th slot of that type,
    so the union is as wide as its widest branch per type, not the sum of all branches (building and
    caching a wide statement was most of a panel's time)."""
    if not selects:
        return []
    subqueries, shapes = [], []
    for number, stmt in enumerate(selects):
        ordering = list(stmt._order_by_clauses)  # the branch's order, carried by a row number
        sub = stmt.add_columns(func.row_number(type_=Integer()).over(order_by=ordering or None).label("_pos")).subquery()
        names = tuple(c.key for c in sub.c if c.key != "_pos")
        subqueries.append(sub)
        shapes.append((names, _row_class(number, names)))
    slots: list = []  # the type of each slot, in order
    of_key: dict = {}  # type key -> its slots, in order
    placed: list[list[int]] = []  # per branch, the slot of each of its columns
    for number, sub in enumerate(subqueries):
        used: dict = {}
        mine = []
        for name in shapes[number][0]:
            type_ = sub.c[name].type
            key = _type_key(type_)
            if key is None:  # an untyped column has a slot of its own
                slots.append(type_)
                mine.append(len(slots) - 1)
                continue
            shared = of_key.setdefault(key, [])
            nth = used.get(key, 0)
            used[key] = nth + 1
            if nth == len(shared):  # this branch has more columns of the type than any before it
                slots.append(type_)
                shared.append(len(slots) - 1)
            mine.append(shared[nth])
        placed.append(mine)
    branches = []
    for number, sub in enumerate(subqueries):
        by_slot = dict(zip(placed[number], shapes[number][0]))
        columns = [sub.c[by_slot[i]].label(f"s{i}") if i in by_slot else _null(type_).label(f"s{i}")
                   for i, type_ in enumerate(slots)]
        branches.append(select(literal_column(str(number), Integer).label("_branch"), sub.c["_pos"].label("_pos"), *columns))
    union = union_all(*branches).subquery()
    stmt = select(union).order_by(union.c["_branch"], union.c["_pos"])
    rows: list[list] = [[] for _ in selects]
    positions = [[i + 2 for i in mine] for mine in placed]
    for row in db.session.execute(stmt):
        number = row[0]
        rows[number].append(shapes[number][1](*(row[i] for i in positions[number])))
    return rows
