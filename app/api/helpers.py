"""Request parsing, cursor pagination and the actor for API views."""
from __future__ import annotations

import base64
import json
import re
from typing import Any, Callable, Sequence

from flask import abort, current_app, g, request
from sqlalchemy import Select, tuple_

from app.api import contract, validation
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


_NO_BODY = object()
SEND_JSON = "Send a JSON object with Content-Type: application/json."


def parsed_body() -> Any:
    """The request body parsed as JSON, once per request (the one place that parses request JSON).

    No body gives _NO_BODY. A body that is not JSON, is too deep for the decoder, or nests deeper
    than validation.MAX_DEPTH answers 422 with DESIGN's error shape; one over MAX_CONTENT_LENGTH
    answers 413 (raised by the request while reading).
    """
    if "api_body" in g:
        return g.api_body
    raw = request.get_data(cache=True)
    if not raw.strip():
        g.api_body = _NO_BODY
        return _NO_BODY
    if not request.is_json:
        raise InvalidInput({"body": SEND_JSON})
    try:
        value = current_app.json.loads(raw)
    except RecursionError:
        raise InvalidInput({"body": f"The JSON nests too deeply; at most {validation.MAX_DEPTH} levels."})
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InvalidInput({"body": f"Not valid JSON: {str(exc)[:200]}"})
    if validation.depth_exceeds(value):
        raise InvalidInput({"body": f"The JSON nests too deeply; at most {validation.MAX_DEPTH} levels."})
    g.api_body = value
    return value


def has_body() -> bool:
    """True when the request carries a (JSON) body."""
    return parsed_body() is not _NO_BODY


def json_body(optional: bool = False) -> dict:
    """The request's JSON object, checked against the view's request model (`@documented(request=...)`); else 422.

    optional=True gives {} for a request without a body (for operations whose body is optional).
    """
    data = parsed_body()
    if data is _NO_BODY and optional:
        data = {}
    if not isinstance(data, dict):
        raise InvalidInput({"body": SEND_JSON})
    view = current_app.view_functions.get(request.endpoint or "")
    meta = getattr(view, "openapi", None) or {}
    # The view's pydantic model (app/api/contract.py) validates the body; the view reads the dict as sent.
    errors = contract.validate(meta["model"], data) if meta.get("model") else {}
    if errors:
        raise InvalidInput(errors)
    return data


def _encode(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(jsonable(list(values))).encode()).decode().rstrip("=")


# What the server issues as a cursor: unpadded base64url (empty: the first page). Another form answers 422.
CURSOR_PATTERN = "^[A-Za-z0-9_-]{0,1024}$"
CURSOR_FORM = "That cursor is not in the form this API issues; start again without it."


class _Nowhere:
    """The position of a well-formed cursor this list did not issue: an empty page, not an error."""


NOWHERE = _Nowhere()


def _safe(value: Any) -> bool:
    """A decoded cursor value the database can compare: no NUL in text, integers within 64 bits."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -(2 ** 63) <= value < 2 ** 63
    if isinstance(value, str):
        return "\x00" not in value
    return value is None or isinstance(value, float)


def _decode(cursor: str) -> list | _Nowhere:
    """The values in a cursor; NOWHERE when it is well-formed but holds no position this API wrote."""
    if not re.match(CURSOR_PATTERN, cursor):
        raise InvalidInput({"cursor": CURSOR_FORM})
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        return NOWHERE
    if not isinstance(values, list) or not all(_safe(v) for v in values):
        return NOWHERE
    return values


def cursor_position(size: int, convert: Callable[[list], Sequence[Any]] = lambda v: v):
    """The request's cursor as `size` typed values: None without a cursor, NOWHERE for a well-formed
    cursor that holds no position of this list (another list's, or not one the server issued)."""
    cursor = request.args.get("cursor")
    if cursor is None or cursor == "":
        return None
    values = _decode(cursor)
    if values is NOWHERE or len(values) != size:
        return NOWHERE
    try:
        return list(convert(values))
    except (ValueError, TypeError, AttributeError, IndexError, OverflowError):
        return NOWHERE


def page_limit(default: int = 50) -> int:
    raw = request.args.get("limit", str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidInput({"limit": f"Use a whole number from 1 to {MAX_LIMIT}."})
    return int(raw)


def keyset_page(stmt: Select, sort_columns: Sequence, key_of: Callable[[Any], Sequence[Any]],
                convert: Callable[[list], Sequence[Any]] = lambda v: v, default_limit: int = 50, *,
                descending: bool = False, rows: bool = False):
    """One page of rows after the cursor, ordered by sort_columns (the last must be unique).

    Returns (rows, next_cursor). `key_of(row)` gives the row's sort values; `convert` turns the
    decoded JSON values back into column types. A cursor not in CURSOR_PATTERN answers 422; a
    well-formed one that holds no position of this list gives an empty last page ([], None).
    `descending`: every sort column descending (newest first). `rows`: the statement selects several
    entities or columns and the page holds its result rows (else the first entity of each).
    """
    limit = page_limit(default_limit)
    typed = cursor_position(len(sort_columns), convert)
    if typed is NOWHERE:
        return [], None
    if typed is not None:
        stmt = stmt.where(tuple_(*sort_columns) < tuple_(*typed) if descending
                          else tuple_(*sort_columns) > tuple_(*typed))
    order = [c.desc() for c in sort_columns] if descending else list(sort_columns)
    stmt = stmt.order_by(*order).limit(limit + 1)
    found = list(db.session.execute(stmt).all() if rows else db.session.scalars(stmt))
    next_cursor = _encode(key_of(found[limit - 1])) if len(found) > limit else None
    return found[:limit], next_cursor
