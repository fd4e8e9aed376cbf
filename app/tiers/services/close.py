"""The quarter close run: one partner or all at once (DESIGN section 6).

Closing is set-based, in batches of partners: per batch a handful of queries load the inputs,
the pure rules in `app.tiers.rules` decide, and Core executemany statements write the results and
their audit events. Batches keep memory (and Python's garbage-collector work) flat, so closing
20,000 partners costs about ten times closing 2,000.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import String, Text, bindparam, cast, func, select, update

from app.audit.services import record_many
from app.auth.models import Membership
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.core.registry import locked_partner_ids
from app.extensions import db
from app.health.fastscore import Scorer
from app.health.models import Agreement, Measurement
from app.health.periods import Period, parse_period
from app.health.scoring import terms_of
from app.partners.models import Partner
from app.tenancy import current_tenant_id
from app.tiers import fastclose, rules
from app.tiers.models import QuarterClose
from app.tiers.services.programme import load_tiers


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
        return rules.effective_tier(self.override_tier, self.assigned_tier)

    @property
    def margin(self) -> Decimal:
        return rules.effective_margin(self.override_margin_pct, self.margin_pct)


@dataclass
class CloseReport:
    period: str
    closed: list[Closed] = field(default_factory=list)
    skipped: dict[uuid.UUID, str] = field(default_factory=dict)  # partner id -> why not


_OUTCOME_FIELDS = ("health_score", "qualified_tier", "assigned_tier", "status", "margin_pct", "applies_to",
                   "agreement_id")


CLOSE_BATCH = 1_000  # partners loaded, decided and written together; memory stays flat however many there are


def close_quarter(period_text: str, partner_ids: list[uuid.UUID] | None = None,
                  by: Membership | None = None, progress=None) -> CloseReport:
    """Close `period` for the given partners (None: every partner); partners that cannot close are skipped.

    Rules (DESIGN section 6): quarters close in order per partner, only the latest closed quarter
    closes again, an accepted agreement is needed, a locked quarter is refused; re-running with
    unchanged measurements changes nothing. Partners are walked in batches of CLOSE_BATCH by id,
    all in the caller's one transaction. `progress(partners_done)` hears each batch (the job's bar).
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
    done = 0
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
            done += len(partners)
            if progress is not None:
                progress(done)
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
