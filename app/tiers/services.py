"""The tier programme, quarter close (one partner or all at once), overrides and margin history.

Closing is set-based, in batches of partners: per batch a handful of queries load the inputs,
the pure rules in `app.tiers.rules` decide, and Core executemany statements write the results and
their audit events. Batches keep memory (and Python's garbage-collector work) flat, so closing
20,000 partners costs about ten times closing 2,000.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace
from decimal import Decimal

from flask import g, has_request_context
from sqlalchemy import String, Text, bindparam, cast, func, select, update

from app.audit.models import AuditEvent
from app.audit.services import GENESIS, event_hash, record
from app.auth.models import Membership
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.core.registry import QUARTER_LOCKS
from app.core.serialize import jsonable
from app.extensions import db
from app.health.models import Agreement, Measurement
from app.health.periods import Period, parse_period
from app.health.fastscore import Scorer
from app.health.scoring import MetricTerm, parse_number
from app.partners.models import Partner
from app.tenancy import current_tenant_id
from app.tenants.models import Tenant
from app.tiers import fastclose, rules, whatif
from app.tiers.models import QuarterClose, TierProgram

DEFAULT_TIERS = [
    {"name": "Registered", "min_score": "0", "base_margin_pct": "10", "bonus_margin_pct": "5"},
    {"name": "Silver", "min_score": "50", "base_margin_pct": "15", "bonus_margin_pct": "5"},
    {"name": "Gold", "min_score": "75", "base_margin_pct": "20", "bonus_margin_pct": "10"},
]
OVERRIDE_REASON_MIN = 10


# --- the review lock ----------------------------------------------------------------------


def locked_partner_ids(period: str) -> set[uuid.UUID]:
    """Partners whose `period` is locked because its joint review is signed (DESIGN section 6).

    The one place the lock is asked; the package that signs reviews registers its answer with
    `app.core.registry.add_quarter_lock`.
    """
    locked: set[uuid.UUID] = set()
    for lock in QUARTER_LOCKS:
        locked |= set(lock(period))
    return locked


def quarter_locked(partner_id: uuid.UUID, period: str) -> bool:
    """Whether this partner's quarter is locked (its joint review is signed)."""
    return partner_id in locked_partner_ids(period)


def _refuse_if_locked(partner_id: uuid.UUID, period: str) -> None:
    if quarter_locked(partner_id, period):
        raise ConflictError(f"{period} is locked: its joint review is signed.")


# --- the programme --------------------------------------------------------------------------


def _tiers_json(tiers: list[rules.Tier]) -> list[dict]:
    return [{"name": t.name, "min_score": str(t.min_score), "base_margin_pct": str(t.base_margin_pct),
             "bonus_margin_pct": str(t.bonus_margin_pct)} for t in tiers]


def get_programme() -> TierProgram | None:
    return db.session.scalar(select(TierProgram))


def load_tiers(programme: TierProgram | None = None) -> list[rules.Tier]:
    """The current tenant's tiers as pure values (lowest first)."""
    programme = programme or get_programme()
    if programme is None:
        return []
    return [rules.Tier(t["name"], Decimal(t["min_score"]), Decimal(t["base_margin_pct"]),
                       Decimal(t["bonus_margin_pct"])) for t in programme.tiers]


def save_programme(raw: object, expected_version: int | None = None) -> TierProgram:
    """Replace the tier programme; 422 naming each problem, 409 on a stale version."""
    tiers, errors = rules.validate_tiers(raw)
    if errors:
        raise InvalidInput(errors)
    programme = get_programme()
    if programme is None:
        programme = TierProgram(id=uuid.uuid4(), tiers=_tiers_json(tiers))
        db.session.add(programme)
        db.session.flush()
        record("tier_program.create", programme, after={"tiers": programme.tiers},
               summary="Tier programme created")
        return programme
    if expected_version is not None and expected_version != programme.version:
        raise ConflictError("Someone else changed the tier programme first. Reload it and apply your change again.")
    before = list(programme.tiers)
    after = _tiers_json(tiers)
    if before != after:
        programme.tiers = after
        programme.updated_at = utcnow()
        db.session.flush()
        record("tier_program.update", programme, before={"tiers": before}, after={"tiers": after},
               summary="Tier programme changed: " + ", ".join(f"{t['name']} from {t['min_score']}" for t in after))
    return programme


