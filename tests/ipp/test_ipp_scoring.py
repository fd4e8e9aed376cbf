"""Unit tests for the pure IPP scoring module (DESIGN section 2)."""
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ipp.scoring import (
    TOUCH_MODELS,
    Criterion,
    Difference,
    FitResult,
    band_for,
    compare_answers,
    default_template,
    fit_score,
    score_criterion,
    validate_answers,
    validate_criteria,
)


def crit(key="k", type="boolean", weight="1", **kw):
    """Build a Criterion directly (Decimals from strings)."""
    extra = {name: D(kw.pop(name)) for name in ("floor", "target") if name in kw}
    options = tuple((v, D(p)) for v, p in kw.pop("options", ()))
    return Criterion(key=key, question=f"{key}?", type=type, weight=D(weight),
                     options=options, **extra, **kw)


def valid_raw():
    """A small valid profile definition covering all four types."""
    return [
        {"key": "lead", "question": "Leadership committed?", "type": "boolean", "weight": 3,
         "knockout": True},
        {"key": "roi", "question": "Expected ROI?", "type": "scale", "weight": "2"},
        {"key": "certs", "question": "Certified consultants?", "type": "number", "weight": 1.5,
         "floor": 0, "target": 10},
        {"key": "region", "question": "Region?", "type": "choice", "weight": 1,
         "options": [{"value": "emea", "points": 10}, {"value": "apac", "points": 5}]},
    ]


# --- score_criterion: worked examples -------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (True, D(1)), (False, D(0)), ("yes", D(1)), ("no", D(0)), ("TRUE", D(1)), ("0", D(0)),
    (None, None), ("", None),
])
def test_boolean_scores(value, expected):
    assert score_criterion(crit(type="boolean"), value) == expected


@pytest.mark.parametrize("value, expected", [
    (1, D("0")), (2, D("0.25")), (3, D("0.5")), (4, D("0.75")), (5, D("1")), ("4", D("0.75")),
])
def test_scale_scores(value, expected):
    assert score_criterion(crit(type="scale"), value) == expected


@pytest.mark.parametrize("value, expected", [
    (7, D("0.7")), ("2.5", D("0.25")), (0, D(0)), (10, D(1)), (15, D(1)), (-3, D(0)),
])
def test_number_scores_higher_is_better(value, expected):
    assert score_criterion(crit(type="number", floor="0", target="10"), value) == expected


@pytest.mark.parametrize("value, expected", [
    (10, D("0.8")), (30, D(0)), (40, D(0)), (5, D(1)), (2, D(1)), (17.5, D("0.5")),
])
def test_number_scores_lower_is_better(value, expected):
    # e.g. days to first response: floor 30 (worst), target 5 (best)
    assert score_criterion(crit(type="number", floor="30", target="5"), value) == expected


def test_number_score_with_negative_floor():
    c = crit(type="number", floor="-10", target="10")
    assert score_criterion(c, 0) == D("0.5")
    assert score_criterion(c, "-5") == D("0.25")


@pytest.mark.parametrize("value, expected", [
    ("gold", D(1)), ("silver", D("0.4")), ("none", D(0)),
])
def test_choice_scores(value, expected):
    c = crit(type="choice", options=[("gold", "10"), ("silver", "4"), ("none", "0")])
    assert score_criterion(c, value) == expected


def test_invalid_value_raises():
    with pytest.raises(ValueError):
        score_criterion(crit(type="scale"), 9)


# --- fit_score: worked examples -------------------------------------------------------------

def test_fit_score_mixed_types_worked_example():
    criteria = [
        crit("lead", "boolean", "3", knockout=True),
        crit("roi", "scale", "2"),
        crit("certs", "number", "1.5", floor="0", target="10"),
        crit("region", "choice", "1", options=[("emea", "10"), ("apac", "5")]),
    ]
    result = fit_score(criteria, {"lead": True, "roi": 4, "certs": 7, "region": "apac"})
    # (3*1 + 2*0.75 + 1.5*0.7 + 1*0.5) / 7.5 = 6.05 / 7.5 = 0.80666.. -> 80.7
    assert result.fit_score == D("80.7")
    assert result.band == "ideal"
    assert result.touch_model == "strategic"
    assert result.coverage == D("1.000")
    assert result.knockout_failed == ()
    assert result.criteria == (("lead", D(1)), ("roi", D("0.75")), ("certs", D("0.7")),
                               ("region", D("0.5")))


