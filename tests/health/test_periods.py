"""Quarter periods: parsing, ordering, neighbours and dates."""
from dataclasses import FrozenInstanceError
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.health.periods import Period, parse_period, period_for

periods = st.builds(Period, st.integers(2000, 2999), st.integers(1, 4))


def test_parse_and_format_round_trip():
    p = parse_period("2026-Q3")
    assert p == Period(2026, 3)
    assert (p.year, p.quarter) == (2026, 3)
    assert str(p) == "2026-Q3"


@pytest.mark.parametrize("text", ["2000-Q1", "2999-Q4", "2026-Q1", "2026-Q4"])
def test_parse_accepts_the_edges(text):
    assert str(parse_period(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "2026-Q0", "2026-Q5", "2026-Q9",  # quarter out of range
        "1999-Q4", "3000-Q1", "0000-Q1",  # year out of range
        "2026Q3", "2026-3", "2026-q3", "26-Q3", "2026-Q03", "12026-Q1",
        " 2026-Q3", "2026-Q3 ", "2026-Q3\n", "", "Q3-2026",
        "２０２６-Q3", "2026-Q٣",  # non-ASCII digits would give one quarter two spellings
    ],
)
def test_parse_refuses_anything_else(text):
    with pytest.raises(ValueError) as exc:
        parse_period(text)
    assert repr(text) in str(exc.value)


@pytest.mark.parametrize("value", [None, 2026, 2026.3, b"2026-Q3", ["2026-Q3"]])
def test_parse_refuses_non_text(value):
    with pytest.raises(ValueError, match="2026-Q3"):
        parse_period(value)


def test_error_messages_say_what_is_wrong():
    with pytest.raises(ValueError, match="YYYY-Qn"):
        parse_period("2026/3")
    with pytest.raises(ValueError, match="quarter must be 1, 2, 3 or 4"):
        parse_period("2026-Q5")
    with pytest.raises(ValueError, match="between 2000 and 2999"):
        parse_period("1999-Q1")


@pytest.mark.parametrize(
    "year, quarter", [(1999, 1), (3000, 1), (2026, 0), (2026, 5), (True, 1), (2026, True), ("2026", 1)]
)
def test_constructor_validates(year, quarter):
    with pytest.raises(ValueError):
        Period(year, quarter)


def test_frozen_and_hashable():
    p = Period(2026, 3)
    with pytest.raises(FrozenInstanceError):
        p.quarter = 4
    assert {p, Period(2026, 3)} == {p}


def test_ordering_is_chronological():
    assert Period(2025, 4) < Period(2026, 1) < Period(2026, 2)
    assert max(Period(2026, 1), Period(2025, 4)) == Period(2026, 1)
    shuffled = [parse_period(s) for s in ["2026-Q2", "2025-Q4", "2026-Q1", "2025-Q1"]]
    assert [str(p) for p in sorted(shuffled)] == ["2025-Q1", "2025-Q4", "2026-Q1", "2026-Q2"]


def test_next_and_previous_cross_years():
    assert Period(2026, 3).next() == Period(2026, 4)
    assert Period(2026, 4).next() == Period(2027, 1)
    assert Period(2027, 1).previous() == Period(2026, 4)
    assert Period(2026, 2).previous() == Period(2026, 1)


def test_next_and_previous_stop_at_the_supported_range():
    with pytest.raises(ValueError):
        Period(2999, 4).next()
    with pytest.raises(ValueError):
        Period(2000, 1).previous()


@pytest.mark.parametrize(
    "quarter, start, end",
    [
        (1, date(2026, 1, 1), date(2026, 3, 31)),
        (2, date(2026, 4, 1), date(2026, 6, 30)),
        (3, date(2026, 7, 1), date(2026, 9, 30)),
        (4, date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_start_and_end_dates(quarter, start, end):
    p = Period(2026, quarter)
    assert p.start_date() == start
    assert p.end_date() == end


def test_leap_year_first_quarter_has_91_days():
    p = Period(2028, 1)
    assert (p.end_date() - p.start_date()).days + 1 == 91
    assert p.contains(date(2028, 2, 29))


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2026, 1, 1), "2026-Q1"),
        (date(2026, 3, 31), "2026-Q1"),
        (date(2026, 4, 1), "2026-Q2"),
        (date(2026, 6, 30), "2026-Q2"),
        (date(2026, 7, 1), "2026-Q3"),
        (date(2026, 9, 30), "2026-Q3"),
        (date(2026, 10, 1), "2026-Q4"),
        (date(2026, 12, 31), "2026-Q4"),
        (datetime(2026, 9, 30, 23, 59, 59), "2026-Q3"),
    ],
)
def test_period_for(day, expected):
    assert str(period_for(day)) == expected


@given(periods)
def test_text_round_trip(p):
    assert parse_period(str(p)) == p


@given(periods)
def test_neighbours_are_inverse_and_adjacent(p):
    if p != Period(2999, 4):
        assert p.next().previous() == p
        assert p < p.next()
        assert p.next().start_date() == p.end_date() + timedelta(days=1)
    if p != Period(2000, 1):
        assert p.previous().next() == p


@given(periods)
def test_dates_belong_to_their_period(p):
    assert period_for(p.start_date()) == p
    assert period_for(p.end_date()) == p
    assert p.contains(p.start_date()) and p.contains(p.end_date())


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2999, 12, 31)))
def test_every_date_lies_in_its_period(day):
    p = period_for(day)
    assert p.start_date() <= day <= p.end_date()
