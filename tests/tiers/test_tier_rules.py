"""Tier programme validation, quarter close and dynamic margin (DESIGN section 6)."""
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.tiers.rules import (
    STATUSES,
    CloseOutcome,
    Tier,
    close_quarter,
    margin_for,
    qualified_tier,
    validate_tiers,
)

PROGRAMME = [
    Tier("Registered", D("0"), D("10"), D("2")),
    Tier("Silver", D("50"), D("15"), D("3")),
    Tier("Gold", D("75"), D("20"), D("5")),
]


def raw_programme():
    return [
        {"name": "Registered", "min_score": "0", "base_margin_pct": "10", "bonus_margin_pct": "2"},
        {"name": "Silver", "min_score": 50, "base_margin_pct": "15", "bonus_margin_pct": 3},
        {"name": "Gold", "min_score": "75", "base_margin_pct": 20.0, "bonus_margin_pct": "5"},
    ]


def run(tiers, tier, scores, status=None):
    """Close consecutive quarters, feeding each outcome into the next; returns the outcomes."""
    outcomes = []
    for score in scores:
        outcome = close_quarter(tiers, D(score), tier, status)
        outcomes.append(outcome)
        tier, status = outcome.assigned_tier, outcome.status
    return outcomes


# --- validate_tiers -------------------------------------------------------------------------


def test_validate_accepts_a_programme():
    assert validate_tiers(raw_programme()) == (PROGRAMME, {})


def test_single_tier_programme():
    tiers, errors = validate_tiers([{"name": "Partner", "min_score": "0", "base_margin_pct": "12", "bonus_margin_pct": "0"}])
    assert errors == {} and tiers == [Tier("Partner", D("0"), D("12"), D("0"))]


@pytest.mark.parametrize("value", [[], ()])
def test_at_least_one_tier(value):
    assert validate_tiers(value) == ([], {"tiers": "at least one tier is required"})


@pytest.mark.parametrize("value", [None, {"name": "Gold"}, "Gold"])
def test_tiers_must_be_a_list(value):
    tiers, errors = validate_tiers(value)
    assert tiers == [] and set(errors) == {"tiers"}


def test_item_must_be_an_object():
    _, errors = validate_tiers([raw_programme()[0], "Gold"])
    assert set(errors) == {"tiers.1"}


def test_first_minimum_must_be_exactly_zero():
    programme = raw_programme()
    programme[0]["min_score"] = "0.1"
    _, errors = validate_tiers(programme)
    assert set(errors) == {"tiers.0.min_score"}
    assert "must be 0 for the first tier" in errors["tiers.0.min_score"]


def test_zero_in_any_spelling_is_zero():
    programme = raw_programme()
    programme[0]["min_score"] = "0.00"
    assert validate_tiers(programme)[1] == {}


@pytest.mark.parametrize("second, third, bad", [("75", "75", "tiers.2.min_score"), ("80", "75", "tiers.2.min_score"), ("0", "75", "tiers.1.min_score")])
def test_minimums_strictly_increase(second, third, bad):
    programme = raw_programme()
    programme[1]["min_score"], programme[2]["min_score"] = second, third
    _, errors = validate_tiers(programme)
    assert set(errors) == {bad} and "above the previous tier's minimum" in errors[bad]


@pytest.mark.parametrize("value, ok", [("100", True), ("100.0", True), ("100.1", False), ("-1", False)])
def test_minimum_at_most_100(value, ok):
    programme = raw_programme()
    programme[2]["min_score"] = value
    assert (validate_tiers(programme)[1] == {}) is ok


@pytest.mark.parametrize("name, message", [("", "is required"), ("   ", "is required"), (None, "is required"), (3, "must be text"), ("x" * 65, "at most 64")])
def test_names_are_required_text(name, message):
    programme = raw_programme()
    programme[1]["name"] = name
    _, errors = validate_tiers(programme)
    assert message in errors["tiers.1.name"]


