"""Request shapes as pydantic v2 models: one definition both validates a body and documents it.

`@documented(request=SomeBody)` takes a model (a subclass of `Body`); its JSON Schema goes into the
OpenAPI document and `json_body()` validates with the model itself, so the two cannot drift. Dict
schemas (checked by `app/api/validation.py`) are still accepted while operations move over; the
rules are the same: strict types (no "3" for an integer, no 5 for text), unknown top-level fields
refused by name, 422 with {field path: message} in DESIGN's error shape.
"""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from app.api.openapi_shapes import FILLED, PERIOD_PATTERN, stripped_at_least


class Body(BaseModel):
    """Base of every request model: strict, and no field it does not declare."""

    model_config = ConfigDict(extra="forbid", strict=True)


Period = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)]


def Filled(max_length: int | None = None) -> Any:  # noqa: N802  (a type, spelled like one)
    """Text a view strips and requires non-empty (at most max_length characters)."""
    return Annotated[str, StringConstraints(pattern=FILLED, max_length=max_length)]


def Reason(min_length: int, max_length: int | None = None) -> Any:  # noqa: N802
    """A written reason: at least min_length characters once stripped."""
    return Annotated[str, StringConstraints(pattern=stripped_at_least(min_length), max_length=max_length)]


def Text(max_length: int | None = None) -> Any:  # noqa: N802
    return Annotated[str, StringConstraints(max_length=max_length)]


_MESSAGES = {
    "string_type": "must be text", "int_type": "must be a whole number", "bool_type": "must be true or false",
    "list_type": "must be a list", "dict_type": "must be an object", "missing": "is required",
    "extra_forbidden": "is not a field of this request", "float_type": "must be a number",
}


def _message(error: dict) -> str:
    kind = error["type"]
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind in ("literal_error", "enum"):
        expected = (error.get("ctx") or {}).get("expected", "")
        return f"must be one of: {expected.replace(chr(39), '')}"
    if kind == "string_too_long":
        return f"must be at most {error['ctx']['max_length']} characters"
    if kind == "string_pattern_mismatch":
        if error["ctx"]["pattern"] == FILLED:
            return "must be filled in"
        return "is too short or not in the documented form"
    return error["msg"]


def validate(model: type[Body], data: Any) -> dict[str, str]:
    """{field path: message} for every way data breaks the model; empty when it fits."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            path = ".".join(str(part) for part in error["loc"]) or "body"
            errors.setdefault(path[:200], _message(error))
        return errors
    return {}


def _tidy(node: Any) -> Any:
    """Pydantic's schema as the document shows it: no titles, `anyOf [X, null]` as a type list."""
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    # "title" is dropped where it is pydantic's annotation (a string), never a field named "title"
    # inside "properties" (a model with a `title` field lost it from the document).
    node = {key: (_tidy_properties(value) if key == "properties" and isinstance(value, dict) else _tidy(value))
            for key, value in node.items() if not (key == "title" and isinstance(value, str))}
    options = node.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        other = next(o for o in options if o != {"type": "null"})
        if isinstance(other.get("type"), str):
            merged = {**{k: v for k, v in node.items() if k != "anyOf"}, **other, "type": [other["type"], "null"]}
            if "enum" in merged:
                merged["enum"] = [*merged["enum"], None]
            return merged
    return node


def _tidy_properties(properties: dict) -> dict:
    return {name: _tidy(schema) for name, schema in properties.items()}


def json_schema(model: type[Body]) -> dict:
    """The model's JSON Schema for the OpenAPI document (3.1 speaks JSON Schema 2020-12)."""
    return _tidy(model.model_json_schema())


def is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)
