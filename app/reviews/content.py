"""What a review shows, built live from the data for one side (vendor or partner).

Everything is JSON-able with decimals as exact strings: the same dict renders the page, answers
the API and, at the second signature, is frozen into the snapshot (one view per side).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from app.accounts.models import VENDOR_OWNER, Account, Insight
from app.accounts.policies import overlap_count, setting_for
from app.audit.models import AuditEvent
from app.auth.models import Membership, User
from app.core.db import utcnow
from app.core.registry import REVIEW_SECTIONS
from app.core.serialize import jsonable
from app.core.together import read_together
from app.extensions import db
from app.health.models import Agreement, Measurement, MetricDefinition
from app.health.periods import Period, parse_period
from app.health.scoring import health, terms_of
from app.ipp.models import IppAssessment
from app.ipp.services import shares_vendor_assessment
from app.partners.models import Partner
from app.reviews import rules
from app.reviews.models import ActionItem, Review
from app.sharing.models import PARTNER_TO_VENDOR, VENDOR_TO_PARTNER
from app.tiers.models import QuarterClose
from app.tiers.rules import effective_margin, effective_tier

TREND_QUARTERS = 4


def _text(value) -> str | None:
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def _quarters(q: Period) -> list[str]:
    out = [q]
    for _ in range(TREND_QUARTERS - 1):
        out.insert(0, out[0].previous())
    return [str(p) for p in out]


def side_values(partner_id, period: str, agreement_ids: list | None = None) -> dict[str, dict[str, Decimal]]:
    """Each side's latest recorded value per metric for the quarter, read from the audit trail.

    A measurement row holds only the latest entry (DESIGN section 5); the hash-chained audit events
    of `measurement.record` keep every entry with its side, so both values survive for the review.
    `agreement_ids` are the quarter's agreements (any status) when the caller has read them.
    """
    if agreement_ids is None:
        agreement_ids = list(db.session.scalars(
            select(Agreement.id).where(Agreement.partner_id == partner_id, Agreement.period == period)))
    agreement_ids = [str(i) for i in agreement_ids]
    values: dict[str, dict[str, Decimal]] = {"vendor": {}, "partner": {}}
    if not agreement_ids:
        return values
    for after in db.session.scalars(select(AuditEvent.after).where(
            AuditEvent.action == "measurement.record", AuditEvent.object_type == "agreement",
            AuditEvent.object_id.in_(agreement_ids)).order_by(AuditEvent.seq)):
        for key, entry in (after or {}).items():
            if isinstance(entry, dict) and entry.get("side") in values and entry.get("value") is not None:
                values[entry["side"]][key] = Decimal(str(entry["value"]))
    return values


def _health(partner: Partner, q: Period, review: Review | None, read: "_Read") -> tuple[dict, dict]:
    periods = _quarters(q)
    agreements = {a.period: a for a in read.agreements}
    rows: dict[str, dict] = {}
    for m in read.measurements:
        rows.setdefault(m.period, {})[m.metric_key] = m
    names = {m.key: (m.name, m.unit) for m in read.metrics}
    trend_health = []
    for p in periods:
        a = agreements.get(p)
        if a is None:
            trend_health.append([p, None])
            continue
        result = health(terms_of(a.terms), {k: Decimal(m.value) for k, m in rows.get(p, {}).items()})
        trend_health.append([p, _text(result.score)])
    current = agreements.get(str(q))
    keys = [t["key"] for t in current.terms] if current else []
    trend = {"periods": periods, "health": trend_health,
             "metrics": {k: [[p, _text(rows.get(p, {}).get(k).value) if k in rows.get(p, {}) else None]
                             for p in periods] for k in keys}}
    if current is None:
        return {"agreement": False, "score": None, "color": None, "metrics": []}, trend
    measured = rows.get(str(q), {})
    result = health(terms_of(current.terms), {k: Decimal(m.value) for k, m in measured.items()})
    by_side = side_values(partner.id, str(q), [r.agreement_id for r in read.quarter_agreements])
    settled = (review.settlements or {}) if review is not None else {}
    metrics = []
    for term, line in zip(current.terms, result.metrics):
        m = measured.get(term["key"])
        vendor_value, partner_value = by_side["vendor"].get(term["key"]), by_side["partner"].get(term["key"])
        name, unit = names.get(term["key"], (term["key"], ""))
        metrics.append({
            "key": term["key"], "name": name, "unit": unit, "direction": term["direction"],
            "target": _text(term["target"]), "floor": _text(term["floor"]), "weight": _text(term["weight"]),
            "value": _text(line.value), "attainment": _text(line.attainment), "missing": line.missing,
            "measured_by": m.side if m else None, "source": m.source if m else None,
            "disputed": rules.disputed(term, vendor_value, partner_value),
            "tolerance": _text(rules.tolerance(term)),
            "vendor_value": _text(vendor_value), "partner_value": _text(partner_value),
            "settled": settled.get(term["key"])})
    return {"agreement": True, "score": _text(result.score), "color": result.color, "metrics": metrics}, trend


def _tier(q: Period, closes: list) -> dict:
    """`closes`: the partner's last TREND_QUARTERS closes up to q, newest first (see _read)."""
    this = next((c for c in closes if c.period == str(q)), None)
    close = None
    if this is not None:
        close = {"period": this.period, "applies_to": this.applies_to, "health_score": _text(this.health_score),
                 "qualified_tier": this.qualified_tier, "assigned_tier": this.assigned_tier,
                 "status": this.status, "margin_pct": _text(this.margin_pct),
                 "override_tier": this.override_tier, "override_margin_pct": _text(this.override_margin_pct),
                 "override_reason": this.override_reason, "effective_tier": effective_tier(this.override_tier, this.assigned_tier),
                 "effective_margin_pct": _text(effective_margin(this.override_margin_pct, this.margin_pct))}
    return {"close": close, "margins": [[c.applies_to, _text(effective_margin(c.override_margin_pct, c.margin_pct))]
                                for c in reversed(closes)]}