def install_default_programme(tenant: Tenant) -> None:
    """Tenant initialiser: Registered / Silver / Gold."""
    del tenant
    if get_programme() is None:
        save_programme(DEFAULT_TIERS)


# --- closing ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Closed:
    """One partner's close: the outcome and whether this run changed anything."""

    partner_id: uuid.UUID
    period: str
    applies_to: str
    health_score: Decimal
    qualified_tier: str
    assigned_tier: str
    status: str
    margin_pct: Decimal
    override_tier: str | None = None
    override_margin_pct: Decimal | None = None
    override_reason: str | None = None
    changed: bool = True

    @property
    def tier(self) -> str:
        return self.override_tier or self.assigned_tier

    @property
    def margin(self) -> Decimal:
        return self.override_margin_pct if self.override_margin_pct is not None else self.margin_pct


@dataclass
class CloseReport:
    period: str
    closed: list[Closed] = field(default_factory=list)
    skipped: dict[uuid.UUID, str] = field(default_factory=dict)  # partner id -> why not


def terms_of(agreement_terms: list[dict]) -> list[MetricTerm]:
    """Stored agreement terms (exact strings) as pure values."""
    return [MetricTerm(t["key"], t["direction"], Decimal(t["target"]), Decimal(t["floor"]), Decimal(t["weight"]))
            for t in agreement_terms]


def _audit_actor() -> tuple[uuid.UUID | None, str]:
    actor = getattr(g, "actor", None) if has_request_context() else None
    if actor is not None:
        return actor.user.id, actor.user.email
    return None, "system"


def record_many(events: list[dict]) -> None:
    """Append many audit events to the tenant's chain in one executemany (same hashes as record()).

    Each dict holds action, object_type, object_id, summary, before, after.
    """
    if not events:
        return
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise RuntimeError("audit events need a tenant")
    db.session.execute(select(Tenant.id).where(Tenant.id == tenant_id).with_for_update())
    last = db.session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
    actor_id, actor_label = _audit_actor()
    now = utcnow().replace(microsecond=0)
    rows = []
    for e in events:
        seq += 1
        row = {"tenant_id": tenant_id, "id": uuid.uuid4(), "seq": seq, "created_at": now, "actor_id": actor_id,
               "actor": actor_label, "action": e["action"], "object_type": e["object_type"],
               "object_id": str(e["object_id"]), "summary": e.get("summary", "")[:300],
               "before": jsonable(e["before"]) if e.get("before") is not None else None,
               "after": jsonable(e["after"]) if e.get("after") is not None else None, "prev_hash": prev}
        # event_hash reads attributes only; a namespace spares building thousands of ORM objects.
        prev = row["hash"] = event_hash(SimpleNamespace(**row))
        rows.append(row)
    db.session.connection().execute(AuditEvent.__table__.insert(), rows)


_OUTCOME_FIELDS = ("health_score", "qualified_tier", "assigned_tier", "status", "margin_pct", "applies_to",
                   "agreement_id")


CLOSE_BATCH = 1_000  # partners loaded, decided and written together; memory stays flat however many there are