@pytest.mark.parametrize("name", ["Registered", "registered", " Registered "])
def test_names_are_unique_ignoring_case(name):
    programme = raw_programme()
    programme[2]["name"] = name
    _, errors = validate_tiers(programme)
    assert set(errors) == {"tiers.2.name"} and "duplicate" in errors["tiers.2.name"]


def test_names_are_trimmed():
    programme = raw_programme()
    programme[2]["name"] = "  Gold  "
    assert validate_tiers(programme)[0][2].name == "Gold"


@pytest.mark.parametrize("field", ["base_margin_pct", "bonus_margin_pct", "min_score"])
@pytest.mark.parametrize(
    "value, message",
    [(None, "is required"), ("", "is required"), ("ten", "must be a number"), ("NaN", "finite"),
     ("inf", "finite"), (float("inf"), "finite"), (True, "not true or false")],
)
def test_numbers_must_be_finite_numbers(field, value, message):
    programme = raw_programme()
    programme[1][field] = value
    _, errors = validate_tiers(programme)
    assert message in errors[f"tiers.1.{field}"]


@pytest.mark.parametrize("field", ["base_margin_pct", "bonus_margin_pct"])
def test_margins_are_not_negative(field):
    programme = raw_programme()
    programme[1][field] = "-0.01"
    _, errors = validate_tiers(programme)
    assert errors == {f"tiers.1.{field}": "must be 0 or more"}


def test_zero_margins_are_allowed():
    programme = raw_programme()
    programme[0]["base_margin_pct"] = programme[0]["bonus_margin_pct"] = "0"
    assert validate_tiers(programme)[1] == {}


def test_margins_are_percentages():
    programme = raw_programme()
    programme[2]["base_margin_pct"], programme[2]["bonus_margin_pct"] = "90", "10.01"
    _, errors = validate_tiers(programme)
    assert set(errors) == {"tiers.2.bonus_margin_pct"}


def test_all_tier_errors_are_reported_at_once():
    _, errors = validate_tiers(
        [
            {"name": "", "min_score": "5", "base_margin_pct": "-1", "bonus_margin_pct": "x"},
            {"name": "Gold", "min_score": "101", "base_margin_pct": "1", "bonus_margin_pct": "1"},
        ]
    )
    assert set(errors) == {
        "tiers.0.name", "tiers.0.min_score", "tiers.0.base_margin_pct",
        "tiers.0.bonus_margin_pct", "tiers.1.min_score",
    }


# --- qualified tier and margin --------------------------------------------------------------


@pytest.mark.parametrize(
    "h, name",
    [("0", "Registered"), ("49.9", "Registered"), ("50", "Silver"), ("50.0", "Silver"),
     ("74.9", "Silver"), ("75", "Gold"), ("100", "Gold"), ("74.95", "Gold")],
)
def test_qualified_tier_at_every_boundary(h, name):
    assert qualified_tier(PROGRAMME, D(h)).name == name


@pytest.mark.parametrize(
    "tier, h, margin",
    [
        ("Registered", "0", "10.00"),
        ("Registered", "25", "11.00"),
        ("Registered", "49.9", "12.00"),  # 10 + 2 * 0.998 = 11.996 -> 12.00
        ("Silver", "50", "15.00"),
        ("Silver", "62.5", "16.50"),
        ("Silver", "74.9", "17.99"),  # 15 + 3 * 24.9/25 = 17.988 -> 17.99
        ("Gold", "75", "20.00"),
        ("Gold", "87.5", "22.50"),
        ("Gold", "100", "25.00"),
        ("Gold", "40", "20.00"),  # below the tier: clamp pays base only
        ("Registered", "90", "12.00"),  # above the tier: clamp pays the full bonus
    ],
)
def test_margin_for(tier, h, margin):
    assert str(margin_for(PROGRAMME, tier, D(h))) == margin