def test_unanswered_counts_zero_and_lowers_coverage():
    criteria = [crit("a", weight="1"), crit("b", weight="3"), crit("c", weight="4")]
    result = fit_score(criteria, {"a": True, "b": True})
    assert result.fit_score == D("50.0")  # 4 / 8
    assert result.coverage == D("0.500")
    assert result.criteria == (("a", D(1)), ("b", D(1)), ("c", None))
    assert result.band == "developing" and result.touch_model == "growth"


def test_answered_no_counts_toward_coverage():
    result = fit_score([crit("a"), crit("b")], {"a": False, "b": None})
    assert result.fit_score == D("0.0")
    assert result.coverage == D("0.500")


def test_nothing_answered():
    result = fit_score([crit("a"), crit("b", type="scale")], {})
    assert result == FitResult(D("0.0"), "not_a_fit", D("0.000"), (), "digital",
                               (("a", None), ("b", None)))


@pytest.mark.parametrize("yes_weight, no_weight, expected", [
    ("0.3", "7", D("4.1")),    # 30 / 7.3 = 4.1095..
    ("7", "0.3", D("95.9")),   # 700 / 7.3 = 95.890..
    ("0.001", "0.002", D("33.3")),
    ("250", "750", D("25.0")),
])
def test_weights_need_not_sum_to_anything(yes_weight, no_weight, expected):
    criteria = [crit("y", weight=yes_weight), crit("n", weight=no_weight)]
    assert fit_score(criteria, {"y": True, "n": False}).fit_score == expected


def test_scaling_all_weights_changes_nothing():
    answers = {"y": True, "n": False, "s": 3}
    small = [crit("y", weight="0.3"), crit("n", weight="7"), crit("s", "scale", "1.1")]
    big = [crit("y", weight="3"), crit("n", weight="70"), crit("s", "scale", "11")]
    assert fit_score(small, answers) == fit_score(big, answers)


@pytest.mark.parametrize("yes_weight, no_weight, expected", [
    ("1", "399", D("0.3")),        # 0.25 exactly -> 0.3 (half-even would give 0.2)
    ("49", "1951", D("2.5")),      # 2.45 exactly -> 2.5 (half-even would give 2.4)
    ("1249", "751", D("62.5")),    # 62.45 exactly -> 62.5
    ("1599", "401", D("80.0")),    # 79.95 exactly -> 80.0, and thus 'ideal'
    ("12489", "7511", D("62.4")),  # 62.445 -> 62.4
    ("3", "397", D("0.8")),        # 0.75 -> 0.8
])
def test_fit_score_rounds_half_up(yes_weight, no_weight, expected):
    criteria = [crit("y", weight=yes_weight), crit("n", weight=no_weight)]
    assert fit_score(criteria, {"y": True, "n": False}).fit_score == expected


def test_band_uses_rounded_score():
    criteria = [crit("y", weight="1599"), crit("n", weight="401")]
    result = fit_score(criteria, {"y": True, "n": False})
    assert (result.fit_score, result.band) == (D("80.0"), "ideal")


def test_rounding_is_exact_for_repeating_fractions():
    # three thirds of weight 3 each add up to exactly 1/2 of the total: 50.0, not 49.9
    criteria = [crit(f"n{i}", "number", "3", floor="0", target="3") for i in range(3)]
    criteria.append(crit("pad", weight="9"))
    result = fit_score(criteria, {"n0": 1, "n1": 1, "n2": 1, "pad": False})
    assert result.fit_score == D("16.7")  # 3 / 18 = 16.666..
    criteria[-1] = crit("pad", weight="3")
    assert fit_score(criteria, {"n0": 1, "n1": 1, "n2": 1, "pad": True}).fit_score == D("50.0")


@pytest.mark.parametrize("answered, unanswered, expected", [
    ("1", "15", D("0.063")),   # 0.0625 -> 0.063 (half-up)
    ("1", "7", D("0.125")),
    ("2", "1", D("0.667")),
    ("1", "2", D("0.333")),
    ("1", "1999", D("0.001")),  # 0.0005 -> 0.001
])
def test_coverage_rounds_half_up_to_three_places(answered, unanswered, expected):
    criteria = [crit("a", weight=answered), crit("u", weight=unanswered)]
    assert fit_score(criteria, {"a": False}).coverage == expected


