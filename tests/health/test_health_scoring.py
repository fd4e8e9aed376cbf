"""Joint health metrics: validation, attainment, health score and the biggest lever."""
from decimal import Decimal as D

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.health.scoring import (
    HealthResult,
    MetricHealth,
    MetricTerm,
    attainment,
    biggest_lever,
    color_for,
    health,
    parse_number,
    round_half_up,
    validate_metrics,
)


def term(key="nps", direction="higher", target="50", floor="0", weight="1"):
    return MetricTerm(key, direction, D(target), D(floor), D(weight))


def raw(**overrides):
    item = {"key": "nps", "direction": "higher", "target": "50", "floor": "0", "weight": "1"}
    item.update(overrides)
    return item


# --- validate_metrics ---------------------------------------------------------------------


def test_validate_accepts_form_strings_and_json_numbers():
    terms, errors = validate_metrics(
        [
            raw(key="nps", target="50", floor="-10", weight="2"),
            {"key": "time_to_value", "direction": "lower", "target": 30, "floor": 90, "weight": 1.5},
            {"key": "adoption-rate", "direction": "higher", "target": D("0.8"), "floor": "0.1", "weight": " 1 "},
        ]
    )
    assert errors == {}
    assert terms == [
        MetricTerm("nps", "higher", D("50"), D("-10"), D("2")),
        MetricTerm("time_to_value", "lower", D("30"), D("90"), D("1.5")),
        MetricTerm("adoption-rate", "higher", D("0.8"), D("0.1"), D("1")),
    ]
    assert all(isinstance(x, D) for t in terms for x in (t.target, t.floor, t.weight))


def test_float_inputs_keep_their_decimal_spelling():
    terms, errors = validate_metrics([raw(target=0.1, floor=0.0, weight=0.3)])
    assert errors == {}
    assert (terms[0].target, terms[0].weight) == (D("0.1"), D("0.3"))


@pytest.mark.parametrize("value", [[], ()])
def test_at_least_one_metric(value):
    assert validate_metrics(value) == ([], {"metrics": "at least one metric is required"})


@pytest.mark.parametrize("value", [None, "nps", {"key": "nps"}, 3])
def test_metrics_must_be_a_list(value):
    terms, errors = validate_metrics(value)
    assert terms == [] and set(errors) == {"metrics"}


def test_too_many_metrics():
    terms, errors = validate_metrics([raw(key=f"m{i}") for i in range(51)])
    assert terms == [] and "at most 50" in errors["metrics"]


def test_item_must_be_an_object():
    terms, errors = validate_metrics([raw(), "nps"])
    assert terms == [] and set(errors) == {"metrics.1"}


def test_error_keys_use_zero_based_indexes_and_field_names():
    _, errors = validate_metrics([raw(), raw(key="csat", target="oops")])
    assert set(errors) == {"metrics.1.target"}
    assert "must be a number" in errors["metrics.1.target"]


@pytest.mark.parametrize(
    "key, message",
    [
        (None, "is required"),
        ("", "is required"),
        ("   ", "is required"),
        (7, "must be text"),
        ("NPS", "lower-case"),
        ("nps score", "lower-case"),
        ("_nps", "start with a letter or digit"),
        ("naïve", "lower-case"),
        ("x" * 65, "at most 64"),
    ],
)
def test_key_must_be_slug_like(key, message):
    _, errors = validate_metrics([raw(key=key)])
    assert message in errors["metrics.0.key"]


def test_key_is_trimmed():
    terms, errors = validate_metrics([raw(key="  nps ")])
    assert errors == {} and terms[0].key == "nps"


def test_duplicate_key_is_reported_on_the_repeat():
    _, errors = validate_metrics([raw(), raw(key="csat"), raw(key="nps")])
    assert set(errors) == {"metrics.2.key"}
    assert "duplicate" in errors["metrics.2.key"] and "metric 0" in errors["metrics.2.key"]


