"""Streaming CSV output with formula injection neutralised: one writer for every export."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Iterator, Mapping, Sequence

# What makes a spreadsheet evaluate a cell (OWASP's list, plus their full-width twins).
FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def neutralise(value: Any) -> str:
    """Render a cell as text, prefixing "'" when a spreadsheet would evaluate it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)  # numbers cannot carry a formula; keep "-5" numeric
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True, default=str)
    text = str(value)
    # Leading spaces do not stop some spreadsheets from evaluating the formula after them.
    if text and (text[0] in FORMULA_START or text.lstrip(" ")[:1] in FORMULA_START):
        return "'" + text
    return text


def csv_stream(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], *,
               bom: bool = False, chunk_rows: int = 500) -> Iterator[str]:
    """Yield CSV text chunks (header, then rows) with every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:  # Excel needs it to read UTF-8 accents correctly
        buffer.write("\ufeff")
    writer.writerow([neutralise(c) for c in columns])
    pending = 0
    for item in rows:
        writer.writerow([neutralise(item.get(c)) for c in columns])
        pending += 1
        if pending >= chunk_rows:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if buffer.tell():
        yield buffer.getvalue()