@pytest.mark.parametrize("score, band, touch", [
    (D("100.0"), "ideal", "strategic"), (D("80.0"), "ideal", "strategic"),
    (D("79.9"), "strong", "strategic"), (D("60.0"), "strong", "strategic"),
    (D("59.9"), "developing", "growth"), (D("40.0"), "developing", "growth"),
    (D("39.9"), "not_a_fit", "digital"), (D("0.0"), "not_a_fit", "digital"),
])
def test_bands_and_touch_models(score, band, touch):
    assert band_for(score) == band
    # build answers that reach exactly `score` with a 1000-weight split
    yes = int(score * 10)
    criteria = [crit("y", weight=str(yes or 1)), crit("n", weight=str(1000 - yes or 1))]
    result = fit_score(criteria, {"y": bool(yes), "n": not (1000 - yes)})
    assert (result.fit_score, result.band, result.touch_model) == (score, band, touch)


def test_touch_model_texts():
    assert TOUCH_MODELS == {"strategic": "monthly touch, quarterly review",
                            "growth": "quarterly touch, enablement plan",
                            "digital": "digital programme"}


# --- knockouts ------------------------------------------------------------------------------

def test_knockout_answered_no_forces_not_a_fit():
    criteria = [crit("lead", weight="1", knockout=True), crit("big", weight="19")]
    result = fit_score(criteria, {"lead": "no", "big": "yes"})
    assert result.fit_score == D("95.0")
    assert result.band == "not_a_fit"
    assert result.touch_model == "digital"
    assert result.knockout_failed == ("lead",)


def test_knockout_unanswered_does_not_trigger():
    criteria = [crit("lead", weight="1", knockout=True), crit("big", weight="19")]
    result = fit_score(criteria, {"big": True})
    assert result.knockout_failed == ()
    assert result.band == "ideal"


def test_knockout_passed_with_any_positive_score():
    criteria = [crit("roi", "scale", "1", knockout=True), crit("big", weight="9")]
    result = fit_score(criteria, {"roi": 2, "big": True})
    assert result.knockout_failed == () and result.band == "ideal"
    assert fit_score(criteria, {"roi": 1, "big": True}).knockout_failed == ("roi",)


def test_knockouts_of_every_type_are_listed_in_order():
    criteria = [
        crit("b", "boolean", "1", knockout=True),
        crit("n", "number", "1", knockout=True, floor="0", target="10"),
        crit("c", "choice", "1", knockout=True, options=[("x", "0"), ("y", "1")]),
        crit("s", "scale", "1", knockout=True),
        crit("plain", "boolean", "1"),
    ]
    result = fit_score(criteria, {"b": False, "n": -2, "c": "x", "s": 3, "plain": False})
    assert result.knockout_failed == ("b", "n", "c")
    assert result.band == "not_a_fit"


def test_fit_score_ignores_unknown_keys_and_rejects_bad_values():
    criteria = [crit("a")]
    assert fit_score(criteria, {"a": True, "zzz": 1}).fit_score == D("100.0")
    with pytest.raises(ValueError):
        fit_score(criteria, {"a": "perhaps"})
    with pytest.raises(ValueError):
        fit_score([], {})


def test_to_dict_shape():
    result = fit_score([crit("a"), crit("b", knockout=True)], {"a": True, "b": False})
    assert result.to_dict() == {
        "fit_score": D("50.0"), "band": "not_a_fit", "coverage": D("1.000"),
        "knockout_failed": ["b"], "touch_model": "digital",
        "criteria": [{"key": "a", "score": D(1)}, {"key": "b", "score": D(0)}],
    }


# --- validate_criteria ----------------------------------------------------------------------

def test_valid_criteria_parse():
    criteria, errors = validate_criteria(valid_raw())
    assert errors == {}
    assert [c.key for c in criteria] == ["lead", "roi", "certs", "region"]
    lead, roi, certs, region = criteria
    assert lead.knockout is True and lead.weight == D(3)
    assert roi.weight == D(2) and roi.knockout is False
    assert certs.weight == D("1.5") and (certs.floor, certs.target) == (D(0), D(10))
    assert region.options == (("emea", D(10)), ("apac", D(5)))
    assert region.max_points == D(10)


