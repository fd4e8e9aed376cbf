"""Overriding a closed quarter's outcome, with a written reason (audited)."""
from __future__ import annotations

from decimal import Decimal

from app.audit.services import record
from app.auth.models import Membership
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.core.numbers import parse_number
from app.core.registry import quarter_locked
from app.extensions import db
from app.health.periods import parse_period
from app.partners.models import Partner
from app.tiers.models import QuarterClose
from app.tiers.services.history import get_close, latest_close
from app.tiers.services.programme import load_tiers

OVERRIDE_REASON_MIN = 10


def _refuse_if_locked(partner_id, period: str) -> None:
    if quarter_locked(partner_id, period):
        raise ConflictError(f"{period} is locked: its joint review is signed.")


def override(partner: Partner, period_text: str, tier: object, margin: object, reason: object,
             by: Membership | None) -> QuarterClose:
    """Set another tier and/or margin for a closed quarter's outcome, with a written reason (audited)."""
    try:
        period = str(parse_period(period_text))
    except ValueError as exc:
        raise InvalidInput({"period": str(exc)}) from None
    tiers = load_tiers()
    errors: dict[str, str] = {}
    tier_name = tier.strip() if isinstance(tier, str) else tier
    if tier_name in (None, ""):
        tier_name = None
    elif not isinstance(tier_name, str) or tier_name not in {t.name for t in tiers}:
        errors["tier"] = "must be one of the programme's tiers: " + ", ".join(t.name for t in tiers)
    margin_value = None
    if margin not in (None, ""):
        try:
            margin_value = parse_number(margin)
            if not Decimal(0) <= margin_value <= Decimal(100):
                errors["margin_pct"] = "must be between 0 and 100"
            elif margin_value != margin_value.quantize(Decimal("0.01")):
                errors["margin_pct"] = "must have at most two decimals"
        except ValueError as exc:
            errors["margin_pct"] = str(exc)
    if tier_name is None and margin_value is None and not errors:
        errors["tier"] = "give a tier, a margin, or both"
    text = reason.strip() if isinstance(reason, str) else ""
    if len(text) < OVERRIDE_REASON_MIN:
        errors["reason"] = f"write the reason for the override (at least {OVERRIDE_REASON_MIN} characters)"
    elif len(text) > 2000:
        errors["reason"] = "must be at most 2000 characters"
    if errors:
        raise InvalidInput(errors)
    row = get_close(partner, period)
    if row is None:
        raise ConflictError(f"{period} is not closed for {partner.name}; close it before overriding.")
    latest = latest_close(partner.id)
    if latest.period != period:
        raise ConflictError(f"Only the latest closed quarter ({latest.period}) can be overridden.")
    _refuse_if_locked(partner.id, period)
    fields = ("override_tier", "override_margin_pct", "override_reason")
    before = {f: getattr(row, f) for f in fields}
    row.override_tier = tier_name
    row.override_margin_pct = margin_value.quantize(Decimal("0.01")) if margin_value is not None else None
    row.override_reason = text
    row.overridden_by_id = by.id if by is not None else None
    row.overridden_at = utcnow()
    if partner.tier != row.effective_tier:
        partner.tier = row.effective_tier
    db.session.flush()
    record("quarter.override", row, before=before, after={f: getattr(row, f) for f in fields},
           summary=f"{partner.name}: {period} outcome overridden to {row.effective_tier} at "
                   f"{row.effective_margin}% — {text[:120]}")
    return row