def close_quarter(period_text: str, partner_ids: list[uuid.UUID] | None = None,
                  by: Membership | None = None) -> CloseReport:
    """Close `period` for the given partners (None: every partner); partners that cannot close are skipped.

    Rules (DESIGN section 6): quarters close in order per partner, only the latest closed quarter
    closes again, an accepted agreement is needed, a locked quarter is refused; re-running with
    unchanged measurements changes nothing. Partners are walked in batches of CLOSE_BATCH by id,
    all in the caller's one transaction.
    """
    try:
        period = parse_period(period_text)
    except ValueError as exc:
        raise InvalidInput({"period": str(exc)}) from None
    tiers = load_tiers()
    if not tiers:
        raise ConflictError("There is no tier programme; a vendor admin sets one up first.")
    run = _CloseRun(period, tiers, by, subset=partner_ids is not None)
    wanted = sorted(set(partner_ids)) if partner_ids is not None else None
    after = None
    while True:
        stmt = select(_text(Partner.id), Partner.tier, Partner.name).order_by(Partner.id).limit(CLOSE_BATCH)
        if wanted is not None:
            batch_ids = wanted[:CLOSE_BATCH]
            wanted = wanted[CLOSE_BATCH:]
            if not batch_ids:
                break
            stmt = stmt.where(Partner.id.in_(batch_ids))
        elif after is not None:
            stmt = stmt.where(Partner.id > after)
        # Plain tuples of text: the collector drops them from its watch at once (a batch's rows stay alive).
        partners = [tuple(row) for row in db.session.execute(stmt)]
        if partners:
            run.close_batch(partners)
            after = uuid.UUID(partners[-1][0])
        if wanted is None and len(partners) < CLOSE_BATCH:
            break
    if run.tier_changed:
        # Partner rows already in this session hold the old tier and version.
        for obj in list(db.session.identity_map.values()):
            if isinstance(obj, Partner):
                db.session.expire(obj)
    return run.report


def _text(id_column):
    """An id as the database spells it: inputs are matched to partners by this text, which spares
    parsing about ten UUIDs per partner (and the collector's work for them) when closing thousands."""
    return cast(id_column, String)


