"""Request shapes as pydantic v2 models: one definition both validates a body and documents it.

`@documented(request=SomeBody)` takes a model (a subclass of `Body`); its JSON Schema goes into the
OpenAPI document and `json_body()` validates with the model itself, so the two cannot drift (there
are no dict schemas). The rules: strict types (no "3" for an integer, no 5 for text; a number may be
decimal text in the documented pattern, "17.25"; never NaN or Infinity); unknown top-level fields
refused by name (`Body`), unknown keys of nested objects ignored (`Part`); 422 with
{field path: message} in DESIGN's error shape (`metrics.0.target`; an item of a list of values is
named by its list, "account_ids": "item 2: ..."). Rules across fields or against stored data
(a target beyond its floor, an id of this workspace) stay with the views, in the domain's words.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    BaseModel, ConfigDict, PlainValidator, StringConstraints, ValidationError, WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from app.api.openapi_shapes import FILLED, PERIOD_PATTERN, UUID_PATTERN, stripped_at_least


class Body(BaseModel):
    """Base of every request model: strict, and no field it does not declare."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Out(BaseModel):
    """Base of a response model: the document's response schema comes from it, and tests validate
    real answers against it (every field listed, none other)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Part(BaseModel):
    """A nested object of a body (a metric, a tier, a criterion): strict types, unknown keys ignored,
    so a client may send back what it read."""

    model_config = ConfigDict(extra="ignore", strict=True)


Period = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)]


def Filled(max_length: int | None = None) -> Any:  # noqa: N802  (a type, spelled like one)
    """Text a view strips and requires non-empty (at most max_length characters)."""
    return Annotated[str, StringConstraints(pattern=FILLED, max_length=max_length)]


def Reason(min_length: int, max_length: int | None = None) -> Any:  # noqa: N802
    """A written reason: at least min_length characters once stripped."""
    return Annotated[str, StringConstraints(pattern=stripped_at_least(min_length), max_length=max_length)]


def Text(max_length: int | None = None) -> Any:  # noqa: N802
    return Annotated[str, StringConstraints(max_length=max_length)]


def NonBlank(max_length: int | None = None) -> Any:  # noqa: N802
    """Text with at least one character that is not white space (the view strips it)."""
    return Annotated[str, StringConstraints(min_length=1, max_length=max_length, pattern="\\S")]


Uuid = Annotated[str, StringConstraints(pattern=UUID_PATTERN), WithJsonSchema(
    {"type": "string", "format": "uuid", "pattern": UUID_PATTERN})]


# A date as YYYY-MM-DD: the model checks the form; the view checks the calendar (2027-13-01) in its
# own words, together with the body's other domain rules, so one 422 names every problem.
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
IsoDate = Annotated[str, StringConstraints(pattern=DATE_PATTERN),
                    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN})]

# Decimal text the API takes for a number ("17.25"): what decimal-careful clients send.
DECIMAL = "^-?[0-9]{1,16}(\\.[0-9]{1,16})?$"
UNSIGNED_DECIMAL = "^[0-9]{1,16}(\\.[0-9]{1,16})?$"


def _decimal_pattern(ge: float | None, le: float | None) -> str:
    """The text form's pattern, as exact as the bounds: no sign when ge is 0, k digits when le is 10**k."""
    sign = "" if ge is not None and ge >= 0 else "-?"
    if le is not None and ge is not None and ge >= 0:
        digits = len(str(int(le))) - 1
        if int(le) == 10 ** digits and le == int(le):
            return f"^({sign}[0-9]{{1,{digits}}}(\\.[0-9]{{1,16}})?|1{'0' * digits}(\\.0{{1,16}})?)$"
    return f"^{sign}[0-9]{{1,16}}(\\.[0-9]{{1,16}})?$"


