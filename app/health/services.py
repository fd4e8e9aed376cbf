"""Metric catalogue, proposing and accepting agreements, measurements and health; all audited."""
from __future__ import annotations

import csv
import io
import re
import uuid
from decimal import Decimal

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from app.audit.services import actor_of, record
from app.auth import roles
from app.auth.models import Membership, User
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.core.registry import quarter_locked
from app.extensions import db
from app.health.models import Agreement, Measurement, MetricDefinition
from app.health.periods import parse_period
from app.health.scoring import (
    HealthResult, MetricTerm, biggest_lever, health, parse_number, terms_of, validate_metrics,
)
from app.jobs.mailjobs import send_later
from app.partners.models import Partner
from app.tenants.models import Tenant

DEFAULT_METRICS = [
    # key, name, direction, unit, target, floor, weight, description
    ("nps", "Net Promoter Score", "higher", "points", "50", "0", "2",
     "Joint customers' NPS, -100 to 100."),
    ("product_adoption", "Product adoption rate", "higher", "%", "80", "30", "2",
     "Share of licensed features in regular use across joint customers."),
    ("active_user_share", "Active-user share", "higher", "%", "70", "20", "1",
     "Monthly active users as a share of licensed seats."),
    ("advocacy", "Advocacy: references and case studies", "higher", "count", "4", "0", "1",
     "References, case studies and reviews joint customers gave this quarter."),
    ("gross_renewal_rate", "Gross renewal rate", "higher", "%", "95", "75", "3",
     "Renewed ARR as a share of ARR up for renewal, without expansion."),
    ("net_revenue_retention", "Net revenue retention", "higher", "%", "115", "90", "2",
     "ARR a year later, with expansion and contraction, as a share of starting ARR."),
    ("time_to_value", "Time to value", "lower", "days", "30", "90", "1",
     "Days from contract to the first agreed business outcome; lower is better."),
]
SOURCE_MAX = 120
NOTE_MAX = 2000
CSV_MAX_ROWS = 500


def side_of_membership(membership: Membership | None) -> str:
    return "vendor" if membership is None or membership.partner_id is None else "partner"


# --- catalogue --------------------------------------------------------------------------------


def catalogue() -> list[MetricDefinition]:
    return list(db.session.scalars(select(MetricDefinition).order_by(MetricDefinition.custom, MetricDefinition.key)))


def add_metric(key: object, name: object, direction: object, unit: object, target: object, floor: object,
               weight: object, description: object = "", custom: bool = True) -> MetricDefinition:
    """Add a metric to the catalogue; 422 naming each problem."""
    item = {"key": key, "direction": direction, "target": target, "floor": floor, "weight": weight}
    terms, raw_errors = validate_metrics([item])
    errors = {k.removeprefix("metrics.0."): v for k, v in raw_errors.items()}
    name_text = name.strip() if isinstance(name, str) else ""
    if not name_text:
        errors["name"] = "is required"
    elif len(name_text) > 120:
        errors["name"] = "must be at most 120 characters"
    unit_text = unit.strip() if isinstance(unit, str) else ""
    if len(unit_text) > 32:
        errors["unit"] = "must be at most 32 characters"
    if not errors and db.session.scalar(select(MetricDefinition.id).where(MetricDefinition.key == terms[0].key)):
        errors["key"] = f"the catalogue already has a metric {terms[0].key!r}"
    if errors:
        raise InvalidInput(errors)
    term = terms[0]
    metric = MetricDefinition(id=uuid.uuid4(), key=term.key, name=name_text, direction=term.direction, unit=unit_text,
                              default_target=term.target, default_floor=term.floor, default_weight=term.weight,
                              description=(description or "").strip() if isinstance(description, str) else "",
                              custom=custom)
    db.session.add(metric)
    db.session.flush()
    record("metric.create", metric, after={"key": term.key, "name": name_text, "direction": term.direction,
                                           "target": term.target, "floor": term.floor, "weight": term.weight},
           summary=f"Metric {name_text} added to the catalogue")
    return metric