class _CloseRun:
    """One close of one quarter: what every batch shares (rules, prepared scorers, decisions made)."""

    def __init__(self, period: Period, tiers: list[rules.Tier], by: Membership | None, subset: bool):
        # A whole-tenant close walks partners by id, so a batch is an id range (a range scan);
        # a chosen subset is not, and is matched by id lists.
        self.subset = subset
        self.q, self.prev_q, self.next_q = str(period), _previous(period), str(period.next())
        self.tiers = tiers
        self.report = CloseReport(period=self.q)
        self.locked = locked_partner_ids(self.q)
        self.scorers: dict[str, Scorer] = {}
        # Distinct (score, tier, status) inputs are few (at most 1,001 scores): decide each once.
        self.decided: dict[tuple, rules.CloseOutcome] = {}
        self.now = utcnow()
        self.closed_by = by.id if by is not None else None
        self.tenant_id = current_tenant_id()
        self.tier_changed = False

    def close_batch(self, partners: list[tuple[str, str, str]]) -> None:
        """Close one batch of (id text, tier, name) partners in id order.

        Rows become plain tuples and dicts of text and numbers, and ids stay text until a write
        needs them: CPython's collector stops tracking such containers, so a batch's inputs do not
        pile up in its oldest generation (whose full passes cost time in proportion to the heap).
        """
        q, prev_q, next_q, report = self.q, self.prev_q, self.next_q, self.report
        ids = [uuid.UUID(key) for key, _, _ in partners]

        def of_batch(column):
            return column.in_(ids) if self.subset else column.between(ids[0], ids[-1])

        latest = dict(db.session.execute(
            select(_text(QuarterClose.partner_id), func.max(QuarterClose.period))
            .where(of_batch(QuarterClose.partner_id)).group_by(QuarterClose.partner_id)).all())
        periods = [q] + ([prev_q] if prev_q else [])
        close_rows = {(row.key, row.period): row._asdict() for row in db.session.execute(select(
            _text(QuarterClose.id).label("id"), _text(QuarterClose.partner_id).label("key"), QuarterClose.period, QuarterClose.assigned_tier,
            QuarterClose.override_tier, QuarterClose.override_margin_pct, QuarterClose.override_reason,
            QuarterClose.status, QuarterClose.tier_before, QuarterClose.previous_status,
            QuarterClose.health_score, QuarterClose.qualified_tier, QuarterClose.margin_pct,
            _text(QuarterClose.agreement_id).label("agreement_id"), QuarterClose.applies_to)
            .where(of_batch(QuarterClose.partner_id), QuarterClose.period.in_(periods)))}
        agreements = {key: (agreement_id, terms) for key, agreement_id, terms in db.session.execute(
            select(_text(Agreement.partner_id), _text(Agreement.id), cast(Agreement.terms, Text))
            .where(of_batch(Agreement.partner_id), Agreement.period == q, Agreement.status == "accepted"))}
        values: dict[str, dict[str, Decimal]] = {}
        for partner_key, metric, value in db.session.execute(
                select(_text(Measurement.partner_id), Measurement.metric_key, Measurement.value)
                .where(Measurement.period == q, of_batch(Measurement.partner_id))):
            values.setdefault(partner_key, {})[metric] = value

        inserts, updates, tier_changes, events = [], [], [], []
        for pid, (key, partner_tier, partner_name) in zip(ids, partners):
            last = latest.get(key)
            if pid in self.locked:
                report.skipped[pid] = f"{q} is locked: its joint review is signed."
                continue
            if last is not None and last > q:
                report.skipped[pid] = f"{q} cannot be closed again: {last} is already closed (only the latest closed quarter can be)."
                continue
            if last is not None and last < q and last != prev_q:
                report.skipped[pid] = f"Quarters close in order: close {_next_after(last)} before {q}."
                continue
            agreement = agreements.get(key)
            if agreement is None:
                report.skipped[pid] = f"There is no accepted agreement for {q}."
                continue
            existing = close_rows.get((key, q))
            agreement_text, terms = agreement
            if existing is not None:
                tier_before, previous_status = existing["tier_before"], existing["previous_status"]
            else:
                before_row = close_rows.get((key, prev_q)) if prev_q else None
                if before_row is not None:
                    tier_before = before_row["override_tier"] or before_row["assigned_tier"]
                    previous_status = before_row["status"]
                else:
                    tier_before, previous_status = partner_tier, None
            scorer = self.scorers.get(terms)
            if scorer is None:  # agreements copied forward share their terms: prepare each text once
                scorer = self.scorers[terms] = Scorer(terms_of(json.loads(terms)))
            score = scorer(values.get(key, {}))
            decision = (score, tier_before, previous_status)
            outcome = self.decided.get(decision)
            if outcome is None:
                outcome = self.decided[decision] = fastclose.close_quarter(self.tiers, score, tier_before,
                                                                           previous_status)
            agreement_id = uuid.UUID(agreement_text)
            # Audit values are text already (as jsonable would make them), so the event holds no objects.
            fresh = {"health_score": score, "qualified_tier": outcome.qualified_tier,
                     "assigned_tier": outcome.assigned_tier, "status": outcome.status,
                     "margin_pct": outcome.margin_pct, "applies_to": next_q, "agreement_id": str(agreement_id)}
            item = Closed(pid, q, next_q, score, outcome.qualified_tier, outcome.assigned_tier, outcome.status,
                          outcome.margin_pct)
            if existing is not None:
                item.override_tier = existing["override_tier"]
                item.override_margin_pct = existing["override_margin_pct"]
                item.override_reason = existing["override_reason"]
                old = {f: existing[f] for f in _OUTCOME_FIELDS}
                old["agreement_id"] = str(uuid.UUID(old["agreement_id"]))
                changed = {f for f in _OUTCOME_FIELDS if _differs(old[f], fresh[f])}
                item.changed = bool(changed)
                if changed:
                    close_id = uuid.UUID(existing["id"])
                    updates.append({"b_id": close_id, **fresh, "agreement_id": agreement_id,
                                    "closed_at": self.now, "closed_by_id": self.closed_by})
                    events.append({"action": "quarter.close", "object_type": "quarter_close",
                                   "object_id": str(close_id),
                                   "before": {f: old[f] for f in changed}, "after": {f: fresh[f] for f in changed},
                                   "summary": f"{partner_name}: {q} closed again at {score}, "
                                              f"{item.tier} at {item.margin}% for {next_q}"})
            else:
                close_id = uuid.uuid4()
                inserts.append({"tenant_id": self.tenant_id, "id": close_id, "created_at": self.now,
                                "partner_id": pid, "period": q, **fresh, "agreement_id": agreement_id,
                                "tier_before": tier_before, "previous_status": previous_status,
                                "closed_at": self.now, "closed_by_id": self.closed_by})
                events.append({"action": "quarter.close", "object_type": "quarter_close", "object_id": str(close_id),
                               "after": {"partner_id": str(pid), "period": q, "tier_before": tier_before,
                                         "previous_status": previous_status, **fresh},
                               "summary": f"{partner_name}: {q} closed at {score}, {outcome.status}, "
                                          f"{outcome.assigned_tier} at {outcome.margin_pct}% for {next_q}"})
            if item.changed and partner_tier != item.tier:
                tier_changes.append({"b_id": pid, "tier": item.tier})
            report.closed.append(item)
        self._write(inserts, updates, tier_changes, events)

    def _write(self, inserts: list[dict], updates: list[dict], tier_changes: list[dict], events: list[dict]) -> None:
        connection = db.session.connection()
        if inserts:
            connection.execute(QuarterClose.__table__.insert(), inserts)
        if updates:
            table = QuarterClose.__table__
            connection.execute(
                update(table).where(table.c.tenant_id == self.tenant_id, table.c.id == bindparam("b_id"))
                .values({f: bindparam(f) for f in (*_OUTCOME_FIELDS, "closed_at", "closed_by_id")}), updates)
        if tier_changes:
            table = Partner.__table__
            connection.execute(
                update(table).where(table.c.tenant_id == self.tenant_id, table.c.id == bindparam("b_id"))
                .values(tier=bindparam("tier"), version=table.c.version + 1), tier_changes)
            self.tier_changed = True
        record_many(events)