def test_margin_half_up_at_the_third_decimal():
    tiers = [Tier("Base", D("0"), D("5"), D("0")), Tier("Plus", D("50"), D("10"), D("3.25")), Tier("Top", D("70"), D("20"), D("0"))]
    # 10 + 3.25 * (60 - 50) / (70 - 50) = 11.625 -> 11.63 (banker's rounding would give 11.62)
    assert str(margin_for(tiers, "Plus", D("60"))) == "11.63"
    assert str(close_quarter(tiers, D("60"), "Plus", None).margin_pct) == "11.63"
    # 10 + 3.25 * 9.9 / 20 = 11.60875 -> 11.61
    assert str(margin_for(tiers, "Plus", D("59.9"))) == "11.61"


def test_margin_uses_the_health_score_rounded_to_one_place():
    # 62.45 rounds to 62.5 first: 15 + 3 * 12.5 / 25 = 16.50 (unrounded 62.45 would give 16.49)
    assert str(margin_for(PROGRAMME, "Silver", D("62.45"))) == "16.50"


def test_top_tier_starting_at_100():
    tiers = [Tier("Member", D("0"), D("5"), D("5")), Tier("Elite", D("100"), D("30"), D("10"))]
    assert margin_for(tiers, "Elite", D("100")) == D("40.00")
    assert margin_for(tiers, "Elite", D("99.9")) == D("30.00")
    assert margin_for(tiers, "Member", D("99.9")) == D("10.00")  # 5 + 5 * 0.999 = 9.995
    assert close_quarter(tiers, D("100"), "Member", None) == CloseOutcome("Elite", "Elite", "promoted", D("40.00"))


def test_margin_for_unknown_tier():
    with pytest.raises(ValueError, match="not in the programme"):
        margin_for(PROGRAMME, "Platinum", D("50"))


# --- close_quarter: single closes -----------------------------------------------------------


def test_new_partner_starts_lowest_and_is_promoted_straight_to_its_tier():
    # Promotion is immediate and may skip tiers.
    assert close_quarter(PROGRAMME, D("80"), None, None) == CloseOutcome("Gold", "Gold", "promoted", D("21.00"))


def test_kept_when_qualified_equals_current():
    assert close_quarter(PROGRAMME, D("60"), "Silver", None) == CloseOutcome("Silver", "Silver", "kept", D("16.20"))


def test_score_exactly_at_a_tier_minimum_qualifies():
    assert close_quarter(PROGRAMME, D("75.0"), "Silver", "kept") == CloseOutcome("Gold", "Gold", "promoted", D("20.00"))
    assert close_quarter(PROGRAMME, D("50.0"), "Silver", "at_risk") == CloseOutcome("Silver", "Silver", "kept", D("15.00"))


def test_score_of_100_and_0():
    assert close_quarter(PROGRAMME, D("100"), "Gold", "kept") == CloseOutcome("Gold", "Gold", "kept", D("25.00"))
    assert close_quarter(PROGRAMME, D("0"), "Registered", None) == CloseOutcome("Registered", "Registered", "kept", D("10.00"))
    assert close_quarter(PROGRAMME, D("0"), "Gold", None) == CloseOutcome("Registered", "Gold", "at_risk", D("20.00"))


def test_first_drop_is_at_risk_in_the_current_tier_with_base_margin_only():
    outcome = close_quarter(PROGRAMME, D("40"), "Silver", "kept")
    assert outcome == CloseOutcome("Registered", "Silver", "at_risk", D("15.00"))


@pytest.mark.parametrize("previous", [None, "promoted", "kept", "demoted"])
def test_only_a_previous_at_risk_leads_to_demotion(previous):
    assert close_quarter(PROGRAMME, D("40"), "Silver", previous).status == "at_risk"


def test_second_drop_demotes_to_the_qualified_tier_and_prices_it():
    # 10 + 2 * 40 / 50 = 11.60
    assert close_quarter(PROGRAMME, D("40"), "Silver", "at_risk") == CloseOutcome("Registered", "Registered", "demoted", D("11.60"))