def test_lower_is_better_number_is_valid():
    raw = [{"key": "days", "question": "Days to respond?", "type": "number", "weight": 1,
            "floor": "30", "target": "5"}]
    criteria, errors = validate_criteria(raw)
    assert errors == {} and criteria[0].floor == D(30) and criteria[0].target == D(5)


def test_form_strings_are_accepted():
    raw = [{"key": "x", "question": "X?", "type": "boolean", "weight": " 0.25 ",
            "knockout": "true"}]
    criteria, errors = validate_criteria(raw)
    assert errors == {} and criteria[0].weight == D("0.25") and criteria[0].knockout


def test_float_weight_is_taken_via_str():
    criteria, _ = validate_criteria([{"key": "x", "question": "X?", "type": "boolean",
                                      "weight": 0.1}])
    assert criteria[0].weight == D("0.1")


def test_criterion_round_trips_through_to_dict():
    criteria, _ = validate_criteria(valid_raw())
    again, errors = validate_criteria([c.to_dict() for c in criteria])
    assert errors == {} and again == criteria


@pytest.mark.parametrize("raw", [[], None, "nope", {}])
def test_at_least_one_criterion(raw):
    criteria, errors = validate_criteria(raw)
    assert criteria == [] and "criteria" in errors


def _mutated(index, **changes):
    """valid_raw() with criterion `index` changed (value None deletes the field)."""
    raw = valid_raw()
    for name, value in changes.items():
        if value is None:
            raw[index].pop(name, None)
        else:
            raw[index][name] = value
    return raw


@pytest.mark.parametrize("raw, field", [
    (_mutated(0, key=None), "criteria.0.key"),
    (_mutated(0, key=""), "criteria.0.key"),
    (_mutated(0, key="Lead"), "criteria.0.key"),
    (_mutated(0, key="has space"), "criteria.0.key"),
    (_mutated(0, key="dash-ed"), "criteria.0.key"),
    (_mutated(0, key="x" * 65), "criteria.0.key"),
    (_mutated(0, key=12), "criteria.0.key"),
    (_mutated(1, key="lead"), "criteria.1.key"),
    (_mutated(1, question=None), "criteria.1.question"),
    (_mutated(1, question="   "), "criteria.1.question"),
    (_mutated(1, question=5), "criteria.1.question"),
    (_mutated(1, type="text"), "criteria.1.type"),
    (_mutated(1, type=None), "criteria.1.type"),
    (_mutated(1, weight=None), "criteria.1.weight"),
    (_mutated(1, weight=0), "criteria.1.weight"),
    (_mutated(1, weight=-1), "criteria.1.weight"),
    (_mutated(1, weight="-0.5"), "criteria.1.weight"),
    (_mutated(1, weight=True), "criteria.1.weight"),
    (_mutated(1, weight="NaN"), "criteria.1.weight"),
    (_mutated(1, weight=float("nan")), "criteria.1.weight"),
    (_mutated(1, weight=float("inf")), "criteria.1.weight"),
    (_mutated(1, weight="Infinity"), "criteria.1.weight"),
    (_mutated(1, weight="heavy"), "criteria.1.weight"),
    (_mutated(1, weight=[1]), "criteria.1.weight"),
    (_mutated(1, weight=10 ** 20), "criteria.1.weight"),
    (_mutated(0, knockout="maybe"), "criteria.0.knockout"),
    (_mutated(2, floor=None), "criteria.2.floor"),
    (_mutated(2, floor="low"), "criteria.2.floor"),
    (_mutated(2, target=None), "criteria.2.target"),
    (_mutated(2, target=0), "criteria.2.target"),
    (_mutated(2, target="0.0"), "criteria.2.target"),
    (_mutated(3, options=None), "criteria.3.options"),
    (_mutated(3, options=[]), "criteria.3.options"),
    (_mutated(3, options="emea"), "criteria.3.options"),
    (_mutated(3, options=[{"value": "a", "points": 0}, {"value": "b", "points": 0}]),
     "criteria.3.options"),
    (_mutated(3, options=[{"value": "a", "points": 1}, {"value": "a", "points": 2}]),
     "criteria.3.options.1.value"),
    (_mutated(3, options=[{"value": "", "points": 1}]), "criteria.3.options.0.value"),
    (_mutated(3, options=[{"points": 1}]), "criteria.3.options.0.value"),
    (_mutated(3, options=[{"value": "a", "points": 1}, {"value": "b", "points": -1}]),
     "criteria.3.options.1.points"),
    (_mutated(3, options=[{"value": "a", "points": 1}, {"value": "b", "points": "NaN"}]),
     "criteria.3.options.1.points"),
    (_mutated(3, options=[{"value": "a", "points": 1}, {"value": "b"}]),
     "criteria.3.options.1.points"),
    (_mutated(3, options=[{"value": "a", "points": True}]), "criteria.3.options.0.points"),
    (_mutated(3, options=["a"]), "criteria.3.options.0"),
])
def test_criteria_errors_are_keyed_by_field(raw, field):
    criteria, errors = validate_criteria(raw)
    assert field in errors, errors
    assert isinstance(errors[field], str) and errors[field]
    assert criteria == []


