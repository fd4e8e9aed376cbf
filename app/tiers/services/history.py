"""Reading a partner's closes: one quarter, the latest, the margin history, and the what-if view."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.health.models import Agreement, Measurement
from app.health.scoring import terms_of
from app.partners.models import Partner
from app.tiers import whatif
from app.tiers.models import QuarterClose
from app.tiers.services.programme import load_tiers


def get_close(partner: Partner, period: str) -> QuarterClose | None:
    return db.session.scalar(select(QuarterClose).where(QuarterClose.partner_id == partner.id,
                                                        QuarterClose.period == period))


def latest_close(partner_id: uuid.UUID) -> QuarterClose | None:
    return db.session.scalar(select(QuarterClose).where(QuarterClose.partner_id == partner_id)
                             .order_by(QuarterClose.period.desc()).limit(1))


def margin_history(partner_id: uuid.UUID) -> list[QuarterClose]:
    """Every close of the partner, newest first."""
    return list(db.session.scalars(select(QuarterClose).where(QuarterClose.partner_id == partner_id)
                                   .order_by(QuarterClose.period.desc())))


@dataclass
class WhatIfView:
    """A what-if on the agreement in force: the recorded numbers and what changed ones would give."""

    agreement: Agreement
    recorded: dict[str, Decimal]
    current_tier: str | None
    previous_status: str | None
    result: whatif.WhatIf
    baseline: whatif.WhatIf


def what_if_for(partner: Partner, values: dict, targets: dict) -> WhatIfView | None:
    """What-if from the latest accepted agreement and its measurements; saves nothing."""
    agreement = db.session.scalar(select(Agreement).where(Agreement.partner_id == partner.id,
                                                          Agreement.status == "accepted")
                                  .order_by(Agreement.period.desc()).limit(1))
    tiers = load_tiers()
    if agreement is None or not tiers:
        return None
    recorded = {m.metric_key: Decimal(m.value) for m in db.session.scalars(
        select(Measurement).where(Measurement.partner_id == partner.id, Measurement.period == agreement.period))}
    # The tier the partner holds during the agreement's quarter, and how the quarter before closed.
    existing = get_close(partner, agreement.period)
    if existing is not None:
        current, previous = existing.tier_before, existing.previous_status
    else:
        before = db.session.scalar(select(QuarterClose).where(QuarterClose.partner_id == partner.id,
                                                              QuarterClose.period < agreement.period)
                                   .order_by(QuarterClose.period.desc()).limit(1))
        current = before.effective_tier if before else partner.tier
        previous = before.status if before else None
    terms = terms_of(agreement.terms)
    baseline = whatif.what_if(terms, recorded, tiers, current, previous)
    result = whatif.what_if(terms, recorded, tiers, current, previous, values, targets)
    return WhatIfView(agreement, recorded, current, previous, result, baseline)
