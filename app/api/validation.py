"""The depth limit on request JSON, checked once when a body is parsed (app/api/helpers.parsed_body).

Request bodies are checked against their pydantic models (app/api/contract.py), which also write
the OpenAPI document; there is no hand-kept schema dict.
"""
from __future__ import annotations

from typing import Any

# Deeper bodies are refused before any model or view walks them (nothing the API documents nests past 6).
MAX_DEPTH = 32


def depth_exceeds(data: Any, limit: int = MAX_DEPTH) -> bool:
    """True when containers nest deeper than limit; iterative, so any depth is safe to ask about."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