def _shared_accounts(partner: Partner, side: str, q: Period) -> dict:
    """Renewals won and lost and open opportunities on accounts both sides hold (same domain).

    Counted and named from the insights this side may read: its own side's, and the other side's
    when the other side shares renewal/opportunity insights (DESIGN section 4). Each side names an
    account by its own copy, so no name crosses the sharing levels.
    """
    own_key = VENDOR_OWNER if side == "vendor" else str(partner.id)
    other_key = str(partner.id) if side == "vendor" else VENDOR_OWNER
    incoming = setting_for(partner.id, PARTNER_TO_VENDOR if side == "vendor" else VENDOR_TO_PARTNER)
    other_side = "partner" if side == "vendor" else "vendor"
    visible_kinds = set(incoming.insight_kinds)
    start, end = q.start_date(), q.end_date()
    # Driven from the insights (few) rather than the shared domains (thousands for a large partner):
    # an insight counts when its account's domain is held by both sides; it is named by this side's copy.
    held, own, other = aliased(Account), aliased(Account), aliased(Account)
    rows = db.session.execute(
        select(own.domain, own.name, Insight.kind, Insight.data, Insight.author_side, Insight.occurred_on)
        .join(held, and_(held.tenant_id == Insight.tenant_id, held.id == Insight.account_id))
        .join(own, and_(own.tenant_id == held.tenant_id, own.owner_key == own_key, own.domain == held.domain))
        .where(held.owner_key.in_([own_key, other_key]), held.domain.is_not(None),
               exists().where(other.tenant_id == held.tenant_id, other.owner_key == other_key,
                              other.domain == held.domain),
               Insight.kind.in_(("renewal", "opportunity")),
               (Insight.author_partner_id.is_(None) | (Insight.author_partner_id == partner.id)))
        .order_by(own.domain, Insight.occurred_on, Insight.id)).all()
    won, lost, broken, opportunities = 0, 0, [], 0
    for domain, own_name, kind, data, author_side, occurred in rows:
        if author_side == other_side and kind not in visible_kinds:
            continue
        data = data or {}
        if kind == "renewal" and occurred is not None and start <= occurred <= end:
            if data.get("status") == "renewed":
                won += 1
            elif data.get("status") in ("missed", "churned"):
                lost += 1
                broken.append({"account": own_name or domain, "status": data.get("status"),
                               "due_date": occurred.isoformat()})
        elif kind == "opportunity" and data.get("stage") not in ("won", "lost"):
            opportunities += 1
    return {"renewals_won": won, "renewals_lost": lost, "broken_links": broken, "open_opportunities": opportunities}


def _ipp(partner: Partner, side: str, assessments: list) -> dict:
    """`assessments`: the partner's current assessments, (kind, fit_score) rows (see _read)."""
    current = {a.kind: a for a in assessments}
    vendor, own = current.get("vendor"), current.get("self")
    hidden = side == "partner" and not shares_vendor_assessment(partner)
    return {"vendor_score": None if hidden or vendor is None else _text(vendor.fit_score),
            "vendor_hidden": hidden,
            "self_score": _text(own.fit_score) if own is not None else None}


def people_names(ids) -> dict:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return {mid: (name or email) for mid, name, email in db.session.execute(
        select(Membership.id, User.name, User.email).join(User, User.id == Membership.user_id)
        .where(Membership.id.in_(ids))).all()}


def items_of(review: Review) -> list[ActionItem]:
    return list(db.session.scalars(select(ActionItem).where(ActionItem.review_id == review.id)
                                   .order_by(ActionItem.due_date, ActionItem.created_at, ActionItem.id)))


def item_json(item: ActionItem, names: dict, today: date) -> dict:
    return {"id": str(item.id), "title": item.title, "owner_side": item.owner_side, "owner_id": str(item.owner_id),
            "owner": names.get(item.owner_id, ""), "due_date": item.due_date.isoformat(), "status": item.status,
            "metric_key": item.metric_key, "carried": item.carried_from_id is not None, "version": item.version,
            "overdue": rules.item_overdue(item.status, item.due_date, today)}