def test_non_object_criterion():
    raw = valid_raw() + ["oops"]
    assert "criteria.4" in validate_criteria(raw)[1]


def test_all_errors_reported_at_once():
    raw = [{"key": "A", "type": "number", "weight": 0}]
    _, errors = validate_criteria(raw)
    assert set(errors) == {"criteria.0.key", "criteria.0.question", "criteria.0.weight",
                           "criteria.0.floor", "criteria.0.target"}


def test_option_values_are_stripped_and_unique_after_strip():
    raw = _mutated(3, options=[{"value": " a ", "points": 1}, {"value": "a", "points": 2}])
    assert "criteria.3.options.1.value" in validate_criteria(raw)[1]


def test_zero_points_allowed_when_another_option_scores():
    raw = _mutated(3, options=[{"value": "a", "points": 0}, {"value": "b", "points": "0.5"}])
    criteria, errors = validate_criteria(raw)
    assert errors == {} and criteria[3].max_points == D("0.5")


# --- validate_answers -----------------------------------------------------------------------

@pytest.fixture()
def criteria():
    return validate_criteria(valid_raw())[0]


def test_valid_answers_are_normalised(criteria):
    cleaned, errors = validate_answers(
        criteria, {"lead": "Yes", "roi": "4", "certs": "7.5", "region": "emea"})
    assert errors == {}
    assert cleaned == {"lead": True, "roi": 4, "certs": D("7.5"), "region": "emea"}
    assert isinstance(cleaned["roi"], int) and isinstance(cleaned["certs"], D)


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), ("yes", True), ("no", False), ("true", True),
    ("false", False), ("1", True), ("0", False), (" NO ", False), (1, True), (0, False),
])
def test_boolean_answer_forms(criteria, value, expected):
    assert validate_answers(criteria, {"lead": value}) == ({"lead": expected}, {})


def test_unanswered_values_are_allowed_and_dropped(criteria):
    assert validate_answers(criteria, {"lead": None, "roi": "", "certs": "  "}) == ({}, {})
    assert validate_answers(criteria, {}) == ({}, {})
    assert validate_answers(criteria, None) == ({}, {})


def test_number_answers_accept_any_finite_number(criteria):
    cleaned, errors = validate_answers(criteria, {"certs": -1000})
    assert errors == {} and cleaned["certs"] == D(-1000)
    assert validate_answers(criteria, {"certs": 0.1})[0]["certs"] == D("0.1")


@pytest.mark.parametrize("key, value", [
    ("lead", "maybe"), ("lead", 2), ("lead", "y"), ("lead", [True]),
    ("roi", 0), ("roi", 6), ("roi", "2.5"), ("roi", 2.5), ("roi", True), ("roi", "high"),
    ("certs", "many"), ("certs", "NaN"), ("certs", float("inf")), ("certs", True),
    ("certs", {"v": 1}),
    ("region", "mars"), ("region", 10), ("region", True),
])
def test_answer_errors_are_keyed(criteria, key, value):
    cleaned, errors = validate_answers(criteria, {key: value})
    assert f"answers.{key}" in errors, errors
    assert key not in cleaned


@pytest.mark.parametrize("value", [
    "1e15", 10 ** 15, -(10 ** 15), "1e999999999", pytest.param(10 ** 5000, id="huge-int"),
    "999999999999999.9999999999999",
])
def test_number_answers_out_of_bounds(criteria, value):
    assert "answers.certs" in validate_answers(criteria, {"certs": value})[1]


