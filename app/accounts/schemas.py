"""Request bodies of the accounts API, as pydantic models."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict

from app.accounts.insights import KIND_FIELDS, KINDS, TEXT_MAX
from app.api.contract import Body
from app.api.openapi_shapes import filled_text


def _insight_field(ftype: str, required: bool, choices) -> dict:
    if ftype == "choice":
        return {"type": "string", "enum": list(choices)} if required else {"enum": [*choices, "", None]}
    if ftype == "date":
        date = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"}
        return date if required else {"oneOf": [date, {"type": "string", "pattern": "^\\s*$"}, {"type": "null"}]}
    if ftype == "amount":
        amount = {"type": "number", "minimum": 0, "maximum": 1e13}
        return amount if required else {"oneOf": [amount, {"type": "null"}]}
    text = filled_text() if required else {"type": ["string", "null"], "pattern": "^[^\\x00]*$"}
    return {**text, "maxLength": TEXT_MAX}


def insight_bodies() -> list[dict]:
    """One body shape per insight kind, from the same KIND_FIELDS table that validates them."""
    return [{"properties": {"kind": {"const": kind}, "data": {
        "type": "object", "additionalProperties": False,
        "required": [name for name, (_t, required, _c) in fields.items() if required],
        "properties": {name: _insight_field(*spec) for name, spec in fields.items()}}}}
        for kind, fields in KIND_FIELDS.items()]


class InsightIn(Body):
    """An insight on an account: its kind, and that kind's fields in data.

    The model checks the kind and that data is an object; insights.validate checks data's fields
    by kind (KIND_FIELDS) in the domain's words, and the document states those rules (oneOf).
    """

    model_config = ConfigDict(json_schema_extra=lambda schema: schema.update(oneOf=insight_bodies()))

    kind: Literal[KINDS]  # type: ignore[valid-type]
    data: dict[str, Any]