def test_demotion_goes_to_the_qualified_tier_even_two_rungs_down():
    # DESIGN section 6: "demoted to the qualified tier" - one demotion per close, however far.
    assert close_quarter(PROGRAMME, D("10"), "Gold", "at_risk") == CloseOutcome("Registered", "Registered", "demoted", D("10.40"))


def test_unrounded_health_is_rounded_half_up_first():
    assert close_quarter(PROGRAMME, D("74.95"), "Silver", None).assigned_tier == "Gold"
    assert close_quarter(PROGRAMME, D("74.94"), "Silver", None).status == "kept"


def test_current_tier_missing_from_a_changed_programme_counts_as_the_lowest():
    assert close_quarter(PROGRAMME, D("60"), "Platinum", "kept") == CloseOutcome("Silver", "Silver", "promoted", D("16.20"))
    # No grace for a tier that no longer exists: the partner lands on what it qualifies for.
    assert close_quarter(PROGRAMME, D("10"), "Platinum", "at_risk") == CloseOutcome("Registered", "Registered", "kept", D("10.40"))


def test_current_tier_matches_ignoring_case():
    assert close_quarter(PROGRAMME, D("60"), "silver", None).status == "kept"


def test_margin_has_two_places():
    for h in ["0", "33.3", "50", "66.6", "99.9", "100"]:
        assert close_quarter(PROGRAMME, D(h), "Silver", None).margin_pct.as_tuple().exponent == -2


@pytest.mark.parametrize("h", ["-0.1", "100.1", "NaN", "Infinity", None, True])
def test_health_score_must_be_0_to_100(h):
    with pytest.raises(ValueError, match="health score"):
        close_quarter(PROGRAMME, D(h) if isinstance(h, str) else h, "Silver", None)


def test_previous_status_must_be_known():
    with pytest.raises(ValueError, match="previous status"):
        close_quarter(PROGRAMME, D("60"), "Silver", "probation")


def test_empty_programme_is_refused():
    with pytest.raises(ValueError):
        close_quarter([], D("60"), None, None)
    with pytest.raises(ValueError):
        qualified_tier([], D("60"))


# --- close_quarter: multi-quarter sequences -------------------------------------------------


def statuses(outcomes):
    return [(o.assigned_tier, o.status) for o in outcomes]


def test_sequence_promote_step_by_step():
    outcomes = run(PROGRAMME, "Registered", ["30", "55", "80", "90"])
    assert statuses(outcomes) == [
        ("Registered", "kept"), ("Silver", "promoted"), ("Gold", "promoted"), ("Gold", "kept"),
    ]
    assert [o.margin_pct for o in outcomes] == [D("11.20"), D("15.60"), D("21.00"), D("23.00")]


def test_sequence_at_risk_then_recover():
    outcomes = run(PROGRAMME, "Gold", ["70", "78", "70"])
    assert statuses(outcomes) == [("Gold", "at_risk"), ("Gold", "kept"), ("Gold", "at_risk")]
    assert [o.margin_pct for o in outcomes] == [D("20.00"), D("20.60"), D("20.00")]


def test_sequence_at_risk_twice_then_demote_then_fresh_grace():
    outcomes = run(PROGRAMME, "Gold", ["70", "70", "40", "40", "45"])
    assert statuses(outcomes) == [
        ("Gold", "at_risk"),
        ("Silver", "demoted"),
        ("Silver", "at_risk"),  # a demotion resets the grace quarter
        ("Registered", "demoted"),
        ("Registered", "kept"),
    ]
    assert [o.margin_pct for o in outcomes] == [D("20.00"), D("17.40"), D("15.00"), D("11.60"), D("11.80")]


def test_sequence_at_risk_then_promoted_past_current():
    outcomes = run(PROGRAMME, "Silver", ["45", "90", "60"])
    assert statuses(outcomes) == [("Silver", "at_risk"), ("Gold", "promoted"), ("Gold", "at_risk")]