def install_default_catalogue(tenant: Tenant) -> None:
    """Tenant initialiser: the seven measures vendors and partners most often agree on."""
    del tenant
    for key, name, direction, unit, target, floor, weight, description in DEFAULT_METRICS:
        if db.session.scalar(select(MetricDefinition.id).where(MetricDefinition.key == key)) is None:
            add_metric(key, name, direction, unit, target, floor, weight, description, custom=False)


def default_terms() -> list[dict]:
    """The catalogue's defaults as agreement terms (what a first proposal starts from)."""
    return [{"key": m.key, "direction": m.direction, "target": _plain(m.default_target),
             "floor": _plain(m.default_floor), "weight": _plain(m.default_weight)} for m in catalogue()]


def _plain(value: Decimal) -> str:
    """A Decimal without trailing zeros, never in exponent form."""
    text = format(Decimal(value).normalize(), "f")
    return text


# --- agreements -------------------------------------------------------------------------------


def _terms_json(terms: list[MetricTerm]) -> list[dict]:
    return [{"key": t.key, "direction": t.direction, "target": _plain(t.target), "floor": _plain(t.floor),
             "weight": _plain(t.weight)} for t in terms]


def _period(value: object) -> str:
    try:
        return str(parse_period(value))
    except ValueError as exc:
        raise InvalidInput({"period": str(exc)}) from None


def propose(partner: Partner, period: object, metrics: object, by: Membership | None,
            note: object = "", replaces: Agreement | None = None) -> Agreement:
    """A new proposal for the partnership and quarter; it supersedes a proposal still waiting."""
    errors: dict[str, str] = {}
    try:
        period_text = str(parse_period(period))
    except ValueError as exc:
        errors["period"] = str(exc)
        period_text = None
    terms, metric_errors = validate_metrics(metrics)
    errors.update(metric_errors)
    note_text = note.strip() if isinstance(note, str) else ""
    if len(note_text) > NOTE_MAX:
        errors["note"] = f"must be at most {NOTE_MAX} characters"
    if errors:
        raise InvalidInput(errors)
    if quarter_locked(partner.id, period_text):
        raise ConflictError(f"{period_text} is locked for {partner.name}: its joint review is signed.")
    side = side_of_membership(by)
    waiting = list(db.session.scalars(select(Agreement).where(
        Agreement.partner_id == partner.id, Agreement.period == period_text, Agreement.status == "proposed")))
    for old in waiting:
        old.status = "superseded"
    agreement = Agreement(id=uuid.uuid4(), partner_id=partner.id, period=period_text, status="proposed",
                          terms=_terms_json(terms), proposed_by=side, proposed_by_id=by.id if by else None,
                          proposed_at=utcnow(), note=note_text,
                          replaces_id=replaces.id if replaces else (waiting[-1].id if waiting else None))
    db.session.add(agreement)
    db.session.flush()
    record("agreement.propose", agreement,
           after={"partner_id": partner.id, "period": period_text, "proposed_by": side, "terms": agreement.terms,
                  "note": note_text, "supersedes": [a.id for a in waiting]},
           summary=f"{side.capitalize()} proposed {len(terms)} metrics for {partner.name} {period_text}", actor=actor_of(by))
    _notify(partner, agreement)
    return agreement


