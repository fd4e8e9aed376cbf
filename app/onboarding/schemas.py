"""Answers of the onboarding API as pydantic models: the views send each answer through its model, and the
document's response schemas are the models'."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.api.contract import Out, Uuid
from app.onboarding.models import DETECTORS
from app.partners.models import REGIONS

Detector = Literal[DETECTORS]  # type: ignore[valid-type]
Stamp = str  # a datetime as ISO 8601 text (with its offset on PostgreSQL; SQLite keeps none)


class StepOut(Out):
    """A step of the onboarding template."""

    id: Uuid
    key: str
    title: str
    detector: Detector | None
    position: int
    version: int


class TemplateOut(Out):
    """The template's steps in order."""

    items: list[StepOut]


class ChecklistItemOut(Out):
    id: Uuid
    key: str
    title: str
    version: int
    done: bool
    done_at: Stamp | None = Field(description="when it was ticked (ISO 8601)")
    done_by: str | None = Field(description="who ticked it: name, else e-mail")
    detector: Detector | None
    detected_at: Stamp | None = Field(description="when the portal saw it done; a person still ticks it")


class ChecklistOut(Out):
    """A partner's checklist; started false (and no items) until it is started."""

    partner_id: Uuid
    started: bool
    done: int
    total: int
    suggested: int = Field(description="items not done that the portal sees done")
    items: list[ChecklistItemOut]


class ProgressOut(Out):
    partner_id: Uuid
    name: str
    region: Literal[REGIONS] | None  # type: ignore[valid-type]
    started: bool
    done: int
    total: int
    suggested: int


class ProgressPage(Out):
    """A page of the book's partners by name with their progress, and the cursor of the next."""

    items: list[ProgressOut]
    next_cursor: str | None