def test_reclosing_a_quarter_with_the_same_inputs_gives_the_same_outcome():
    first = close_quarter(PROGRAMME, D("40"), "Silver", "at_risk")
    assert close_quarter(PROGRAMME, D("40"), "Silver", "at_risk") == first


# --- properties -----------------------------------------------------------------------------

margins = st.decimals(min_value=0, max_value=30, places=2)


@st.composite
def programmes(draw):
    n = draw(st.integers(1, 6))
    # Minimums in tenths, strictly increasing, the first 0; a top tier may start at 100.
    rest = draw(st.lists(st.integers(1, 1000), min_size=n - 1, max_size=n - 1, unique=True))
    minimums = [D(0)] + [D(k).scaleb(-1) for k in sorted(rest)]
    return [Tier(f"T{i}", m, draw(margins), draw(margins)) for i, m in enumerate(minimums)]


health_scores = st.integers(0, 1000).map(lambda k: D(k).scaleb(-1))
previous_statuses = st.sampled_from([None, *STATUSES])


@st.composite
def closes(draw):
    tiers = draw(programmes())
    current = draw(st.sampled_from([None, "Gone", *(t.name for t in tiers)]))
    return tiers, draw(health_scores), current, draw(previous_statuses)


def index(tiers, name):
    return [t.name for t in tiers].index(name)


@given(closes())
def test_margin_lies_within_the_assigned_tiers_band(args):
    tiers, h, current, previous = args
    outcome = close_quarter(tiers, h, current, previous)
    tier = tiers[index(tiers, outcome.assigned_tier)]
    assert tier.base_margin_pct <= outcome.margin_pct <= tier.base_margin_pct + tier.bonus_margin_pct
    assert outcome.margin_pct.as_tuple().exponent == -2
    assert outcome.margin_pct == margin_for(tiers, outcome.assigned_tier, h)


@given(closes())
def test_closing_twice_gives_the_same_outcome(args):
    assert close_quarter(*args) == close_quarter(*args)


@given(closes())
def test_at_most_one_demotion_per_close_and_never_below_qualified(args):
    tiers, h, current, previous = args
    outcome = close_quarter(tiers, h, current, previous)
    names = [t.name for t in tiers]
    cur = names.index(current) if current in names else 0
    assigned, qualified = index(tiers, outcome.assigned_tier), index(tiers, outcome.qualified_tier)
    assert qualified == max(i for i, t in enumerate(tiers) if t.min_score <= h)
    assert assigned >= qualified
    assert assigned in (cur, qualified)
    if assigned < cur:
        # The only way down: a second quarter below, straight to the qualified tier.
        assert previous == "at_risk" and outcome.status == "demoted" and assigned == qualified
    expected = {
        "promoted": assigned == qualified > cur,
        "kept": assigned == qualified == cur,
        "at_risk": assigned == cur > qualified and previous != "at_risk",
        "demoted": assigned == qualified < cur and previous == "at_risk",
    }
    assert expected[outcome.status]


@given(closes())
def test_at_risk_pays_the_base_margin_of_the_current_tier(args):
    tiers, h, current, previous = args
    outcome = close_quarter(tiers, h, current, previous)
    if outcome.status == "at_risk":
        assert outcome.margin_pct == tiers[index(tiers, outcome.assigned_tier)].base_margin_pct


@given(programmes(), st.lists(health_scores, min_size=1, max_size=8))
def test_sequences_never_demote_without_a_quarter_at_risk_first(tiers, scores):
    outcomes = run(tiers, None, scores)
    previous = None
    for outcome in outcomes:
        if outcome.status == "demoted":
            assert previous == "at_risk"
        previous = outcome.status


@given(programmes())
def test_validation_accepts_what_it_describes(tiers):
    as_form = [
        {"name": t.name, "min_score": str(t.min_score), "base_margin_pct": str(t.base_margin_pct), "bonus_margin_pct": str(t.bonus_margin_pct)}
        for t in tiers
    ]
    assert validate_tiers(as_form) == (tiers, {})