def accept(agreement: Agreement, partner: Partner, by: Membership | None,
           expected_version: int | None = None) -> Agreement:
    """Accept a waiting proposal (the caller checked it is the other side); it replaces any accepted one."""
    if expected_version is not None and expected_version != agreement.version:
        raise ConflictError("This proposal changed since you read it. Reload it and decide again.")
    if agreement.status != "proposed":
        raise ConflictError(f"This proposal is {agreement.status}; only a waiting proposal can be accepted.")
    if quarter_locked(partner.id, agreement.period):
        raise ConflictError(f"{agreement.period} is locked for {partner.name}: its joint review is signed.")
    for old in db.session.scalars(select(Agreement).where(
            Agreement.partner_id == partner.id, Agreement.period == agreement.period,
            Agreement.status == "accepted", Agreement.id != agreement.id)):
        old.status = "superseded"
    agreement.status = "accepted"
    agreement.accepted_by_id = by.id if by else None
    agreement.accepted_at = utcnow()
    db.session.flush()
    record("agreement.accept", agreement, before={"status": "proposed"},
           after={"status": "accepted", "accepted_by": side_of_membership(by)},
           summary=f"{side_of_membership(by).capitalize()} accepted the {agreement.period} agreement of {partner.name}",
           actor=actor_of(by))
    return agreement


def copy_forward(agreement: Agreement, partner: Partner, by: Membership | None) -> Agreement:
    """Propose an accepted agreement's metrics again for the next quarter."""
    if agreement.status != "accepted":
        raise ConflictError("Only an accepted agreement can be copied to the next quarter.")
    next_period = str(parse_period(agreement.period).next())
    return propose(partner, next_period, agreement.terms, by, note=f"Copied from {agreement.period}",
                   replaces=agreement)


def agreements_of(partner_id: uuid.UUID) -> list[Agreement]:
    """Every proposal of the partnership, newest quarter and newest proposal first."""
    return list(db.session.scalars(select(Agreement).where(Agreement.partner_id == partner_id)
                                   .order_by(Agreement.period.desc(), Agreement.proposed_at.desc())))


def in_force(partner_id: uuid.UUID, period: str | None = None) -> Agreement | None:
    """The accepted agreement of a quarter, or of the latest quarter that has one."""
    stmt = select(Agreement).where(Agreement.partner_id == partner_id, Agreement.status == "accepted")
    if period is not None:
        stmt = stmt.where(Agreement.period == period)
    return db.session.scalar(stmt.order_by(Agreement.period.desc()).limit(1))


def in_force_with_measurements(partner_id: uuid.UUID) -> tuple[Agreement | None, dict[str, Measurement]]:
    """`in_force(partner_id)` and `measurements_for` its quarter, in one statement (panels)."""
    latest = aliased(Agreement)
    period = (select(func.max(latest.period)).where(latest.partner_id == partner_id, latest.status == "accepted")
              .scalar_subquery())
    rows = db.session.execute(
        select(Agreement, Measurement).outerjoin(Measurement, and_(
            Measurement.tenant_id == Agreement.tenant_id, Measurement.partner_id == Agreement.partner_id,
            Measurement.period == Agreement.period))
        .where(Agreement.partner_id == partner_id, Agreement.status == "accepted", Agreement.period == period)
        .order_by(Agreement.proposed_at.desc(), Agreement.id)).all()
    if not rows:
        return None, {}
    agreement = rows[0][0]
    return agreement, {m.metric_key: m for a, m in rows if a is agreement and m is not None}


def panel_agreements(partner: Partner, side: str) -> tuple[Agreement | None, dict[str, Measurement], list]:
    """`in_force_with_measurements(partner.id)` and `waiting_for(side, partner_id=partner.id)` in one
    statement, for the health panel of the partner page and the partner home."""
    other = "partner" if side == "vendor" else "vendor"
    latest = aliased(Agreement)
    period = (select(func.max(latest.period)).where(latest.partner_id == partner.id, latest.status == "accepted")
              .scalar_subquery())
    accepted = and_(Agreement.status == "accepted", Agreement.period == period)
    rows = db.session.execute(
        select(Agreement, Measurement).outerjoin(Measurement, and_(
            Measurement.tenant_id == Agreement.tenant_id, Measurement.partner_id == Agreement.partner_id,
            Measurement.period == Agreement.period, Agreement.status == "accepted"))
        .where(Agreement.partner_id == partner.id,
               or_(accepted, and_(Agreement.status == "proposed", Agreement.proposed_by == other)))
        .order_by(Agreement.proposed_at.desc(), Agreement.id)).all()
    force = next((a for a, _ in rows if a.status == "accepted"), None)
    measurements = {m.metric_key: m for a, m in rows if a is force and m is not None}
    waiting = sorted({a.id: a for a, _ in rows if a.status == "proposed"}.values(), key=lambda a: a.proposed_at)
    return force, measurements, [(a, partner) for a in waiting]


