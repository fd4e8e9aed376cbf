"""What-if and growth-and-ROI arithmetic for a partner (pure: no Flask, no database)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from app.core.numbers import parse_number, round_half_up
from app.health.scoring import HealthResult, MetricTerm, health
from app.tiers import rules


@dataclass(frozen=True)
class WhatIf:
    """Health, qualified tier and the close outcome that changed numbers would give."""

    health: HealthResult
    outcome: rules.CloseOutcome
    errors: dict[str, str]


def what_if(terms: Sequence[MetricTerm], values: Mapping[str, Decimal | None], tiers: Sequence[rules.Tier],
            current_tier: str | None, previous_status: str | None,
            new_values: Mapping[str, object] | None = None,
            new_targets: Mapping[str, object] | None = None) -> WhatIf:
    """Apply changed values and targets (text or numbers; blank keeps the recorded one) and score.

    Invalid entries are reported in `errors` (keyed 'value.<key>' / 'target.<key>') and ignored.
    """
    errors: dict[str, str] = {}
    changed_terms = []
    merged: dict[str, Decimal | None] = dict(values)
    for term in terms:
        raw_target = (new_targets or {}).get(term.key)
        if raw_target not in (None, ""):
            try:
                target = parse_number(raw_target)
                if target == term.floor:
                    raise ValueError("must differ from the floor")
                if (term.direction == "higher") != (target > term.floor):
                    raise ValueError(f"must be {'above' if term.direction == 'higher' else 'below'} the floor "
                                     f"({term.floor}) when {term.direction} is better")
                term = replace(term, target=target)
            except ValueError as exc:
                errors[f"target.{term.key}"] = str(exc)
        changed_terms.append(term)
        raw_value = (new_values or {}).get(term.key)
        if raw_value not in (None, ""):
            try:
                merged[term.key] = parse_number(raw_value)
            except ValueError as exc:
                errors[f"value.{term.key}"] = str(exc)
    result = health(changed_terms, merged)
    outcome = rules.close_quarter(tiers, result.score, current_tier, previous_status)
    return WhatIf(result, outcome, errors)


@dataclass(frozen=True)
class GrowthRow:
    tier: str
    min_score: Decimal
    margin_low: Decimal  # at the tier's minimum score
    margin_high: Decimal  # at the top of its band (base + bonus)
    product_revenue_low: Decimal
    product_revenue_high: Decimal
    services_revenue: Decimal
    total_high: Decimal
    current: bool


def growth_table(tiers: Sequence[rules.Tier], product_bookings: Decimal, services_revenue: Decimal,
                 current_tier: str | None) -> list[GrowthRow]:
    """What the partner would earn per quarter at each tier from its own numbers.

    Product revenue is the partner's margin on the product bookings it resells (bookings x margin);
    services revenue is what it bills for its own customer-success services, which is what moves
    the health score and so the tier. Money is rounded half-up to whole units.
    """
    rows = []
    for i, tier in enumerate(tiers):
        upper = tiers[i + 1].min_score if i + 1 < len(tiers) else Decimal(100)
        low = rules.margin_for(tiers, tier.name, tier.min_score)
        high = rules.margin_for(tiers, tier.name, upper if i + 1 == len(tiers) else upper - Decimal("0.1"))
        product_low = round_half_up(product_bookings * low / 100, 0)
        product_high = round_half_up(product_bookings * high / 100, 0)
        services = round_half_up(services_revenue, 0)
        rows.append(GrowthRow(tier.name, tier.min_score, low, high, product_low, product_high, services,
                              product_high + services, current_tier is not None and tier.name == current_tier))
    return rows
