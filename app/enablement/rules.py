"""Touch plans from the IPP band, and certification expiry: pure calculations (no Flask, no database).

The IPP ends in a touch model (app.ipp.scoring.TOUCH_BY_BAND); here each model becomes the
touchpoints due in one quarter, each with a kind and a due date inside the quarter.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.health.periods import Period
from app.ipp.scoring import TOUCH_BY_BAND, TOUCH_MODELS

KINDS = ("business_review", "enablement_session", "pipeline_call", "executive_sponsor_call")
KIND_LABELS = {"business_review": "Business review", "enablement_session": "Enablement session",
               "pipeline_call": "Pipeline call", "executive_sponsor_call": "Executive sponsor call"}
UNASSESSED = "digital"  # a partner with no current vendor assessment gets the lightest plan

# touch model -> (kind, month of the quarter 0..2, day of that month) for each touchpoint due.
PLAN_SHAPES: dict[str, tuple[tuple[str, int, int], ...]] = {
    # "monthly touch, quarterly review"
    "strategic": (("pipeline_call", 0, 20), ("business_review", 1, 15), ("pipeline_call", 1, 25),
                  ("executive_sponsor_call", 2, 10), ("pipeline_call", 2, 20)),
    # "quarterly touch, enablement plan"
    "growth": (("enablement_session", 0, 25), ("business_review", 1, 15), ("enablement_session", 2, 10)),
    # "digital programme"
    "digital": (("enablement_session", 1, 15),),
}

EXPIRY_NOTICE_DAYS = 60


@dataclass(frozen=True)
class Touchpoint:
    kind: str
    due: date


def touch_model_for(band: str | None) -> str:
    """The touch model of an IPP band (None: not assessed yet)."""
    return TOUCH_BY_BAND.get(band, UNASSESSED) if band else UNASSESSED


def touch_model_label(model: str) -> str:
    return TOUCH_MODELS.get(model, model)


def plan_for(band: str | None, quarter: Period) -> list[Touchpoint]:
    """The touchpoints due in `quarter` for a partner in `band`, by due date."""
    start = quarter.start_date()
    points = []
    for kind, month, day in PLAN_SHAPES[touch_model_for(band)]:
        m = start.month + month
        points.append(Touchpoint(kind, date(start.year, m, day)))
    return sorted(points, key=lambda p: (p.due, p.kind))


def touchpoint_state(done_on: date | None, due: date, today: date) -> str:
    """done, overdue (past its due date and not done) or open."""
    if done_on is not None:
        return "done"
    return "overdue" if due < today else "open"


def expires_on(completed_on: date, valid_months: int | None) -> date | None:
    """When a completion lapses: `valid_months` calendar months after it (None: never);
    a day that month lacks falls back to its last day."""
    if not valid_months:
        return None
    month_index = completed_on.month - 1 + valid_months
    year, month = completed_on.year + month_index // 12, month_index % 12 + 1
    day = completed_on.day
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def expiring_soon(expiry: date | None, today: date, days: int = EXPIRY_NOTICE_DAYS) -> bool:
    """Expires within `days` from today (today included), not already expired."""
    return expiry is not None and today <= expiry <= today + timedelta(days=days)


def is_valid(expiry: date | None, today: date) -> bool:
    """A completion counts while it has not expired (no expiry: always)."""
    return expiry is None or expiry >= today