def waiting_for(side: str, partner_id: uuid.UUID | None = None, manager_id: uuid.UUID | None = None) -> list:
    """Proposals waiting for `side` to answer: (agreement, partner) pairs, oldest first."""
    other = "partner" if side == "vendor" else "vendor"
    stmt = (select(Agreement, Partner).join(Partner, Partner.id == Agreement.partner_id)
            .where(Agreement.status == "proposed", Agreement.proposed_by == other))
    if partner_id is not None:
        stmt = stmt.where(Agreement.partner_id == partner_id)
    if manager_id is not None:
        stmt = stmt.where(Partner.channel_manager_id == manager_id)
    return list(db.session.execute(stmt.order_by(Agreement.proposed_at)).all())


def _notify(partner: Partner, agreement: Agreement) -> None:
    """E-mail the side that must now answer the proposal (in the portal it shows on their home)."""
    if agreement.proposed_by == "vendor":
        stmt = (select(User.email).join(Membership, Membership.user_id == User.id)
                .where(Membership.partner_id == partner.id, Membership.role == roles.PARTNER_ADMIN,
                       Membership.active.is_(True), User.active.is_(True)))
        link = f"/health/agreements/{agreement.id}"
    else:
        if partner.channel_manager_id:
            stmt = (select(User.email).join(Membership, Membership.user_id == User.id)
                    .where(Membership.id == partner.channel_manager_id, Membership.active.is_(True)))
        else:
            stmt = (select(User.email).join(Membership, Membership.user_id == User.id)
                    .where(Membership.partner_id.is_(None), Membership.role == roles.VENDOR_ADMIN,
                           Membership.active.is_(True), User.active.is_(True)))
        link = f"/health/agreements/{agreement.id}"
    base = current_app.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    lines = "\n".join(f"  {t['key']}: {t['direction']} is better, target {t['target']}, floor {t['floor']}, "
                      f"weight {t['weight']}" for t in agreement.terms)
    body = (f"The {agreement.proposed_by} side proposed joint health metrics for {partner.name}, "
            f"{agreement.period}:\n\n{lines}\n\nAccept it or make a counter-proposal here:\n{base}{link}\n")
    send_later([(email, f"Tandem: health metrics for {agreement.period} wait for you", body)
                for email in db.session.scalars(stmt)])


# --- measurements -----------------------------------------------------------------------------


def measurements_for(partner_id: uuid.UUID, period: str) -> dict[str, Measurement]:
    return {m.metric_key: m for m in db.session.scalars(
        select(Measurement).where(Measurement.partner_id == partner_id, Measurement.period == period))}


