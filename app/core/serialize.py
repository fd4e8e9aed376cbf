"""Turn model rows into JSON-safe dicts for audit snapshots and API answers."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Iterable


def jsonable(value: Any) -> Any:
    """A JSON-safe copy of a value (Decimal to str keeps it exact)."""
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    return value


def snapshot(obj: Any, fields: Iterable[str]) -> dict:
    """The named attributes of a row, JSON-safe, for before/after audit records."""
    return {f: jsonable(getattr(obj, f)) for f in fields}


from flask.json.provider import DefaultJSONProvider  # noqa: E402


class TandemJSONProvider(DefaultJSONProvider):
    """JSON for the API: Decimals (already rounded by the scoring code) are sent as numbers; dates and
    times as ISO 8601 (RFC 3339) text, never Flask's default HTTP-date form, so every answer reads one way.
    A naive datetime is UTC (what the app stores; SQLite drops the offset)."""

    @staticmethod
    def default(o):
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() and o.as_tuple().exponent >= 0 else float(o)
        if isinstance(o, datetime):
            return (o if o.tzinfo else o.replace(tzinfo=timezone.utc)).isoformat()
        if isinstance(o, date):
            return o.isoformat()
        return DefaultJSONProvider.default(o)