@pytest.mark.parametrize("value, expected", [
    ("999999999999999", D("999999999999999")), ("1e-999999999", D(0)),
    ("0.1234567890125", D("0.123456789013")), ("0E+999999", D(0)), ("1_000", D(1000)),
])
def test_number_answers_are_bounded_to_twelve_places(criteria, value, expected):
    assert validate_answers(criteria, {"certs": value}) == ({"certs": expected}, {})


def test_scale_accepts_integral_numbers(criteria):
    assert validate_answers(criteria, {"roi": 3.0})[0] == {"roi": 3}
    assert validate_answers(criteria, {"roi": "5"})[0] == {"roi": 5}


def test_unknown_answer_key_is_an_error(criteria):
    cleaned, errors = validate_answers(criteria, {"lead": True, "colour": "blue"})
    assert cleaned == {"lead": True}
    assert "answers.colour" in errors


def test_answers_must_be_an_object(criteria):
    cleaned, errors = validate_answers(criteria, ["lead"])
    assert cleaned == {} and set(errors) == {"answers"}


# --- compare_answers ------------------------------------------------------------------------

def test_compare_flags_every_difference(criteria):
    vendor = {"lead": True, "roi": 4, "certs": 5, "region": "emea"}
    partner = {"lead": "yes", "roi": 5, "certs": "5.0"}
    diffs = compare_answers(criteria, vendor, partner)
    assert diffs == [
        Difference("roi", "Expected ROI?", 4, 5, D("0.75"), D(1)),
        Difference("region", "Region?", "emea", None, D(1), None),
    ]


def test_compare_same_answers_no_differences(criteria):
    answers = {"lead": False, "roi": 2}
    assert compare_answers(criteria, answers, dict(answers)) == []
    assert compare_answers(criteria, {}, {"lead": None}) == []


def test_compare_flags_same_score_different_choice():
    c = crit("tier", "choice", options=[("gold", "5"), ("platinum", "5")])
    diffs = compare_answers([c], {"tier": "gold"}, {"tier": "platinum"})
    assert [d.key for d in diffs] == ["tier"]
    assert diffs[0].vendor_score == diffs[0].self_score == D(1)


# --- default_template -----------------------------------------------------------------------

def test_default_template_is_valid():
    criteria, errors = validate_criteria(default_template())
    assert errors == {}
    by_key = {c.key: c for c in criteria}
    assert {"leadership_commitment", "cs_roi_expectation", "services_core", "cs_practice_led",
            "region", "segments", "certified_consultants", "cs_headcount"} == set(by_key)
    assert by_key["leadership_commitment"].knockout
    assert by_key["leadership_commitment"].type == "boolean"
    assert by_key["cs_roi_expectation"].type == "scale"
    assert by_key["services_core"].type == "boolean"
    assert by_key["cs_practice_led"].type == "boolean"
    assert {v for v, _ in by_key["region"].options} == {"emea", "na", "latam", "apac"}
    assert {v for v, _ in by_key["segments"].options} == {"smb", "mid_market", "enterprise",
                                                          "all"}
    assert (by_key["certified_consultants"].floor, by_key["certified_consultants"].target) == (
        D(0), D(10))
    assert (by_key["cs_headcount"].floor, by_key["cs_headcount"].target) == (D(0), D(20))
    assert all(c.help_text for c in criteria)


def test_default_template_is_a_fresh_copy():
    template = default_template()
    template[0]["weight"] = 99
    assert default_template()[0]["weight"] != 99


def test_default_template_perfect_partner_scores_100():
    criteria, _ = validate_criteria(default_template())
    best = {}
    for c in criteria:
        if c.type == "choice":
            best[c.key] = max(c.options, key=lambda option: option[1])[0]
        else:
            best[c.key] = {"boolean": True, "scale": 5, "number": c.target}[c.type]
    result = fit_score(criteria, best)
    assert (result.fit_score, result.band, result.coverage) == (D("100.0"), "ideal", D("1.000"))


# --- property tests -------------------------------------------------------------------------

decimals = st.decimals(min_value=D("-1000"), max_value=D("1000"), places=2,
                       allow_nan=False, allow_infinity=False)
weights = st.decimals(min_value=D("0.001"), max_value=D("1000"), places=3,
                      allow_nan=False, allow_infinity=False)
points = st.decimals(min_value=D("0"), max_value=D("100"), places=2,
                     allow_nan=False, allow_infinity=False)


