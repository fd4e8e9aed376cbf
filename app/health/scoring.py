"""Joint health metrics: agreement validation, attainment and the health score (DESIGN section 5).

Arithmetic is exact (Fraction internally) so half-up rounding of the score never depends on
how a quotient happened to be truncated; results are Decimals.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from app.core.numbers import parse_number, round_half_up

DIRECTIONS = ("higher", "lower")
MAX_METRICS = 50
KEY_MAX_LENGTH = 64
GREEN_FROM = Decimal("75")
YELLOW_FROM = Decimal("50")

_KEY_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
_ZERO = Fraction(0)
_ONE = Fraction(1)


@dataclass(frozen=True)
class MetricTerm:
    """One agreed metric: attainment is 0 at `floor` and 1 at `target`."""

    key: str
    direction: str  # 'higher' or 'lower' is better
    target: Decimal
    floor: Decimal
    weight: Decimal



def terms_of(agreement_terms: list[dict]) -> list[MetricTerm]:
    """Stored agreement terms (exact strings) as pure values."""
    return [MetricTerm(t["key"], t["direction"], Decimal(t["target"]), Decimal(t["floor"]), Decimal(t["weight"]))
            for t in agreement_terms]


class MetricHealth(NamedTuple):
    """One metric's line in a health result."""

    key: str
    value: Decimal | None
    attainment: Decimal  # 0..1, rounded half-up to 4 places for display
    missing: bool


@dataclass(frozen=True)
class HealthResult:
    """Health score (0..100, one place, half-up), its colour and the per-metric lines."""

    score: Decimal
    color: str
    metrics: list[MetricHealth]


def color_for(score: Decimal) -> str:
    """Colour band of a (rounded) health score."""
    if score >= GREEN_FROM:
        return "green"
    if score >= YELLOW_FROM:
        return "yellow"
    return "red"


def validate_metrics(raw: object) -> tuple[list[MetricTerm], dict[str, str]]:
    """Validate an agreement's metrics; errors are keyed 'metrics' or 'metrics.<0-based index>.<field>'.

    Terms are returned only when there are no errors (otherwise the list is empty).
    """
    if not isinstance(raw, (list, tuple)):
        return [], {"metrics": "must be a list of metrics"}
    if not raw:
        return [], {"metrics": "at least one metric is required"}
    if len(raw) > MAX_METRICS:
        return [], {"metrics": f"at most {MAX_METRICS} metrics are allowed"}

    errors: dict[str, str] = {}
    terms: list[MetricTerm] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw):
        prefix = f"metrics.{i}"
        if not isinstance(item, Mapping):
            errors[prefix] = "must be an object with key, direction, target, floor and weight"
            continue
        before = len(errors)

        key = item.get("key")
        if isinstance(key, str):
            key = key.strip()
        if key is None or key == "":
            errors[f"{prefix}.key"] = "is required"
        elif not isinstance(key, str):
            errors[f"{prefix}.key"] = "must be text"
        elif len(key) > KEY_MAX_LENGTH:
            errors[f"{prefix}.key"] = f"must be at most {KEY_MAX_LENGTH} characters"
        elif not _KEY_RE.fullmatch(key):
            errors[f"{prefix}.key"] = (
                "must use lower-case letters, digits, '_' or '-' and start with a letter or digit"
            )
        elif key in seen:
            errors[f"{prefix}.key"] = f"duplicate key {key!r}: metric {seen[key]} already uses it"
        else:
            seen[key] = i

        direction = item.get("direction")
        if isinstance(direction, str):
            direction = direction.strip()
        if direction is None or direction == "":
            errors[f"{prefix}.direction"] = "is required"
        elif direction not in DIRECTIONS:
            errors[f"{prefix}.direction"] = "must be 'higher' or 'lower' (which way is better)"

        numbers: dict[str, Decimal] = {}
        for field in ("target", "floor", "weight"):
            try:
                numbers[field] = parse_number(item.get(field))
            except ValueError as exc:
                errors[f"{prefix}.{field}"] = str(exc)

        weight = numbers.get("weight")
        if weight is not None and weight <= 0:
            errors[f"{prefix}.weight"] = (
                "must be greater than 0; remove the metric instead of weighting it 0"
                if weight == 0
                else "must be greater than 0; weights cannot be negative"
            )

        target, floor = numbers.get("target"), numbers.get("floor")
        if target is not None and floor is not None:
            if target == floor:
                errors[f"{prefix}.target"] = (
                    "must differ from the floor (the floor is where attainment is 0)"
                )
            elif direction == "higher" and target < floor:
                errors[f"{prefix}.target"] = "must be above the floor when higher is better"
            elif direction == "lower" and target > floor:
                errors[f"{prefix}.target"] = "must be below the floor when lower is better"

        if len(errors) == before:
            terms.append(MetricTerm(key, direction, target, floor, weight))

    if errors:
        return [], errors
    return terms, {}


def _attainment(term: MetricTerm, value: Decimal | None) -> Fraction:
    """Exact attainment in [0, 1]; a missing value attains 0."""
    if value is None:
        return _ZERO
    if term.target == term.floor:
        raise ValueError(f"metric {term.key!r} has target equal to floor")
    ratio = (Fraction(value) - Fraction(term.floor)) / (Fraction(term.target) - Fraction(term.floor))
    return min(max(ratio, _ZERO), _ONE)


def _as_value(raw: object) -> Decimal | None:
    """A stored measurement as a finite Decimal, or None when absent."""
    if raw is None:
        return None
    try:
        return parse_number(raw)
    except ValueError as exc:
        raise ValueError(f"measurement {raw!r} {exc}") from None


def attainment(term: MetricTerm, value: Decimal) -> Decimal:
    """clamp((value - floor) / (target - floor), 0, 1); the same formula serves both directions."""
    exact = _attainment(term, _as_value(value))
    return Decimal(exact.numerator) / Decimal(exact.denominator)


def health(terms: Sequence[MetricTerm], values: Mapping[str, Decimal | None]) -> HealthResult:
    """Weighted health score over the agreed terms; absent or None values count 0 and are flagged."""
    if not terms:
        raise ValueError("an agreement needs at least one metric to score")
    total_weight = sum((Fraction(t.weight) for t in terms), _ZERO)
    if total_weight <= 0:
        raise ValueError("metric weights must add up to more than 0")
    weighted = _ZERO
    lines: list[MetricHealth] = []
    for term in terms:
        value = _as_value(values.get(term.key))
        exact = _attainment(term, value)
        weighted += Fraction(term.weight) * exact
        lines.append(MetricHealth(term.key, value, round_half_up(exact, 4), value is None))
    score = round_half_up(100 * weighted / total_weight, 1)
    return HealthResult(score=score, color=color_for(score), metrics=lines)


def biggest_lever(
    terms: Sequence[MetricTerm], values: Mapping[str, Decimal | None]
) -> str | None:
    """Key with the largest weight * (1 - attainment), ties to the smallest key; None if all are met."""
    best: tuple[Fraction, str] | None = None
    for term in terms:
        gap = Fraction(term.weight) * (_ONE - _attainment(term, _as_value(values.get(term.key))))
        if gap <= 0:
            continue
        if best is None or gap > best[0] or (gap == best[0] and term.key < best[1]):
            best = (gap, term.key)
    return best[1] if best else None
