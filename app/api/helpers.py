"""Request parsing, cursor pagination and the actor for API views."""
from __future__ import annotations

import base64
import json
from typing import Any, Callable, Sequence

from flask import abort, g, request
from sqlalchemy import Select, tuple_

from app.auth.context import Actor
from app.core.errors import InvalidInput
from app.core.serialize import jsonable
from app.extensions import db

MAX_LIMIT = 200


def actor() -> Actor:
    current = getattr(g, "actor", None)
    if current is None:
        abort(401)
    return current


def json_body() -> dict:
    """The request's JSON object, or 422 naming the problem."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput({"body": "Send a JSON object with Content-Type: application/json."})
    return data


def _encode(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(jsonable(list(values))).encode()).decode().rstrip("=")


def _decode(cursor: str) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        raise InvalidInput({"cursor": "That cursor is not valid; start again without it."})
    if not isinstance(values, list):
        raise InvalidInput({"cursor": "That cursor is not valid; start again without it."})
    return values


def page_limit(default: int = 50) -> int:
    raw = request.args.get("limit", str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidInput({"limit": f"Use a whole number from 1 to {MAX_LIMIT}."})
    return int(raw)


def keyset_page(stmt: Select, sort_columns: Sequence, key_of: Callable[[Any], Sequence[Any]],
                convert: Callable[[list], Sequence[Any]] = lambda v: v, default_limit: int = 50):
    """One page of rows after the cursor, ordered by sort_columns (the last must be unique).

    Returns (rows, next_cursor). `key_of(row)` gives the row's sort values; `convert` turns the
    decoded JSON values back into column types.
    """
    limit = page_limit(default_limit)
    cursor = request.args.get("cursor")
    if cursor:
        values = _decode(cursor)
        if len(values) != len(sort_columns):
            raise InvalidInput({"cursor": "That cursor is not valid; start again without it."})
        try:
            typed = convert(values)
        except (ValueError, TypeError):
            raise InvalidInput({"cursor": "That cursor is not valid; start again without it."})
        stmt = stmt.where(tuple_(*sort_columns) > tuple_(*typed))
    rows = list(db.session.scalars(stmt.order_by(*sort_columns).limit(limit + 1)))
    next_cursor = _encode(key_of(rows[limit - 1])) if len(rows) > limit else None
    return rows[:limit], next_cursor