def Number(ge: float | None = None, le: float | None = None, description: str | None = None) -> Any:  # noqa: N802
    """A finite number, or decimal text in the documented pattern; bounds hold for both forms.

    The view receives the value as sent (int, float or text) and parses it exactly.
    """
    pattern = _decimal_pattern(ge, le)
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise PydanticCustomError("number_type", "must be a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise PydanticCustomError("number_type", "must be a finite number")
        if isinstance(value, str) and not compiled.match(value):
            raise PydanticCustomError("number_type", "must be a number (digits, an optional point and fraction)")
        try:
            number = Decimal(value if isinstance(value, str) else repr(value) if isinstance(value, float) else value)
        except InvalidOperation:  # pragma: no cover  (the pattern admits decimals only)
            raise PydanticCustomError("number_type", "must be a number") from None
        if ge is not None and number < Decimal(str(ge)):
            raise PydanticCustomError("number_range", "must be at least {ge}", {"ge": ge})
        if le is not None and number > Decimal(str(le)):
            raise PydanticCustomError("number_range", "must be at most {le}", {"le": le})
        return value

    schema: dict[str, Any] = {"type": ["number", "string"], "pattern": pattern}
    if ge is not None:
        schema["minimum"] = ge
    if le is not None:
        schema["maximum"] = le
    if description:
        schema["description"] = description
    return Annotated[Any, PlainValidator(check), WithJsonSchema(schema)]


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


_TAGS = {"str", "int", "float", "bool", "list", "dict", "none", "constrained-str"}


def _is_tag(part: Any) -> bool:
    """A union member's tag in an error's location (`str`, `function-plain[check()]`), not a field name."""
    return isinstance(part, str) and (part in _TAGS or "[" in part)


def validate(model: type[Body], data: Any) -> dict[str, str]:
    """{field path: message} for every way data breaks the model; empty when it fits."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            loc = [part for part in error["loc"] if not _is_tag(part)]
            message = _message(error)
            if len(loc) > 1 and isinstance(loc[-1], int):
                # An item of a list of values is named by the list: {"account_ids": "item 2: ..."}.
                message = f"item {loc[-1] + 1}: {message}"
                loc = loc[:-1]
            path = ".".join(str(part) for part in loc) or "body"
            errors.setdefault(path[:200], message)
        return errors
    return {}


def _tidy(node: Any, names: bool = False) -> Any:
    """Pydantic's schema as the document shows it: no titles, `anyOf [X, null]` as a type list.

    names: node maps field names to schemas (`properties`), where a field may well be called "title".
    """
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    if names:
        return {key: _tidy(value) for key, value in node.items()}
    # No titles; no `default: null` (an absent optional field is absent, not null).
    node = {key: _tidy(value, names=key in ("properties", "$defs", "patternProperties"))
            for key, value in node.items() if key != "title" and not (key == "default" and value is None)}
    options = node.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        other = next(o for o in options if o != {"type": "null"})
        kind = other.get("type")
        if isinstance(kind, (str, list)):
            kinds = [kind] if isinstance(kind, str) else list(kind)
            merged = {**{k: v for k, v in node.items() if k != "anyOf"}, **other, "type": [*kinds, "null"]}
            if "enum" in merged:
                merged["enum"] = [*merged["enum"], None]
            return merged
    return node


def json_schema(model: type[Body]) -> dict:
    """The model's JSON Schema for the OpenAPI document (3.1 speaks JSON Schema 2020-12)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})
    return _tidy(_inline(schema, defs))


def _inline(node: Any, defs: dict) -> Any:
    """Nested models in place of `$ref: #/$defs/...`: in the OpenAPI document `#` is the document's root,
    so a body schema must stand alone (request models are not recursive)."""
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return {**_inline(defs[ref.removeprefix("#/$defs/")], defs), **_inline(rest, defs)}
    return {key: _inline(value, defs) for key, value in node.items()}


def is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


# ISO 8601 text of an aware datetime (datetime.isoformat()).
DATETIME_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?$"
IsoDateTime = Annotated[str, StringConstraints(pattern=DATETIME_PATTERN),
                        WithJsonSchema({"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN})]


def checked(model: type[Out], data: Any) -> Any:
    """data, once the model has read it exactly as it goes on the wire (the app's JSON): an answer that
    drifts from its documented model fails here, in the tests, not in a client."""
    from flask import current_app

    model.model_validate_json(current_app.json.dumps(data))
    return data
