"""Request bodies of the IPP API (profiles and assessments), as pydantic models."""
from __future__ import annotations

from typing import Any, Literal

from app.api.contract import Body, IsoDateTime, Number, Out, Part, Uuid
from app.ipp.models import KINDS, STATUSES
from app.ipp.scoring import BAND_NOT_A_FIT, BANDS, CRITERION_TYPES, TOUCH_MODELS

BAND_NAMES = (*(name for name, _ in BANDS), BAND_NOT_A_FIT)
TOUCH_NAMES = tuple(TOUCH_MODELS)


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


class OptionOut(Out):
    value: str
    points: float


class CriterionOut(Out):
    """One criterion of a profile (floor and target for number criteria, options for choice criteria)."""

    key: str
    question: str
    type: Literal[CRITERION_TYPES]  # type: ignore[valid-type]
    weight: float
    knockout: bool
    help_text: str
    floor: float | None = None
    target: float | None = None
    options: list[OptionOut] = None


class ProfileOut(Out):
    """An IPP version (`latest`: it is the newest version of its profile)."""

    id: Uuid
    family_id: Uuid
    name: str
    version: int
    criteria: list[CriterionOut]
    created_at: IsoDateTime
    latest: bool


class ProfilePage(Out):
    """A page of IPP versions and the cursor of the next (null on the last page)."""

    items: list[ProfileOut]
    next_cursor: str | None


class CriterionScoreOut(Out):
    key: str
    score: float | None
    answer: Any


class AssessmentOut(Out):
    """A section-9 assessment. `shared` false: the band-only view partner staff get of the vendor's
    assessment unless the partner's setting shares it (the fields from profile_id on are then absent)."""

    id: Uuid
    partner_id: Uuid
    kind: Literal[KINDS]  # type: ignore[valid-type]
    status: Literal[STATUSES]  # type: ignore[valid-type]
    band: Literal[BAND_NAMES] | None  # type: ignore[valid-type]
    finalised_at: IsoDateTime | None
    current: bool
    shared: bool
    profile_id: Uuid = None
    profile_version: int = None
    fit_score: float | None = None
    coverage: float | None = None
    knockout_failed: list[str] = None
    touch_model: Literal[TOUCH_NAMES] | None = None  # type: ignore[valid-type]
    criteria: list[CriterionScoreOut] = None
    answers: dict[str, Any] = None
    created_at: IsoDateTime = None
    updated_at: IsoDateTime = None


class AssessmentPage(Out):
    """A page of assessments and the cursor of the next (null on the last page)."""

    items: list[AssessmentOut]
    next_cursor: str | None