@st.composite
def criterion_dicts(draw, key):
    """A valid section-9 criterion dict of a random type."""
    ctype = draw(st.sampled_from(["boolean", "scale", "number", "choice"]))
    item = {"key": key, "question": f"{key}?", "type": ctype, "weight": str(draw(weights)),
            "knockout": draw(st.booleans())}
    if ctype == "number":
        floor, target = draw(st.lists(decimals, min_size=2, max_size=2, unique=True))
        item.update(floor=str(floor), target=str(target))
    if ctype == "choice":
        pts = draw(st.lists(points, min_size=1, max_size=4))
        if all(p == 0 for p in pts):
            pts[0] = D(1)
        item["options"] = [{"value": f"o{i}", "points": str(p)} for i, p in enumerate(pts)]
    return item


@st.composite
def profiles(draw):
    """Validated criteria (1..6)."""
    size = draw(st.integers(1, 6))
    raw = [draw(criterion_dicts(f"c{i}")) for i in range(size)]
    criteria, errors = validate_criteria(raw)
    assert errors == {}
    return criteria


def answer_for(c):
    """Strategy of a valid answer (or None) for a criterion."""
    values = {
        "boolean": st.booleans(),
        "scale": st.integers(1, 5),
        "number": decimals,
        "choice": st.sampled_from([v for v, _ in c.options]),
    }[c.type]
    return st.one_of(st.none(), values)


@st.composite
def profiles_with_answers(draw):
    """Criteria plus a random valid answer set."""
    criteria = draw(profiles())
    answers = {c.key: draw(answer_for(c)) for c in criteria}
    return criteria, answers


def higher_answer(draw, c, current):
    """Draw an answer whose score is >= the score of `current`."""
    if current is None:
        return draw(answer_for(c).filter(lambda v: v is not None))
    if c.type == "boolean":
        return True
    if c.type == "scale":
        return draw(st.integers(current, 5))
    if c.type == "number":
        step = draw(st.decimals(min_value=D(0), max_value=D(500), places=2))
        return current + step if c.target > c.floor else current - step
    floor_points = dict(c.options)[current]
    return draw(st.sampled_from([v for v, p in c.options if p >= floor_points]))


FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(profiles_with_answers())
def test_property_score_and_coverage_in_range(data):
    criteria, answers = data
    result = fit_score(criteria, answers)
    assert D(0) <= result.fit_score <= D(100)
    assert result.fit_score == result.fit_score.quantize(D("0.1"))
    assert D(0) <= result.coverage <= D(1)
    assert result.touch_model in TOUCH_MODELS
    for _, score in result.criteria:
        assert score is None or D(0) <= score <= D(1)
    if result.knockout_failed:
        assert result.band == "not_a_fit"
    else:
        assert result.band == band_for(result.fit_score)


@FAST
@given(profiles_with_answers(), st.data())
def test_property_raising_one_answer_never_lowers_score(data, draw_data):
    criteria, answers = data
    c = draw_data.draw(st.sampled_from(criteria))
    raised = dict(answers)
    raised[c.key] = higher_answer(draw_data.draw, c, answers[c.key])
    before, after = fit_score(criteria, answers), fit_score(criteria, raised)
    assert after.fit_score >= before.fit_score
    assert after.coverage >= before.coverage


@FAST
@given(profiles_with_answers(), st.data())
def test_property_order_of_criteria_does_not_matter(data, draw_data):
    criteria, answers = data
    shuffled = draw_data.draw(st.permutations(criteria))
    a, b = fit_score(criteria, answers), fit_score(shuffled, answers)
    assert (a.fit_score, a.band, a.coverage, a.touch_model) == (
        b.fit_score, b.band, b.coverage, b.touch_model)
    assert set(a.knockout_failed) == set(b.knockout_failed)
    assert dict(a.criteria) == dict(b.criteria)


@FAST
@given(profiles_with_answers())
def test_property_validated_answers_score_like_raw(data):
    criteria, answers = data
    cleaned, errors = validate_answers(criteria, {k: str(v) if isinstance(v, (int, D))
                                                  and not isinstance(v, bool) else v
                                                  for k, v in answers.items()})
    assert errors == {}
    assert fit_score(criteria, cleaned) == fit_score(criteria, answers)
    assert compare_answers(criteria, cleaned, answers) == []