def _differs(old, new) -> bool:
    if isinstance(new, Decimal) and old is not None:
        return Decimal(old) != new
    return old != new


def _previous(period: Period) -> str | None:
    try:
        return str(period.previous())
    except ValueError:
        return None


def _next_after(last: str) -> str:
    """The first quarter after `last` that still needs closing."""
    return str(parse_period(last).next())


def close_one(partner: Partner, period_text: str, by: Membership | None) -> Closed:
    """Close one partner's quarter; 409 naming the reason when it cannot close."""
    report = close_quarter(period_text, [partner.id], by)
    if partner.id in report.skipped:
        raise ConflictError(report.skipped[partner.id])
    db.session.expire(partner)
    return report.closed[0]


# --- overrides and history -----------------------------------------------------------------


def get_close(partner: Partner, period: str) -> QuarterClose | None:
    return db.session.scalar(select(QuarterClose).where(QuarterClose.partner_id == partner.id,
                                                        QuarterClose.period == period))


def latest_close(partner_id: uuid.UUID) -> QuarterClose | None:
    return db.session.scalar(select(QuarterClose).where(QuarterClose.partner_id == partner_id)
                             .order_by(QuarterClose.period.desc()).limit(1))


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


def margin_history(partner_id: uuid.UUID) -> list[QuarterClose]:
    """Every close of the partner, newest first."""
    return list(db.session.scalars(select(QuarterClose).where(QuarterClose.partner_id == partner_id)
                                   .order_by(QuarterClose.period.desc())))


# --- what-if ----------------------------------------------------------------------------------


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
