"""The pure rules: amounts, currencies, stages, business days, the protection clock and the
registration check as a table of cases."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.opportunities import rules
from app.opportunities.rules import CheckInput, check_registration

ME, OTHER, THIRD = "p-me", "p-other", "p-third"


@pytest.mark.parametrize("raw, want", [("12500", Decimal("12500.00")), (0, Decimal("0.00")), ("0.005", Decimal("0.00")),
                                       (Decimal("7.255"), Decimal("7.26")), (19.99, Decimal("19.99"))])
def test_amounts_are_decimals_to_the_cent(raw, want):
    assert rules.parse_amount(raw) == want


@pytest.mark.parametrize("raw", ["-1", -0.01, "NaN", "Infinity", "-Infinity", "1e14", "twelve", "", None, True, [],
                                 float("nan"), float("inf")])
def test_bad_amounts_are_refused(raw):
    with pytest.raises(ValueError):
        rules.parse_amount(raw)


def test_currencies_are_iso_4217():
    assert rules.parse_currency(" eur ") == "EUR"
    for bad in ("EURO", "XXX", "ABC", "", None, 978):
        with pytest.raises(ValueError):
            rules.parse_currency(bad)


def test_business_days_skip_weekends():
    friday = date(2026, 12, 4)
    assert rules.add_business_days(friday, 2) == date(2026, 12, 8)  # Monday, Tuesday
    assert rules.add_business_days(date(2026, 12, 1), 2) == date(2026, 12, 3)
    assert rules.add_business_days(date(2026, 12, 5), 1) == date(2026, 12, 7)  # Saturday -> Monday


def test_protection_expires_by_the_clock_alone():
    until = date(2027, 3, 4)
    assert rules.effective_status("approved", until, until) == "approved"
    assert rules.effective_status("approved", until, date(2027, 3, 5)) == "expired"
    assert rules.effective_status("won", until, date(2030, 1, 1)) == "won"
    assert rules.effective_status("pending", None, date(2030, 1, 1)) == "pending"
    assert rules.is_overdue("pending", date(2026, 12, 8), date(2026, 12, 9))
    assert not rules.is_overdue("pending", date(2026, 12, 8), date(2026, 12, 8))
    assert not rules.is_overdue("approved", date(2026, 12, 8), date(2027, 1, 1))


def test_settings_fall_back_to_defaults_and_keep_a_valid_custom_list():
    assert rules.opportunity_settings({}).sla_business_days == 2
    assert rules.opportunity_settings({}).protection_days == 90
    assert [s.key for s in rules.opportunity_settings(None).stages][:2] == ["identified", "qualified"]
    custom = {"opportunities": {"stages": [{"key": "lead", "outcome": "open"}, {"key": "signed", "outcome": "won"},
                                           {"key": "gone", "outcome": "lost"}], "sla_business_days": 5,
                                "protection_days": 30}}
    s = rules.opportunity_settings(custom)
    assert (s.open_keys, s.first_with("won").key, s.sla_business_days, s.protection_days) == (("lead",), "signed", 5, 30)
    broken = {"opportunities": {"stages": [{"key": "lead", "outcome": "open"}], "sla_business_days": True}}
    assert rules.opportunity_settings(broken).stages[0].key == "identified"  # no won/lost stage: defaults
    assert rules.opportunity_settings(broken).sla_business_days == 2


def test_the_extension_is_as_long_as_the_protection_unless_set():
    three = [{"key": "lead", "outcome": "open"}, {"key": "signed", "outcome": "won"}, {"key": "gone", "outcome": "lost"}]
    assert rules.opportunity_settings({}).extension_days == 90
    assert rules.opportunity_settings({"opportunities": {"protection_days": 30}}).extension_days == 30
    assert rules.opportunity_settings({"opportunities": {"protection_days": 30, "extension_days": 14}}).extension_days == 14
    clean, errors = rules.clean_settings({"stages": three, "sla_business_days": 3, "protection_days": 60})
    assert not errors and clean["extension_days"] == 60
    clean, errors = rules.clean_settings({"stages": three, "sla_business_days": 3, "protection_days": 60,
                                          "extension_days": 15})
    assert not errors and clean["extension_days"] == 15
    for bad in (0, 731, "30", True, 1.5):
        _, errors = rules.clean_settings({"stages": three, "sla_business_days": 3, "protection_days": 60,
                                          "extension_days": bad})
        assert set(errors) == {"extension_days"}, bad


def _codes(result):
    return result.outcome, [(r.code, r.with_side) for r in result.reasons]


CASES = [
    # (name, input, outcome, [(code, with)])
    ("partner-led segment, nobody else", CheckInput(ME, "smb", "partner_led"), "clear", []),
    ("co-sell segment", CheckInput(ME, "mid_market", "co_sell"), "clear", [("co_sell_segment", "vendor")]),
    ("vendor-led enterprise segment", CheckInput(ME, "enterprise", "vendor_led"), "conflict",
     [("vendor_led_segment", "vendor")]),
    ("unknown segment", CheckInput(ME, None, None), "clear", []),
    ("another partner claims it partner-led", CheckInput(ME, "smb", "partner_led", claiming_partner_ids=(OTHER,)),
     "conflict", [("channel_conflict", "partner")]),
    ("another partner registered it", CheckInput(ME, "smb", "partner_led", registered_partner_ids=(OTHER, THIRD)),
     "conflict", [("registered_by_other", "partner")]),
    ("the vendor works an open opportunity", CheckInput(ME, "smb", "partner_led", open_vendor_opportunities=2),
     "conflict", [("vendor_opportunity", "vendor")]),
    ("everything at once", CheckInput(ME, "enterprise", "vendor_led", claiming_partner_ids=(OTHER,),
                                      registered_partner_ids=(THIRD,), open_vendor_opportunities=1),
     "conflict", [("vendor_led_segment", "vendor"), ("channel_conflict", "partner"),
                  ("registered_by_other", "partner"), ("vendor_opportunity", "vendor")]),
    ("resolved in my favour beats a vendor-led segment and other claims",
     CheckInput(ME, "enterprise", "vendor_led", resolution="partner", resolution_partner_id=ME,
                claiming_partner_ids=(OTHER,), registered_partner_ids=(OTHER,), open_vendor_opportunities=1),
     "clear", [("resolved_for_you", "vendor")]),
    ("resolved for another partner", CheckInput(ME, "smb", "partner_led", resolution="partner",
                                                resolution_partner_id=OTHER, claiming_partner_ids=(OTHER,)),
     "conflict", [("resolved_for_other", "partner")]),
    ("resolved as vendor-led", CheckInput(ME, "smb", "partner_led", resolution="vendor_led"), "conflict",
     [("resolved_vendor_led", "vendor")]),
    ("resolved as co-sell clears ownership and the channel conflict",
     CheckInput(ME, "enterprise", "vendor_led", resolution="co_sell", claiming_partner_ids=(OTHER,)),
     "clear", [("resolved_co_sell", "vendor")]),
    ("co-sell resolution keeps another partner's registration a conflict",
     CheckInput(ME, "smb", "partner_led", resolution="co_sell", registered_partner_ids=(OTHER,)),
     "conflict", [("registered_by_other", "partner"), ("resolved_co_sell", "vendor")]),
]


@pytest.mark.parametrize("name, data, outcome, reasons", CASES, ids=[c[0] for c in CASES])
def test_registration_check(name, data, outcome, reasons):
    assert _codes(check_registration(data)) == (outcome, reasons)


def test_conflict_messages_name_another_partner_only():
    result = check_registration(CheckInput(ME, "smb", "partner_led", claiming_partner_ids=(OTHER,),
                                           registered_partner_ids=(THIRD,)))
    for reason in result.reasons:
        assert "another partner" in reason.message
        assert OTHER not in reason.message and THIRD not in reason.message
    assert result.reasons[1].partner_ids == (THIRD,)  # kept for vendor staff; views redact for partners
