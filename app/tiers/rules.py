"""Tier programme validation, quarter close and dynamic margin (DESIGN section 6)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from app.core.numbers import parse_number, round_half_up

STATUSES = ("promoted", "kept", "at_risk", "demoted")
MAX_TIERS = 20
NAME_MAX_LENGTH = 64
SCORE_MAX = Decimal("100")
MARGIN_MAX = Decimal("100")


def effective_tier(override_tier: str | None, assigned_tier: str) -> str:
    """The tier that applies: a manager's override, else the close's assigned tier."""
    return override_tier or assigned_tier


def effective_margin(override_margin_pct: Decimal | None, margin_pct: Decimal) -> Decimal:
    """The margin that applies: a manager's override, else the close's computed margin."""
    return override_margin_pct if override_margin_pct is not None else margin_pct


@dataclass(frozen=True)
class Tier:
    """One rung of the programme; the margin grows from base to base + bonus across its score band."""

    name: str
    min_score: Decimal
    base_margin_pct: Decimal
    bonus_margin_pct: Decimal


@dataclass(frozen=True)
class CloseOutcome:
    """Result of closing a quarter; tier and margin apply to the next quarter."""

    qualified_tier: str
    assigned_tier: str
    status: str  # one of STATUSES
    margin_pct: Decimal  # two places, half-up


def validate_tiers(raw: object) -> tuple[list[Tier], dict[str, str]]:
    """Validate a tier programme; errors keyed 'tiers' or 'tiers.<0-based index>.<field>'.

    Tiers are returned only when there are no errors (otherwise the list is empty).
    """
    if not isinstance(raw, (list, tuple)):
        return [], {"tiers": "must be a list of tiers"}
    if not raw:
        return [], {"tiers": "at least one tier is required"}
    if len(raw) > MAX_TIERS:
        return [], {"tiers": f"at most {MAX_TIERS} tiers are allowed"}

    errors: dict[str, str] = {}
    tiers: list[Tier] = []
    seen: dict[str, int] = {}
    previous_min: Decimal | None = None
    for i, item in enumerate(raw):
        prefix = f"tiers.{i}"
        if not isinstance(item, Mapping):
            errors[prefix] = (
                "must be an object with name, min_score, base_margin_pct and bonus_margin_pct"
            )
            previous_min = None  # cannot check the next tier's order against an unknown minimum
            continue
        before = len(errors)

        name = item.get("name")
        if isinstance(name, str):
            name = name.strip()
        if name is None or name == "":
            errors[f"{prefix}.name"] = "is required"
        elif not isinstance(name, str):
            errors[f"{prefix}.name"] = "must be text"
        elif len(name) > NAME_MAX_LENGTH:
            errors[f"{prefix}.name"] = f"must be at most {NAME_MAX_LENGTH} characters"
        elif name.casefold() in seen:
            # Case-insensitive: 'Gold' and 'gold' side by side would confuse partners and overrides.
            errors[f"{prefix}.name"] = (
                f"duplicate name {name!r}: tier {seen[name.casefold()]} already uses it"
            )
        else:
            seen[name.casefold()] = i

        min_score: Decimal | None = None
        try:
            min_score = parse_number(item.get("min_score"))
        except ValueError as exc:
            errors[f"{prefix}.min_score"] = str(exc)
        if min_score is not None:
            message = None
            if i == 0 and min_score != 0:
                message = "must be 0 for the first tier, so every health score has a tier"
            elif min_score < 0 or min_score > SCORE_MAX:
                message = "must be between 0 and 100"
            elif previous_min is not None and min_score <= previous_min:
                message = f"must be above the previous tier's minimum ({previous_min})"
            if message:
                errors[f"{prefix}.min_score"] = message
        previous_min = min_score if f"{prefix}.min_score" not in errors else None

        margins: dict[str, Decimal] = {}
        for field in ("base_margin_pct", "bonus_margin_pct"):
            try:
                value = parse_number(item.get(field))
            except ValueError as exc:
                errors[f"{prefix}.{field}"] = str(exc)
                continue
            if value < 0:
                errors[f"{prefix}.{field}"] = "must be 0 or more"
            elif value > MARGIN_MAX:
                errors[f"{prefix}.{field}"] = "must be at most 100 (it is a percentage)"
            else:
                margins[field] = value
        if len(margins) == 2 and margins["base_margin_pct"] + margins["bonus_margin_pct"] > MARGIN_MAX:
            errors[f"{prefix}.bonus_margin_pct"] = "base plus bonus must be at most 100 (percent)"

        if len(errors) == before:
            tiers.append(
                Tier(name, min_score, margins["base_margin_pct"], margins["bonus_margin_pct"])
            )

    if errors:
        return [], errors
    return tiers, {}


def _health(h: object) -> Decimal:
    """H as section 5 rounds it (one place, half-up), checked to lie in 0..100."""
    try:
        value = parse_number(h)
    except ValueError as exc:
        raise ValueError(f"health score {exc}") from None
    rounded = round_half_up(value, 1)
    if rounded < 0 or rounded > SCORE_MAX:
        raise ValueError(f"health score must be between 0 and 100, got {h}")
    return rounded


def _require(tiers: Sequence[Tier]) -> None:
    if not tiers:
        raise ValueError("the tier programme has no tiers")


def _qualified_index(tiers: Sequence[Tier], h: Decimal) -> int:
    """Index of the highest tier whose min_score <= h (the first tier when none is)."""
    index = 0
    for i, tier in enumerate(tiers):
        if tier.min_score <= h:
            index = i
    return index


def _index_of(tiers: Sequence[Tier], name: str | None) -> int | None:
    """Position of a tier by exact name, else case-insensitively; None if absent."""
    if name is None:
        return None
    for i, tier in enumerate(tiers):
        if tier.name == name:
            return i
    folded = name.casefold()
    for i, tier in enumerate(tiers):
        if tier.name.casefold() == folded:
            return i
    return None


def _margin_at(tiers: Sequence[Tier], index: int, h: Decimal) -> Decimal:
    """base + bonus * clamp((h - min) / (upper - min), 0, 1), exact, then two places half-up."""
    tier = tiers[index]
    upper = tiers[index + 1].min_score if index + 1 < len(tiers) else SCORE_MAX
    low = Fraction(tier.min_score)
    if upper > tier.min_score:
        share = (Fraction(h) - low) / (Fraction(upper) - low)
        share = min(max(share, Fraction(0)), Fraction(1))
    else:
        # A top tier that starts at 100 has no band: full bonus at 100, none below.
        share = Fraction(1) if h >= tier.min_score else Fraction(0)
    return round_half_up(
        Fraction(tier.base_margin_pct) + Fraction(tier.bonus_margin_pct) * share, 2
    )


def qualified_tier(tiers: Sequence[Tier], h: Decimal) -> Tier:
    """The highest tier whose min_score <= H (H rounded to one place first)."""
    _require(tiers)
    return tiers[_qualified_index(tiers, _health(h))]


def margin_for(tiers: Sequence[Tier], tier_name: str, h: Decimal) -> Decimal:
    """Margin percentage of the named tier at health H (ValueError if the tier is unknown)."""
    _require(tiers)
    index = _index_of(tiers, tier_name)
    if index is None:
        raise ValueError(f"tier {tier_name!r} is not in the programme")
    return _margin_at(tiers, index, _health(h))


def transition(qualified: int, current: int, previous_status: str | None) -> tuple[str, int]:
    """DESIGN section 6's move between tiers (by index, 0 the lowest): (status, assigned tier index).

    Promoted when qualifying above the current tier; kept when equal; below it, one quarter of
    grace (at_risk, the tier kept), then demoted to the qualified tier.
    """
    if qualified > current:
        return "promoted", qualified
    if qualified == current:
        return "kept", current
    if previous_status == "at_risk":
        return "demoted", qualified
    return "at_risk", current


def close_quarter(
    tiers: Sequence[Tier],
    health_score: Decimal,
    current_tier: str | None,
    previous_status: str | None,
) -> CloseOutcome:
    """Close a quarter: qualify, promote at once, demote only after a quarter at risk; price the margin.

    current_tier is the tier the partner held during the closed quarter and previous_status the
    status the quarter before it closed with (None if none). A re-run of a close must pass those
    same inputs, not the outcome of the earlier run, so that closing is idempotent.

    A current_tier that is None or no longer in the programme (the programme was changed) is
    read as the lowest tier: the partner is never held in a tier that no longer exists, and
    because promotion is immediate they land straight on the tier they qualify for.
    """
    _require(tiers)
    if previous_status is not None and previous_status not in STATUSES:
        raise ValueError(f"previous status must be one of {', '.join(STATUSES)} or None")
    h = _health(health_score)
    qualified = _qualified_index(tiers, h)
    current = _index_of(tiers, current_tier)
    if current is None:
        current = 0

    # In at_risk, H is below the kept tier's minimum, so the margin's clamp pays base only.
    status, assigned = transition(qualified, current, previous_status)

    return CloseOutcome(
        qualified_tier=tiers[qualified].name,
        assigned_tier=tiers[assigned].name,
        status=status,
        margin_pct=_margin_at(tiers, assigned, h),
    )
