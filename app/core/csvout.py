"""Streaming CSV output with formula injection neutralised (cells starting = + - @ tab CR)."""
from __future__ import annotations

import csv
import io
import json
from typing import Iterable, Iterator

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """Text safe to open in a spreadsheet: formula-looking cells get a leading quote."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True, default=str)
    text = str(value)
    return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text


def csv_stream(rows: Iterable[dict], columns: list[str]) -> Iterator[str]:
    """Yield CSV text a chunk at a time: the header, then each row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralise(row.get(c)) for c in columns])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
