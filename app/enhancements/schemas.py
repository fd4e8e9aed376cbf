"""Request bodies of the enhancement-request API, as pydantic models."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from app.api.contract import Body, Filled, Uuid
from app.enhancements.models import STATUSES, URGENCIES
from app.enhancements.services import MAX_COUNT, TEXT_MAX, TITLE_MAX

AccountIds = Annotated[list[Uuid], Field(description="ids of your own accounts the request affects")]


class EnhancementIn(Body):
    """A partner's enhancement request."""

    title: Filled(TITLE_MAX)
    problem: Filled(TEXT_MAX)
    outcome: Filled(TEXT_MAX)
    urgency: Literal[URGENCIES]  # type: ignore[valid-type]
    account_ids: AccountIds = None
    affected_count: Annotated[int, Field(ge=0, le=MAX_COUNT)] | None = None


class SupportIn(Body):
    """Your partner's support of a request."""

    account_ids: AccountIds = None
    affected_count: int = None
    note: str = None


class StatusIn(Body):
    """Vendor triage: the new status and what goes with it, and the version you read (optional)."""

    status: Literal[STATUSES]  # type: ignore[valid-type]
    target_quarter: str = None
    release_note: str = None
    reason: str = None
    note: str = None
    version: int = None


class UseCaseIn(Body):
    """A use case: given/when/then, or free text."""

    given: str = None
    when: str = None
    then: str = None
    text: str = None