def previous_review(review: Review) -> Review | None:
    return db.session.scalar(select(Review).where(Review.partner_id == review.partner_id,
                                                  Review.period < review.period)
                             .order_by(Review.period.desc()).limit(1))


class _Read(NamedTuple):
    agreements: list  # accepted agreements of the trend's quarters: period, terms
    quarter_agreements: list  # the review quarter's agreements of any status: agreement_id
    measurements: list  # period, metric_key, value, side, source
    metrics: list  # key, name, unit
    previous: list  # the previous review's snapshot (at most one row)
    closes: list  # the last TREND_QUARTERS quarter closes up to the quarter, newest first
    assessments: list  # current assessments: kind, fit_score
    items: list  # the review's action items with their owner's name and e-mail


def _read(review: Review, partner: Partner, q: Period) -> _Read:
    """What build_view reads of the partnership, in one statement (app.core.together)."""
    periods = _quarters(q)
    return _Read(*read_together(
        select(Agreement.period, Agreement.terms).where(
            Agreement.partner_id == partner.id, Agreement.status == "accepted", Agreement.period.in_(periods)),
        select(Agreement.id.label("agreement_id")).where(Agreement.partner_id == partner.id,
                                                         Agreement.period == str(q)),
        select(Measurement.period, Measurement.metric_key, Measurement.value, Measurement.side, Measurement.source)
        .where(Measurement.partner_id == partner.id, Measurement.period.in_(periods)),
        select(MetricDefinition.key, MetricDefinition.name, MetricDefinition.unit),
        select(Review.snapshot).where(Review.partner_id == review.partner_id, Review.period < review.period)
        .order_by(Review.period.desc()).limit(1),
        select(QuarterClose.period, QuarterClose.applies_to, QuarterClose.health_score, QuarterClose.qualified_tier,
               QuarterClose.assigned_tier, QuarterClose.status, QuarterClose.margin_pct, QuarterClose.override_tier,
               QuarterClose.override_margin_pct, QuarterClose.override_reason)
        .where(QuarterClose.partner_id == partner.id, QuarterClose.period <= str(q))
        .order_by(QuarterClose.period.desc()).limit(TREND_QUARTERS),
        select(IppAssessment.kind, IppAssessment.fit_score).where(
            IppAssessment.partner_id == partner.id, IppAssessment.kind.in_(("vendor", "self")),
            IppAssessment.is_current.is_(True)),
        select(ActionItem.id, ActionItem.title, ActionItem.owner_side, ActionItem.owner_id, ActionItem.due_date,
               ActionItem.status, ActionItem.metric_key, ActionItem.carried_from_id, ActionItem.version,
               User.name.label("owner_name"), User.email.label("owner_email"))
        .outerjoin(Membership, and_(Membership.tenant_id == ActionItem.tenant_id, Membership.id == ActionItem.owner_id))
        .outerjoin(User, User.id == Membership.user_id)
        .where(ActionItem.review_id == review.id)
        .order_by(ActionItem.due_date, ActionItem.created_at, ActionItem.id)))


def _previous_view(read: _Read, side: str) -> dict | None:
    """The previous review's frozen view for this side (changes are measured against what was signed)."""
    import json

    if not read.previous or read.previous[0].snapshot is None:
        return None
    return json.loads(read.previous[0].snapshot)["views"][side]


def build_view(review: Review, partner: Partner, side: str) -> dict:
    q = parse_period(review.period)
    read = _read(review, partner, q)
    health_part, trend = _health(partner, q, review, read)
    prev = _previous_view(read, side)
    count = overlap_count(partner.id)
    prev_count = prev["overlap"]["count"] if prev else None
    ipp = _ipp(partner, side, read.assessments)
    prev_ipp = prev["ipp"] if prev else {}
    items = read.items
    names = {i.owner_id: (i.owner_name or i.owner_email) for i in items if i.owner_email is not None}
    today = utcnow().date()
    sections = []
    for section in REVIEW_SECTIONS:
        data = section.build(partner, review.period, side)
        if data is not None:
            sections.append({"name": section.name, "title": section.title, "template": section.template,
                             "data": jsonable(data)})
    return {
        "side": side,
        "partner": {"id": str(partner.id), "name": partner.name, "tier": partner.tier},
        "health": health_part, "trend": trend, "tier": _tier(q, read.closes),
        "overlap": {"count": count, "previous_count": prev_count,
                    "change": None if prev_count is None else count - prev_count,
                    **_shared_accounts(partner, side, q)},
        "ipp": {**ipp, "previous_vendor_score": prev_ipp.get("vendor_score"),
                "previous_self_score": prev_ipp.get("self_score")},
        "agenda": review.agenda, "notes": {"vendor": review.vendor_notes, "partner": review.partner_notes},
        "action_items": [item_json(i, names, today) for i in items],
        "sections": sections,
    }
