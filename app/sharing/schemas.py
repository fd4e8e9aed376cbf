"""Request bodies of the sharing API, as pydantic models."""
from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from app.accounts.levels import LEVELS
from app.api.contract import Body
from app.sharing.models import DIRECTIONS
from app.sharing.policies import FIELD_CHOICES


class SharingIn(Body):
    """One direction's sharing level (and, with level `fields`, which fields), with the version you read."""

    # The cross-field rule is the view's to enforce (with its own message); the document states it.
    model_config = ConfigDict(json_schema_extra={
        "if": {"required": ["level"], "properties": {"level": {"const": "fields"}}},
        "then": {"required": ["fields"], "properties": {"fields": {"type": "array", "minItems": 1}}}})

    direction: Literal[DIRECTIONS]  # type: ignore[valid-type]
    level: Literal[LEVELS]  # type: ignore[valid-type]
    fields: list[Literal[FIELD_CHOICES]] | None = Field(  # type: ignore[valid-type]
        None, description="with level `fields`: at least one")
    version: int = None


class DataRequestIn(Body):
    """Ask the other side for more than counts."""

    requested_level: Literal["overlaps", "fields", "full"] = "overlaps"
    message: str | None = None