@pytest.mark.parametrize("direction", [None, "", "up", "Higher", "both", 1])
def test_direction_is_higher_or_lower(direction):
    _, errors = validate_metrics([raw(direction=direction)])
    assert set(errors) == {"metrics.0.direction"}


@pytest.mark.parametrize("field", ["target", "floor", "weight"])
@pytest.mark.parametrize(
    "value, message",
    [
        (None, "is required"),
        ("", "is required"),
        ("abc", "must be a number"),
        ("NaN", "finite"),
        ("Infinity", "finite"),
        ("-inf", "finite"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        (True, "not true or false"),
        (False, "not true or false"),
        ([1], "must be a number"),
        ("1e16", "at most"),
    ],
)
def test_numbers_must_be_finite_numbers(field, value, message):
    _, errors = validate_metrics([raw(**{field: value})])
    assert message in errors[f"metrics.0.{field}"]


def test_weight_of_zero_is_refused():
    terms, errors = validate_metrics([raw(weight="0")])
    assert terms == []
    assert errors == {
        "metrics.0.weight": "must be greater than 0; remove the metric instead of weighting it 0"
    }


@pytest.mark.parametrize("weight", ["-1", -0.5, "-0"])
def test_negative_weight_is_refused(weight):
    _, errors = validate_metrics([raw(weight=weight)])
    assert "must be greater than 0" in errors["metrics.0.weight"]


def test_target_equal_to_floor_is_refused():
    _, errors = validate_metrics([raw(target="40", floor="40.00")])
    assert set(errors) == {"metrics.0.target"}
    assert "must differ from the floor" in errors["metrics.0.target"]


def test_direction_must_agree_with_target_and_floor():
    _, errors = validate_metrics(
        [
            raw(key="nps", direction="higher", target="10", floor="50"),
            raw(key="ttv", direction="lower", target="90", floor="30"),
        ]
    )
    assert errors == {
        "metrics.0.target": "must be above the floor when higher is better",
        "metrics.1.target": "must be below the floor when lower is better",
    }


def test_all_errors_are_reported_at_once():
    _, errors = validate_metrics(
        [raw(key="", direction="up", target="x", floor=None, weight="0"), raw(key="ok")]
    )
    assert set(errors) == {
        "metrics.0.key",
        "metrics.0.direction",
        "metrics.0.target",
        "metrics.0.floor",
        "metrics.0.weight",
    }


def test_parse_number_normalises_negative_zero():
    assert str(parse_number("-0")) == "0"
    assert str(parse_number(" 12.50 ")) == "12.50"


# --- attainment -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [("-5", "0"), ("0", "0"), ("25", "0.5"), ("40", "0.8"), ("50", "1"), ("75", "1")],
)
def test_attainment_higher_is_better(value, expected):
    assert attainment(term(target="50", floor="0"), D(value)) == D(expected)


@pytest.mark.parametrize(
    "value, expected",
    [("120", "0"), ("90", "0"), ("45", "0.75"), ("60", "0.5"), ("30", "1"), ("20", "1")],
)
def test_attainment_lower_is_better_time_to_value(value, expected):
    ttv = term(key="time_to_value", direction="lower", target="30", floor="90")
    assert attainment(ttv, D(value)) == D(expected)


def test_attainment_is_a_decimal_even_for_thirds():
    a = attainment(term(target="3", floor="0"), D("1"))
    assert isinstance(a, D) and a.quantize(D("0.0001")) == D("0.3333")


# --- health ---------------------------------------------------------------------------------


def test_health_all_at_target_is_100_green():
    terms = [term("nps"), term("ttv", "lower", "30", "90", "2")]
    result = health(terms, {"nps": D("50"), "ttv": D("30")})
    assert result == HealthResult(
        score=D("100.0"),
        color="green",
        metrics=[
            MetricHealth("nps", D("50"), D("1.0000"), False),
            MetricHealth("ttv", D("30"), D("1.0000"), False),
        ],
    )
    assert str(result.score) == "100.0"


