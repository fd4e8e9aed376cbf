"""The integer close used by bulk quarter close equals the reference rules.close_quarter."""
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from app.tiers import fastclose, rules


@st.composite
def programmes(draw):
    n = draw(st.integers(1, 5))
    mins = sorted(draw(st.sets(st.decimals(min_value=D("0.1"), max_value=100, places=1), min_size=n - 1,
                               max_size=n - 1)))
    tiers = []
    for i, m in enumerate([D(0)] + mins):
        base = draw(st.decimals(min_value=0, max_value=50, places=2))
        bonus = draw(st.decimals(min_value=0, max_value=50, places=3))
        tiers.append(rules.Tier(f"T{i}", m, base, bonus))
    return tiers


@given(programmes(), st.decimals(min_value=0, max_value=100, places=1),
       st.none() | st.sampled_from(["T0", "T1", "T2", "t3", "Gone"]),
       st.none() | st.sampled_from(rules.STATUSES))
@settings(max_examples=400)
def test_fast_close_equals_the_reference(tiers, h, current, previous):
    assert fastclose.close_quarter(tiers, h, current, previous) == rules.close_quarter(tiers, h, current, previous)


def test_worked_example():
    tiers = [rules.Tier("Registered", D(0), D(10), D(5)), rules.Tier("Silver", D(50), D(15), D(5)),
             rules.Tier("Gold", D(75), D(20), D(10))]
    assert fastclose.close_quarter(tiers, D("60.0"), None, None) == rules.CloseOutcome(
        "Silver", "Silver", "promoted", D("17.00"))
    assert fastclose.close_quarter(tiers, D("40.0"), "Silver", "kept").status == "at_risk"
    assert fastclose.close_quarter(tiers, D("40.0"), "Silver", "at_risk").assigned_tier == "Registered"
