"""When a communication plan is due for review (pure: no Flask, no database)."""
from __future__ import annotations

from datetime import date

from app.health.periods import period_for

REVIEW_QUARTERS = 2


def review_overdue(reviewed_on: date | None, today: date) -> bool:
    """True when the plan was never reviewed, or not in this quarter nor the one before it
    (two quarters have passed without both sides looking at it)."""
    if reviewed_on is None:
        return True
    due = period_for(today)
    for _ in range(REVIEW_QUARTERS):
        due = due.previous()
    return period_for(reviewed_on) <= due