def test_health_all_at_floor_is_0_red():
    result = health([term("nps"), term("csat", target="5", floor="1")], {"nps": D("0"), "csat": D("1")})
    assert str(result.score) == "0.0" and result.color == "red"


def test_worked_example_with_weights_and_a_lower_metric():
    terms = [
        term("nps", "higher", "50", "0", "2"),  # 40 -> 0.8
        term("time_to_value", "lower", "30", "90", "1"),  # 45 -> 0.75
        term("renewal_rate", "higher", "0.95", "0.75", "1"),  # 0.80 -> 0.25
    ]
    result = health(terms, {"nps": D("40"), "time_to_value": D("45"), "renewal_rate": D("0.80")})
    # 100 * (2*0.8 + 0.75 + 0.25) / 4 = 65.0
    assert result.score == D("65.0") and result.color == "yellow"
    assert [m.attainment for m in result.metrics] == [D("0.8"), D("0.75"), D("0.25")]


def test_missing_measurement_counts_zero_and_is_flagged():
    terms = [term("nps"), term("csat", target="5", floor="1")]
    result = health(terms, {"nps": D("50")})
    assert result.score == D("50.0") and result.color == "yellow"
    assert result.metrics[1] == MetricHealth("csat", None, D("0"), True)
    assert result.metrics[0].missing is False
    # An explicit None is the same as an absent key.
    assert health(terms, {"nps": D("50"), "csat": None}) == result


def test_no_measurements_at_all_is_zero():
    result = health([term("nps")], {})
    assert result.score == D("0.0") and result.metrics[0].missing


def test_measurements_for_unknown_keys_are_ignored():
    assert health([term("nps")], {"nps": D("25"), "other": D("99")}).score == D("50.0")


def test_half_up_rounding_62_25():
    result = health([term("m", target="10000", floor="0")], {"m": D("6225")})
    assert str(result.score) == "62.3"  # banker's rounding would give 62.2


def test_half_up_rounding_with_uneven_weights():
    terms = [term("a", target="1", floor="0", weight="1"), term("b", target="1", floor="0", weight="2")]
    # 100 * 0.3705 / 3 = 12.35 exactly
    assert str(health(terms, {"a": D("0.3705"), "b": D("0")}).score) == "12.4"


def test_thirds_do_not_spoil_a_half():
    # 100 * (3 * 1/3 + 1 * 0.002) / 4 = 25.05 exactly: a repeating third must not tip the half
    terms = [term("a", target="3", floor="0", weight="3"), term("b", target="1000", floor="0", weight="1")]
    assert str(health(terms, {"a": D("1"), "b": D("2")}).score) == "25.1"


def test_rounding_below_half_goes_down():
    assert str(health([term("m", target="10000", floor="0")], {"m": D("6224")}).score) == "62.2"


@pytest.mark.parametrize(
    "value, score, color",
    [
        ("7500", "75.0", "green"),
        ("7495", "75.0", "green"),  # the colour follows the rounded score
        ("7494", "74.9", "yellow"),
        ("5000", "50.0", "yellow"),
        ("4995", "50.0", "yellow"),
        ("4994", "49.9", "red"),
        ("0", "0.0", "red"),
        ("10000", "100.0", "green"),
    ],
)
def test_colour_bands(value, score, color):
    result = health([term("m", target="10000", floor="0")], {"m": D(value)})
    assert (str(result.score), result.color) == (score, color)


def test_color_for_thresholds():
    assert color_for(D("75")) == "green"
    assert color_for(D("74.9")) == "yellow"
    assert color_for(D("50")) == "yellow"
    assert color_for(D("49.9")) == "red"


def test_health_needs_terms():
    with pytest.raises(ValueError):
        health([], {})


def test_health_refuses_non_finite_measurements():
    with pytest.raises(ValueError):
        health([term("nps")], {"nps": D("NaN")})


