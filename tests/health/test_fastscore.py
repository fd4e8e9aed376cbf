"""The integer health score used by bulk quarter close equals the reference scoring.health score."""
from decimal import Decimal as D

import pytest
from hypothesis import given, settings

from app.health.fastscore import health_score
from app.health.scoring import MetricTerm, health
from tests.health.test_health_scoring import agreements


def term(key, direction, target, floor, weight):
    return MetricTerm(key, direction, D(target), D(floor), D(weight))


@given(agreements())
@settings(max_examples=300)
def test_fast_score_equals_the_reference(agreement):
    terms, values = agreement
    assert health_score(terms, values) == health(terms, values).score


@pytest.mark.parametrize("terms, values, expected", [
    ([term("m", "higher", "10000", "0", "1")], {"m": D("6225")}, "62.3"),
    ([term("a", "higher", "3", "0", "3"), term("b", "higher", "1000", "0", "1")], {"a": D("1"), "b": D("2")}, "25.1"),
    ([term("t", "lower", "30", "90", "1")], {"t": D("45")}, "75.0"),
    ([term("t", "lower", "30", "90", "1")], {}, "0.0"),
    ([term("m", "higher", "50", "0", "1")], {"m": D("80")}, "100.0"),
])
def test_worked_examples(terms, values, expected):
    assert str(health_score(terms, values)) == expected == str(health(terms, values).score)
