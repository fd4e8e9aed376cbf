"""Request bodies of the IPP API (profiles and assessments), as pydantic models."""
from __future__ import annotations

from typing import Any, Literal

from app.api.contract import Body, Number, Part, Uuid
from app.ipp.models import KINDS


class OptionIn(Part):
    """One answer of a choice criterion and the points it gives."""

    value: str = None
    points: Number() = None


class CriterionIn(Part):
    """One criterion of a profile."""

    key: str
    question: str
    help_text: str = None
    type: Literal["boolean", "scale", "number", "choice"]
    weight: Number()
    knockout: bool = None
    floor: Number() = None
    target: Number() = None
    options: list[OptionIn] = None


class ProfileIn(Body):
    """A new IPP version: the profile's name and its criteria."""

    name: str
    criteria: list[CriterionIn]


class AssessmentIn(Body):
    """Answers to an IPP version's criteria, by criterion key (draft saves without finishing)."""

    profile_id: Uuid
    kind: Literal[KINDS]  # type: ignore[valid-type]
    answers: dict[str, Any]
    status: Literal["draft", "final"] = None
