"""The pure touch-plan and expiry rules as tables."""
from datetime import date

import pytest

from app.enablement import rules
from app.health.periods import Period

Q3 = Period(2026, 3)


@pytest.mark.parametrize("band, model, kinds", [
    ("ideal", "strategic", ["pipeline_call", "business_review", "pipeline_call", "executive_sponsor_call", "pipeline_call"]),
    ("strong", "strategic", ["pipeline_call", "business_review", "pipeline_call", "executive_sponsor_call", "pipeline_call"]),
    ("developing", "growth", ["enablement_session", "business_review", "enablement_session"]),
    ("not_a_fit", "digital", ["enablement_session"]),
    (None, "digital", ["enablement_session"]),
])
def test_plan_generation_table(band, model, kinds):
    assert rules.touch_model_for(band) == model
    points = rules.plan_for(band, Q3)
    assert [p.kind for p in points] == kinds
    assert all(Q3.contains(p.due) for p in points)
    assert [p.due for p in points] == sorted(p.due for p in points)


def test_plan_dates_fall_in_every_quarter():
    for q in (Period(2026, 1), Period(2026, 2), Period(2026, 4), Period(2028, 1)):
        for band in ("ideal", "developing", None):
            assert all(q.contains(p.due) for p in rules.plan_for(band, q))
    assert [p.due for p in rules.plan_for("developing", Q3)] == [date(2026, 7, 25), date(2026, 8, 15), date(2026, 9, 10)]


@pytest.mark.parametrize("done_on, due, today, state", [
    (None, date(2026, 7, 1), date(2026, 7, 2), "overdue"),
    (None, date(2026, 7, 2), date(2026, 7, 2), "open"),
    (date(2026, 7, 9), date(2026, 7, 2), date(2026, 7, 20), "done"),
])
def test_touchpoint_state(done_on, due, today, state):
    assert rules.touchpoint_state(done_on, due, today) == state


@pytest.mark.parametrize("completed, months, expiry", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2026, 3, 15), 12, date(2027, 3, 15)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 3, 15), None, None),
])
def test_expiry(completed, months, expiry):
    assert rules.expires_on(completed, months) == expiry


def test_expiring_soon_window():
    today = date(2026, 6, 1)
    assert rules.expiring_soon(date(2026, 7, 31), today)  # 60 days
    assert not rules.expiring_soon(date(2026, 8, 1), today)  # 61
    assert not rules.expiring_soon(date(2026, 5, 31), today)  # already lapsed
    assert not rules.expiring_soon(None, today)
    assert rules.is_valid(date(2026, 6, 1), today) and not rules.is_valid(date(2026, 5, 31), today)
