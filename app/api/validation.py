"""Request bodies checked against the schema their view documents (`@documented(request=...)`).

One module, so that documentation and validation cannot drift and the checker can be swapped
(issue 11 moves the schemas to pydantic). It checks types, not meaning: a view still says what
a well-typed value must be. The rules, for the subset of JSON Schema the API documents:
- `string` refuses booleans, numbers, arrays and objects; `integer` refuses booleans and any
  number with a fraction or exponent (a JSON float); `number` refuses booleans, non-finite values
  (NaN, Infinity) and text, except text holding a decimal ("17.25", what decimal-careful clients
  send); `boolean` is true or false only; `array` and `object` as their names say.
- `null` is accepted only where the type lists "null".
- A schema with `enum` and no `type` takes the type of its values.
- The body refuses top-level fields its schema does not document (422 naming each: no silent
  mass assignment), unless it declares `additionalProperties`; nested objects (criteria, metrics,
  tiers) keep the looser rule that unknown keys are ignored, so a client may send back what it read.
  An object schema without `properties` is free-form.
- Nested fields are named by path, as the views name them: `metrics.0.target`, `values.nps`.
- `required` is left to the views, which say what is missing in the domain's words.
"""
from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

# Deeper bodies are refused before any view walks them (nothing the API documents nests past 6).
MAX_DEPTH = 32

TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
              "array": "a list", "object": "an object", "null": "null"}


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


def _types(schema: dict) -> list[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return list(declared)
    if "enum" in schema:
        found = []
        for value in schema["enum"]:
            name = _type_of(value)
            if name == "integer":
                name = "number"
            if name not in found:
                found.append(name)
        return found
    return []


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _decimal_text(value: str) -> bool:
    try:
        return Decimal(value.strip()).is_finite()
    except (InvalidOperation, ValueError):
        return False


def _matches(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        if isinstance(value, float):
            return math.isfinite(value)
        return isinstance(value, str) and _decimal_text(value)
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return True


def _message(types: list[str]) -> str:
    words = [TYPE_WORDS.get(t, t) for t in types if t != "null"]
    text = " or ".join(words) or "a value"
    return f"must be {text}" + (", or null" if "null" in types else "")


def validate(value: Any, schema: dict | None, path: str = "") -> dict[str, str]:
    """{field path: message} for every part of value that does not have its documented type."""
    errors: dict[str, str] = {}
    if schema:
        _check(value, schema, path, errors)
    return errors


def _check(value: Any, schema: dict, path: str, errors: dict[str, str]) -> None:
    types = _types(schema)
    if types and not any(_matches(value, t) for t in types):
        if not (value is None and "null" in types):
            errors[path or "body"] = _message(types)
            return
    if isinstance(value, dict) and ("object" in types or not types):
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if properties is not None and key in properties:
                _check(item, properties[key], where, errors)
            elif isinstance(extra, dict):
                _check(item, extra, where, errors)
            elif properties is not None and extra is not True and not path:
                errors[where[:200]] = "is not a field of this request"
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            _check(item, schema["items"], f"{path}.{i}" if path else str(i), errors)
