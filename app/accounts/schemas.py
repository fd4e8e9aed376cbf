"""Request bodies of the accounts API, as pydantic models."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from app.accounts.domains import SEGMENTS
from app.accounts.insights import KIND_FIELDS, KINDS, TEXT_MAX
from app.api.contract import Body, IsoDate, IsoDateTime, Out, Uuid
from app.api.openapi_shapes import filled_text
from app.jobs.schemas import JobOut


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


class OwnerOut(Out):
    """Whose account it is: the vendor, or a partner (named only where the reader may name it)."""

    type: Literal["vendor", "partner"]
    partner_id: Uuid | None
    name: str | None


class AccountOut(Out):
    """An account with the fields the sharing level allows: the others are absent, not null
    (segment is always there, null when hidden or unknown)."""

    id: Uuid
    owner: OwnerOut
    shared: bool = Field(description="another side's account, seen through its sharing level")
    segment: Literal[SEGMENTS] | None  # type: ignore[valid-type]
    name: str = None
    domain: str | None = None
    employees: int | None = None
    industry: str | None = None
    region: str | None = None
    arr: float | None = None
    renewal_date: IsoDate | None = None
    stage: str | None = None


class AccountPage(Out):
    """A page of accounts and the cursor of the next (null on the last page)."""

    items: list[AccountOut]
    next_cursor: str | None


class InsightOut(Out):
    """An insight on an account."""

    id: Uuid
    account_id: Uuid
    kind: Literal[KINDS]  # type: ignore[valid-type]
    data: dict[str, Any]
    occurred_on: IsoDate | None
    author_side: Literal["vendor", "partner"]
    author_name: str
    created_at: IsoDateTime


class InsightPage(Out):
    """A page of insights and the cursor of the next (null on the last page)."""

    items: list[InsightOut]
    next_cursor: str | None


class ImportWarning(Out):
    row: int
    field: str
    message: str


class ImportOut(Out):
    """A CSV import run within the request (`?wait=true`): 201 with the counts."""

    created: int
    updated: int
    rows: int
    encoding: Literal["utf-8", "utf-8-sig", "utf-16", "cp1252"] = Field(
        description="the text encoding the file was read in")
    import_id: Uuid
    warnings: list[ImportWarning]


class ImportQueuedOut(JobOut):
    """202 and `Location: /api/v1/jobs/{id}`: the import is queued as this job (poll it; a file with bad rows
    ends as a failed job whose error.rows lists them). With `?wait=true` the import runs within the request:
    201 with created, updated, rows, encoding, import_id and warnings (ImportOut), or 422 with error.rows."""