def record_measurements(agreement: Agreement, partner: Partner, values: object, source: object,
                        by: Membership | None) -> list[Measurement]:
    """Record values for the agreement's metrics in its quarter; all or nothing, audited."""
    if agreement.status == "superseded":
        raise ConflictError("This agreement was replaced; record measurements against the one in force.")
    if quarter_locked(partner.id, agreement.period):
        raise ConflictError(f"{agreement.period} is locked for {partner.name}: its joint review is signed.")
    errors: dict[str, str] = {}
    if not isinstance(values, dict) or not values:
        raise InvalidInput({"values": "send an object of metric key to number, with at least one value"})
    known = {t["key"] for t in agreement.terms}
    parsed: dict[str, Decimal] = {}
    for key, raw in values.items():
        if key not in known:
            errors[f"values.{key}"[:200]] = (f"{key!r} is not a metric of this agreement "
                                             f"(its metrics: {', '.join(sorted(known))})")
            continue
        try:
            parsed[key] = parse_number(raw)
        except ValueError as exc:
            errors[f"values.{key}"] = str(exc)
    source_text = source.strip() if isinstance(source, str) else ""
    if source is not None and not isinstance(source, str):
        errors["source"] = "must be text"
    elif len(source_text) > SOURCE_MAX:
        errors["source"] = f"must be at most {SOURCE_MAX} characters"
    if errors:
        raise InvalidInput(errors)
    side = side_of_membership(by)
    source_text = source_text or ("partner" if side == "partner" else "vendor")
    existing = measurements_for(partner.id, agreement.period)
    before, after, rows = {}, {}, []
    for key, value in parsed.items():
        row = existing.get(key)
        if row is None:
            row = Measurement(id=uuid.uuid4(), partner_id=partner.id, period=agreement.period, metric_key=key)
            db.session.add(row)
        elif Decimal(row.value) == value and row.source == source_text:
            rows.append(row)
            continue
        else:
            before[key] = {"value": row.value, "source": row.source, "side": row.side}
        row.value, row.source, row.side = value, source_text, side
        row.author_id = by.id if by else None
        row.agreement_id = agreement.id
        row.recorded_at = utcnow()
        after[key] = {"value": value, "source": source_text, "side": side}
        rows.append(row)
    if after:
        db.session.flush()
        record("measurement.record", object_type="agreement", object_id=agreement.id, before=before or None,
               after=after, summary=f"{side.capitalize()} recorded {', '.join(sorted(after))} for "
                                    f"{partner.name} {agreement.period}", actor=actor_of(by))
    return rows


_CSV_KEY = re.compile(r"^\ufeff?(key|metric)$", re.I)


def parse_measurement_csv(data: bytes) -> tuple[dict[str, str], str | None]:
    """CSV with columns key,value[,source]; returns ({key: value}, source) or 422 per row."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput({"file": "must be UTF-8 text (CSV)"}) from None
    reader = csv.reader(io.StringIO(text))
    rows = [r for r in reader if any(c.strip() for c in r)]
    if not rows:
        raise InvalidInput({"file": "is empty; send a header key,value[,source] and one row per metric"})
    header = [h.strip().lower() for h in rows[0]]
    if "key" not in header or "value" not in header:
        raise InvalidInput({"file": "the first row must name the columns key and value (and optionally source)"})
    if len(rows) - 1 > CSV_MAX_ROWS:
        raise InvalidInput({"file": f"at most {CSV_MAX_ROWS} rows"})
    k, v = header.index("key"), header.index("value")
    s = header.index("source") if "source" in header else None
    values: dict[str, str] = {}
    sources = set()
    errors: dict[str, str] = {}
    for n, row in enumerate(rows[1:], start=2):
        key = row[k].strip() if k < len(row) else ""
        if not key:
            errors[f"row {n}.key"] = "is required"
            continue
        if key in values:
            errors[f"row {n}.key"] = f"{key!r} appears twice"
            continue
        values[key] = row[v].strip() if v < len(row) else ""
        if s is not None and s < len(row) and row[s].strip():
            sources.add(row[s].strip())
    if errors:
        raise InvalidInput(errors)
    if len(sources) > 1:
        raise InvalidInput({"file": "use one source for the whole file"})
    return values, (sources.pop() if sources else "csv upload")


def agreement_health(agreement: Agreement, measurements: dict[str, Measurement] | None = None,
                     ) -> tuple[HealthResult, dict[str, Measurement]]:
    """The agreement's health from the quarter's measurements (section 5; read unless given)."""
    if measurements is None:
        measurements = measurements_for(agreement.partner_id, agreement.period)
    values = {k: Decimal(m.value) for k, m in measurements.items()}
    return health(terms_of(agreement.terms), values), measurements


def lever(agreement: Agreement, measurements: dict[str, Measurement]) -> str | None:
    """The metric whose shortfall costs the most health (largest weight x shortfall)."""
    return biggest_lever(terms_of(agreement.terms), {k: Decimal(m.value) for k, m in measurements.items()})