def test_round_half_up_helper():
    assert str(round_half_up(D("2.675"), 2)) == "2.68"
    assert str(round_half_up(D("-2.675"), 2)) == "-2.68"
    assert str(round_half_up(D("0.04999"), 1)) == "0.0"
    assert str(round_half_up(100, 1)) == "100.0"


# --- biggest lever --------------------------------------------------------------------------


def test_biggest_lever_is_the_largest_weighted_gap():
    terms = [
        term("nps", weight="1"),  # 40/50 -> gap 1 * 0.2 = 0.2
        term("time_to_value", "lower", "30", "90", "2"),  # 45 -> gap 2 * 0.25 = 0.5
        term("adoption", target="1", floor="0", weight="3"),  # 0.9 -> gap 3 * 0.1 = 0.3
    ]
    values = {"nps": D("40"), "time_to_value": D("45"), "adoption": D("0.9")}
    assert biggest_lever(terms, values) == "time_to_value"


def test_biggest_lever_ties_go_to_the_smaller_key():
    terms = [term("zeta"), term("alpha"), term("mid")]
    values = {"zeta": D("25"), "alpha": D("25"), "mid": D("40")}
    assert biggest_lever(terms, values) == "alpha"


def test_biggest_lever_counts_a_missing_measurement_as_a_full_gap():
    terms = [term("nps", weight="1"), term("csat", target="5", floor="1", weight="1")]
    assert biggest_lever(terms, {"nps": D("10")}) == "csat"


def test_biggest_lever_is_none_when_everything_is_met():
    assert biggest_lever([term("nps"), term("csat")], {"nps": D("60"), "csat": D("50")}) is None


# --- properties -----------------------------------------------------------------------------

numbers = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
weights = st.decimals(min_value=D("0.01"), max_value=100, places=2)


@st.composite
def agreements(draw):
    n = draw(st.integers(1, 6))
    terms = []
    for i in range(n):
        a, b = draw(numbers), draw(numbers)
        assume(a != b)
        direction = draw(st.sampled_from(["higher", "lower"]))
        target, floor = (max(a, b), min(a, b)) if direction == "higher" else (min(a, b), max(a, b))
        terms.append(MetricTerm(f"m{i}", direction, target, floor, draw(weights)))
    values = {t.key: draw(st.none() | numbers) for t in terms}
    return terms, values


@given(agreements())
def test_health_is_always_between_0_and_100(agreement):
    terms, values = agreement
    result = health(terms, values)
    assert D("0") <= result.score <= D("100")
    assert result.score.as_tuple().exponent == -1
    assert result.color == color_for(result.score)
    for line in result.metrics:
        assert D("0") <= line.attainment <= D("1")
        assert line.missing == (values[line.key] is None)


@given(agreements())
def test_validation_accepts_what_it_describes(agreement):
    terms, _ = agreement
    as_form = [
        {"key": t.key, "direction": t.direction, "target": str(t.target), "floor": str(t.floor), "weight": str(t.weight)}
        for t in terms
    ]
    assert validate_metrics(as_form) == (terms, {})


@given(agreements(), st.data())
def test_moving_a_value_towards_target_never_lowers_health(agreement, data):
    terms, values = agreement
    t = data.draw(st.sampled_from(terms))
    before = health(terms, values).score
    current = values[t.key] if values[t.key] is not None else t.floor
    step = data.draw(st.decimals(min_value=0, max_value=500, places=2))
    better = current + step if t.direction == "higher" else current - step
    assert health(terms, {**values, t.key: better}).score >= before


@given(agreements())
def test_biggest_lever_has_the_largest_gap(agreement):
    terms, values = agreement
    lever = biggest_lever(terms, values)
    gaps = {t.key: t.weight * (1 - (attainment(t, values[t.key]) if values[t.key] is not None else 0)) for t in terms}
    if lever is None:
        assert all(g == 0 for g in gaps.values())
    else:
        assert gaps[lever] > 0
        assert gaps[lever] >= max(gaps.values()) - D("1e-20")
