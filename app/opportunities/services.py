"""Opportunities, the pipeline and deal registrations: writes (audited, flushed, never committed)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import String, func, literal, or_, select, union_all
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Account, ConflictResolution
from app.accounts.ownership import segment_settings
from app.accounts.services import add_insight, resolve_conflict
from app.audit.services import record
from app.auth import roles
from app.auth.context import Actor
from app.auth.models import Membership
from app.auth.policies import require
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.core.serialize import snapshot
from app.core.together import read_together
from app.extensions import db
from app.notifications.services import notify
from app.opportunities import rules
from app.opportunities.models import DealRegistration, Opportunity
from app.opportunities.policies import can_create_on, opportunity_condition, side_of
from app.partners.models import Partner
from app.sharing.policies import get_account_or_404
from app.tenants.models import Tenant

PRODUCT_MAX = 200
NOTE_MAX = 2000
OPP_FIELDS = ("account_id", "partner_id", "side", "kind", "product", "amount", "currency", "expected_close",
              "stage", "next_step")
REG_FIELDS = ("status", "check_outcome", "decision_due", "protected_until", "extended", "decision_note")
RENEWAL_AFTER_DAYS = 365


def settings_of(tenant: Tenant) -> rules.OpportunitySettings:
    return rules.opportunity_settings(tenant.settings)


def install_defaults(tenant: Tenant) -> None:
    """Tenant initialiser: the default stage list, a 2-business-day SLA, 90 days' protection."""
    if "opportunities" not in (tenant.settings or {}):
        tenant.settings = {**(tenant.settings or {}), "opportunities": rules.default_settings()}
        db.session.flush()


def update_settings(tenant: Tenant, raw: dict, expected_version: int | None = None) -> rules.OpportunitySettings:
    """Change the stage list, the approval SLA or the protection period (audited). A stage that
    opportunities still use cannot be dropped or change outcome (their pipeline would change)."""
    if expected_version is not None and expected_version != tenant.version:
        raise ConflictError("Someone else changed the settings first. Reload and apply your change again.")
    clean, errors = rules.clean_settings(raw)
    if not errors:
        now = {s["key"]: s["outcome"] for s in clean["stages"]}
        for key, outcome in db.session.execute(select(Opportunity.stage, Opportunity.stage_outcome).distinct()):
            if now.get(key) != outcome:
                errors["stages"] = f"Opportunities are in the stage {key!r} ({outcome}): keep it, with that outcome."
                break
    if errors:
        raise InvalidInput(errors)
    before = settings_of(tenant).as_json()
    if before == clean:
        return settings_of(tenant)
    tenant.settings = {**(tenant.settings or {}), "opportunities": clean}
    db.session.flush()
    record("opportunities.settings", object_type="tenant", object_id=tenant.id, before=before, after=clean,
           summary="Changed the opportunity stages, the registration SLA or the protection period")
    return settings_of(tenant)


def today() -> date:
    return utcnow().date()


# -- opportunities -------------------------------------------------------------------------------

def _text(errors: dict, body: dict, name: str, max_len: int, required: bool) -> str | None:
    if name not in body:
        if required:
            errors[name] = "Fill this in."
        return None
    value = body[name]
    if value is not None and not isinstance(value, str):
        errors[name] = "Must be text."
        return None
    text = (value or "").strip()
    if required and not text:
        errors[name] = "Fill this in."
    elif len(text) > max_len:
        errors[name] = f"Use at most {max_len} characters."
    elif "\x00" in text:
        errors[name] = "Contains a NUL character."
    return text


def _date(errors: dict, name: str, value: object) -> date | None:
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = "Use a date like 2027-03-31."
        return None


def clean_opportunity(body: dict, settings: rules.OpportunitySettings, created_on: date, *,
                      partial: bool) -> tuple[dict, dict]:
    """(values, {field: message}) for the opportunity fields present in body (all when creating)."""
    errors: dict = {}
    out: dict = {}
    need = not partial
    if "kind" in body or need:
        if body.get("kind") not in rules.KINDS:
            errors["kind"] = f"Use one of: {', '.join(rules.KINDS)}."
        else:
            out["kind"] = body["kind"]
    product = _text(errors, body, "product", PRODUCT_MAX, need or "product" in body)  # never blanked by an edit
    if product is not None and "product" not in errors:
        out["product"] = product
    if "amount" in body or need:
        try:
            out["amount"] = rules.parse_amount(body.get("amount"))
        except ValueError as exc:
            errors["amount"] = str(exc)
    if "currency" in body or need:
        try:
            out["currency"] = rules.parse_currency(body.get("currency"))
        except ValueError as exc:
            errors["currency"] = str(exc)
    if "expected_close" in body or need:
        close = _date(errors, "expected_close", body.get("expected_close"))
        if close is not None:
            if close < created_on:
                errors["expected_close"] = f"Use a date on or after {created_on.isoformat()}, when it was created."
            elif close.year > 2999:
                errors["expected_close"] = "Use a date before the year 3000."
            else:
                out["expected_close"] = close
    if "stage" in body or need:
        key = body.get("stage")
        if key is None and need:
            key = settings.open_keys[0]
        stage = settings.stage(key) if isinstance(key, str) else None
        if stage is None:
            errors["stage"] = f"Use one of: {', '.join(s.key for s in settings.stages)}."
        else:
            out["stage"] = stage.key
    next_step = _text(errors, body, "next_step", NOTE_MAX, False)
    if next_step is not None and "next_step" not in errors:
        out["next_step"] = next_step
    return out, errors


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _account_for(actor: Actor, raw: object) -> Account:
    """The account named in a body, if the actor may see it; else 404 (T3), nothing written."""
    account_id = _uuid(raw)
    if account_id is None:
        raise InvalidInput({"account_id": "Choose an account."})
    account, _access = get_account_or_404(actor, account_id)
    return account


def create_opportunity(actor: Actor, body: dict) -> Opportunity:
    settings = settings_of(actor.tenant)
    account = _account_for(actor, body.get("account_id"))
    values, errors = clean_opportunity(body, settings, today(), partial=False)
    partner_id = None
    if actor.is_partner_side:
        if body.get("partner_id") not in (None, "", str(actor.partner_id)):
            errors["partner_id"] = "Partner staff create opportunities for their own partnership."
        partner_id = actor.partner_id
    else:
        partner_id = account.owner_partner_id
        raw = body.get("partner_id")
        if raw not in (None, ""):
            named = _uuid(raw)
            partner = db.session.get(Partner, (actor.tenant.id, named)) if named else None
            if partner is None or (partner_id is not None and partner.id != partner_id):
                errors["partner_id"] = "Choose a partner of this workspace (the account's owner, if a partner owns it)."
            else:
                partner_id = partner.id
    if errors:
        raise InvalidInput(errors)
    require(can_create_on(actor, account, partner_id))
    stage = settings.stage(values["stage"])
    opp = Opportunity(id=uuid.uuid4(), account_id=account.id, partner_id=partner_id, side=side_of(actor),
                      created_by_id=actor.membership.id, close_quarter=rules.quarter_of(values["expected_close"]),
                      stage_outcome=stage.outcome, next_step=values.pop("next_step", ""), **values)
    db.session.add(opp)
    db.session.flush()
    record("opportunity.create", opp, after=snapshot(opp, OPP_FIELDS),
           summary=f"Added a {rules.KIND_LABELS[opp.kind].lower()} opportunity on {account.name}")
    return opp


def active_registration(opp: Opportunity) -> DealRegistration | None:
    return db.session.scalar(select(DealRegistration).where(DealRegistration.opportunity_id == opp.id))


def update_opportunity(actor: Actor, opp: Opportunity, body: dict, expected_version: int | None) -> Opportunity:
    if expected_version is None:
        raise InvalidInput({"version": "Send the version you read."})
    if expected_version != opp.version:
        raise ConflictError("Someone else changed this opportunity first. Reload and apply your change again.")
    settings = settings_of(actor.tenant)
    values, errors = clean_opportunity(body, settings, opp.created_at.date(), partial=True)
    if errors:
        raise InvalidInput(errors)
    before = snapshot(opp, OPP_FIELDS)
    for name, value in values.items():
        setattr(opp, name, value)
    opp.close_quarter = rules.quarter_of(opp.expected_close)
    outcome = settings.stage(opp.stage).outcome if settings.stage(opp.stage) else opp.stage_outcome
    opp.stage_outcome = outcome
    after = snapshot(opp, OPP_FIELDS)
    if after != before:
        db.session.flush()
        record("opportunity.update", opp, before=before, after=after, summary=f"Updated the opportunity {opp.product}")
        reg = active_registration(opp)
        if reg is not None and outcome in (rules.WON, rules.LOST) and \
                rules.effective_status(reg.status, reg.protected_until, today()) == rules.APPROVED:
            _close(actor, reg, opp, outcome, set_stage=False)
    return opp


# -- the pipeline (sums in SQL) -----------------------------------------------------------------

def pipeline(actor: Actor, partner_id: uuid.UUID | None = None, extra=None):
    """Open opportunities the actor sees summed by stage, by quarter and by kind (per currency),
    and the won total per currency; `partner_id` narrows to one partnership. `extra`: one more
    select read in the same statement (app.core.together; the panel's registrations), whose rows
    come back with the pipeline as (pipeline, rows)."""
    settings = settings_of(actor.tenant)
    where = [opportunity_condition(actor, partner_id)]
    if partner_id is not None:
        where.append(Opportunity.partner_id == partner_id)

    # The five sums in one statement (UNION ALL of the groupings): the pipeline is a panel of the
    # partner page and the partner home, and each statement counts against their budget of 15.
    def grouped(name: str, column, outcome: str = rules.OPEN):
        key = column if column is not None else literal(None, String)
        stmt = (select(literal(name, String).label("grouping"), key.label("key"), Opportunity.currency,
                       func.count().label("n"), func.sum(Opportunity.amount).label("total"))
                .where(*where, Opportunity.stage_outcome == outcome))
        return stmt.group_by(column, Opportunity.currency) if column is not None else stmt.group_by(Opportunity.currency)

    sums: dict[str, list] = {"stage": [], "quarter": [], "kind": [], "won": [], "open": []}
    branches = [grouped("stage", Opportunity.stage), grouped("quarter", Opportunity.close_quarter),
                grouped("kind", Opportunity.kind), grouped("won", None, rules.WON), grouped("open", None)]
    if extra is None:
        found, extra_rows = db.session.execute(union_all(*branches)), None
    else:
        *parts, extra_rows = read_together(*branches, extra)
        found = [row for part in parts for row in part]
    for grouping, key, currency, n, total in found:
        sums[grouping].append((key, currency, n, total))
    order = {s.key: i for i, s in enumerate(settings.stages)}
    labels = {s.key: s.label for s in settings.stages}
    by_stage = sorted(sums["stage"], key=lambda r: (order.get(r[0], 99), r[0], r[1]))
    by_quarter = sorted(sums["quarter"], key=lambda r: (r[0], r[1]))
    by_kind = sorted(sums["kind"], key=lambda r: (rules.KINDS.index(r[0]) if r[0] in rules.KINDS else 9, r[1]))
    won = sorted(((c, n, t) for _, c, n, t in sums["won"]), key=lambda r: r[0])
    totals = sorted(((c, n, t) for _, c, n, t in sums["open"]), key=lambda r: r[0])

    def rows(items, key_name, label_of=None):
        return [{key_name: k, **({"label": label_of(k)} if label_of else {}), "currency": c, "count": n,
                 "amount": rules.parse_amount(t or 0)} for k, c, n, t in items]
    pipe = {"by_stage": rows(by_stage, "stage", lambda k: labels.get(k, k)),
            "by_quarter": rows(by_quarter, "quarter"),
            "by_kind": rows(by_kind, "kind", lambda k: rules.KIND_LABELS.get(k, k)),
            "open": [{"currency": c, "count": n, "amount": rules.parse_amount(t or 0)} for c, n, t in totals],
            "won": [{"currency": c, "count": n, "amount": rules.parse_amount(t or 0)} for c, n, t in won]}
    return pipe if extra is None else (pipe, extra_rows)


# -- deal registration ---------------------------------------------------------------------------

def _same_account(account: Account):
    """Accounts that are the same customer: the same normalised domain, or this very row."""
    if account.domain:
        return Account.id.in_(select(Account.id).where(Account.domain == account.domain))
    return Account.id == account.id


def check_input(reg_partner_id: uuid.UUID, account: Account, on: date,
                exclude_registration: uuid.UUID | None = None) -> rules.CheckInput:
    tenant = db.session.get(Tenant, account.tenant_id)
    segments = segment_settings(tenant.settings)
    owner_model = segments.owner_models.get(account.segment) if account.segment else None
    resolution = None
    if account.domain:
        resolution = db.session.scalar(select(ConflictResolution).where(ConflictResolution.domain == account.domain))
    claiming: list[str] = []
    if account.domain and segments.partner_led_segments:
        claiming = [str(p) for p in db.session.scalars(
            select(Account.owner_partner_id).where(
                Account.domain == account.domain, Account.owner_partner_id.is_not(None),
                Account.owner_partner_id != reg_partner_id, Account.segment.in_(segments.partner_led_segments))
            .distinct())]
        # Only a conflict when this partner claims it partner-led too (or registers on the vendor's row).
        mine_led = account.owner_partner_id is None or account.segment in segments.partner_led_segments
        claiming = claiming if mine_led else []
    same = DealRegistration.domain == account.domain if account.domain else DealRegistration.account_id == account.id
    reg_stmt = (select(DealRegistration.partner_id)
                .where(same, DealRegistration.partner_id != reg_partner_id,
                       DealRegistration.status.in_(rules.ACTIVE_REG_STATUSES),
                       or_(DealRegistration.protected_until.is_(None), DealRegistration.protected_until >= on)))
    if exclude_registration is not None:
        reg_stmt = reg_stmt.where(DealRegistration.id != exclude_registration)
    registered = [str(p) for p in db.session.scalars(reg_stmt.distinct())]
    vendor_open = db.session.scalar(
        select(func.count()).select_from(Opportunity)
        .where(Opportunity.side == "vendor", Opportunity.stage_outcome == rules.OPEN,
               or_(Opportunity.partner_id.is_(None), Opportunity.partner_id != reg_partner_id),
               Opportunity.account_id.in_(select(Account.id).where(_same_account(account))))) or 0
    return rules.CheckInput(
        partner_id=str(reg_partner_id), segment=account.segment, owner_model=owner_model,
        resolution=resolution.resolution if resolution else None,
        resolution_partner_id=str(resolution.owner_partner_id) if resolution and resolution.owner_partner_id else None,
        claiming_partner_ids=tuple(claiming), registered_partner_ids=tuple(registered),
        open_vendor_opportunities=vendor_open)


def _deciders(partner_id: uuid.UUID) -> list[Membership]:
    partner = db.session.scalar(select(Partner).where(Partner.id == partner_id))
    if partner is not None and partner.channel_manager_id:
        manager = db.session.scalar(select(Membership).where(Membership.id == partner.channel_manager_id))
        if manager is not None and manager.active:
            return [manager]
    return list(db.session.scalars(select(Membership).where(Membership.role == roles.VENDOR_ADMIN,
                                                            Membership.partner_id.is_(None))))


def _partner_name(partner_id: uuid.UUID) -> str:
    return db.session.scalar(select(Partner.name).where(Partner.id == partner_id)) or "a partner"


def register(actor: Actor, opp: Opportunity, on: date | None = None) -> DealRegistration:
    """A partner registers its open opportunity; checked at once; the deciders are notified."""
    on = on or today()
    if opp.stage_outcome != rules.OPEN:
        raise InvalidInput({"opportunity_id": "Register an open opportunity (this one is closed)."})
    if active_registration(opp) is not None:
        raise ConflictError("This opportunity is already registered.")
    account = db.session.scalar(select(Account).where(Account.id == opp.account_id))
    result = rules.check_registration(check_input(opp.partner_id, account, on))
    settings = settings_of(actor.tenant)
    now = utcnow()
    reg = DealRegistration(
        id=uuid.uuid4(), opportunity_id=opp.id, partner_id=opp.partner_id, account_id=account.id,
        domain=account.domain, status=rules.PENDING, check_outcome=result.outcome, check=result.as_json(),
        submitted_by_id=actor.membership.id, submitted_at=now,
        decision_due=rules.add_business_days(on, settings.sla_business_days))
    db.session.add(reg)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent twin registered it first; the request rolls back
        raise ConflictError("This opportunity is already registered.") from None
    record("registration.create", reg, after={**snapshot(reg, REG_FIELDS), "opportunity_id": str(opp.id),
                                              "check": result.as_json()},
           summary=f"Registered the deal {opp.product} on {account.name} ({result.outcome})")
    name = _partner_name(opp.partner_id)
    notify(_deciders(opp.partner_id), subject=f"Deal registration from {name}: {result.outcome}",
           body=f"{name} registered {opp.product} on {account.name}. Decide by {reg.decision_due.isoformat()}.",
           link=f"/opportunities/registrations/{reg.id}", kind="registration")
    return reg


def register_new(actor: Actor, body: dict) -> DealRegistration:
    """Create the opportunity and register it in one step (both or neither are written)."""
    opp = create_opportunity(actor, {k: v for k, v in body.items() if k != "opportunity_id"})
    return register(actor, opp)


def _check_version(reg: DealRegistration, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != reg.version:
        raise ConflictError("Someone else changed this registration first. Reload and try again.")


def recheck(reg: DealRegistration, on: date | None = None) -> rules.CheckResult:
    """Run the check again (after a resolution, a rejection elsewhere...); audited when it changes."""
    on = on or today()
    account = db.session.scalar(select(Account).where(Account.id == reg.account_id))
    result = rules.check_registration(check_input(reg.partner_id, account, on, exclude_registration=reg.id))
    if result.as_json() != reg.check:
        before = {"check": reg.check}
        reg.check = result.as_json()
        reg.check_outcome = result.outcome
        db.session.flush()
        record("registration.recheck", reg, before=before, after={"check": reg.check},
               summary=f"Registration check is now {result.outcome}")
    return result


def resolve(actor: Actor, reg: DealRegistration, resolution: str, note: str) -> DealRegistration:
    """Resolve the account's conflict with the one channel-conflict mechanism, then check again."""
    if not reg.domain:
        raise InvalidInput({"resolution": "This account has no domain, so its ownership cannot be resolved; "
                                          "reject the registration or add a domain to the account."})
    if not isinstance(note, str):
        raise InvalidInput({"note": "Must be text."})
    resolve_conflict(reg.domain, resolution, reg.partner_id if resolution == "partner" else None, note,
                     actor.user.email)
    recheck(reg)
    return reg


def approve(actor: Actor, reg: DealRegistration, note: str = "", on: date | None = None,
            expected_version: int | None = None) -> DealRegistration:
    on = on or today()
    _check_version(reg, expected_version)
    if reg.status != rules.PENDING:
        raise ConflictError(f"Only a pending registration can be approved (this one is {reg.status}).")
    opp = db.session.scalar(select(Opportunity).where(Opportunity.id == reg.opportunity_id))
    if opp.stage_outcome != rules.OPEN:
        raise ConflictError(f"The opportunity is already {opp.stage_outcome}: reject the registration instead.")
    if recheck(reg, on).outcome != "clear":
        raise ConflictError("The registration is in conflict: resolve the account's ownership first.")
    before = snapshot(reg, REG_FIELDS)
    reg.status = rules.APPROVED
    reg.decided_by_id = actor.membership.id
    reg.decided_at = utcnow()
    reg.decision_note = (note or "").strip()[:NOTE_MAX]
    reg.protected_until = on + timedelta(days=settings_of(actor.tenant).protection_days)
    db.session.flush()
    record("registration.approve", reg, before=before, after=snapshot(reg, REG_FIELDS),
           summary=f"Approved a deal registration, protected until {reg.protected_until.isoformat()}")
    _tell_partner(reg, f"Deal registration approved, protected until {reg.protected_until.isoformat()}")
    return reg


def reject(actor: Actor, reg: DealRegistration, note: str, expected_version: int | None = None) -> DealRegistration:
    _check_version(reg, expected_version)
    if not isinstance(note, str) or not note.strip():
        raise InvalidInput({"note": "Say why the registration is rejected."})
    if len(note) > NOTE_MAX:
        raise InvalidInput({"note": f"Use at most {NOTE_MAX} characters."})
    if reg.status != rules.PENDING:
        raise ConflictError(f"Only a pending registration can be rejected (this one is {reg.status}).")
    before = snapshot(reg, REG_FIELDS)
    reg.status = rules.REJECTED
    reg.decided_by_id = actor.membership.id
    reg.decided_at = utcnow()
    reg.decision_note = note.strip()
    db.session.flush()
    record("registration.reject", reg, before=before, after=snapshot(reg, REG_FIELDS),
           summary="Rejected a deal registration")
    _tell_partner(reg, "Deal registration rejected")
    return reg


def extend(actor: Actor, reg: DealRegistration, on: date | None = None,
           expected_version: int | None = None) -> DealRegistration:
    on = on or today()
    _check_version(reg, expected_version)
    if rules.effective_status(reg.status, reg.protected_until, on) != rules.APPROVED:
        raise ConflictError("Only an approved registration still under protection can be extended.")
    if reg.extended:
        raise ConflictError("The protection was already extended once.")
    before = snapshot(reg, REG_FIELDS)
    reg.protected_until = reg.protected_until + timedelta(days=settings_of(actor.tenant).extension_days)
    reg.extended = True
    db.session.flush()
    record("registration.extend", reg, before=before, after=snapshot(reg, REG_FIELDS),
           summary=f"Extended a deal registration's protection to {reg.protected_until.isoformat()}")
    return reg


def record_outcome(actor: Actor, reg: DealRegistration, outcome: str, on: date | None = None) -> DealRegistration:
    """Win or loss of an approved registration still under protection (expired ones are recorded
    as expired by the clock)."""
    on = on or today()
    if outcome not in (rules.REG_WON, rules.REG_LOST):
        raise InvalidInput({"outcome": "Use won or lost."})
    if rules.effective_status(reg.status, reg.protected_until, on) != rules.APPROVED:
        raise ConflictError("Only an approved registration still under protection records a win or loss.")
    opp = db.session.scalar(select(Opportunity).where(Opportunity.id == reg.opportunity_id))
    _close(actor, reg, opp, outcome, set_stage=True, on=on)
    return reg


def _close(actor: Actor, reg: DealRegistration, opp: Opportunity, outcome: str, *, set_stage: bool,
           on: date | None = None) -> None:
    on = on or today()
    settings = settings_of(actor.tenant)
    if set_stage:
        stage = settings.first_with(outcome)
        before_opp = snapshot(opp, OPP_FIELDS)
        opp.stage, opp.stage_outcome = stage.key, stage.outcome
        db.session.flush()
        record("opportunity.update", opp, before=before_opp, after=snapshot(opp, OPP_FIELDS),
               summary=f"The opportunity {opp.product} is {outcome}")
    before = snapshot(reg, REG_FIELDS)
    reg.status = outcome
    reg.closed_at = utcnow()
    db.session.flush()
    record(f"registration.{outcome}", reg, before=before, after=snapshot(reg, REG_FIELDS),
           summary=f"Deal registration {outcome}")
    if outcome == rules.REG_WON:
        account = db.session.scalar(select(Account).where(Account.id == opp.account_id))
        # The won deal is the next link of the account's success chain: its first renewal.
        add_insight(account, "renewal", {"due_date": (on + timedelta(days=RENEWAL_AFTER_DAYS)).isoformat(),
                                         "status": "upcoming", "amount": str(opp.amount),
                                         "notes": f"Won registered deal: {opp.product} ({opp.currency})"[:1000]}, actor)


def _tell_partner(reg: DealRegistration, subject: str) -> None:
    submitter = db.session.scalar(select(Membership).where(Membership.id == reg.submitted_by_id)) \
        if reg.submitted_by_id else None
    notify([submitter] if submitter else [], subject=subject, body=reg.decision_note or subject,
           link=f"/opportunities/registrations/{reg.id}", kind="registration")


@dataclass
class SweepResult:
    expired: int
    overdue_notified: int


def sweep(on: date | None = None) -> SweepResult:
    """Record expiries the clock decided and notify deciders of overdue registrations (once each)."""
    on = on or today()
    expired = 0
    for reg in db.session.scalars(select(DealRegistration).where(
            DealRegistration.status == rules.APPROVED, DealRegistration.protected_until < on)):
        before = snapshot(reg, REG_FIELDS)
        reg.status = rules.EXPIRED
        reg.closed_at = utcnow()
        db.session.flush()
        record("registration.expire", reg, before=before, after=snapshot(reg, REG_FIELDS),
               summary="Deal registration protection expired", actor=(None, "system:clock"))
        expired += 1
    notified = 0
    for reg in db.session.scalars(select(DealRegistration).where(
            DealRegistration.status == rules.PENDING, DealRegistration.decision_due < on,
            DealRegistration.overdue_notified_at.is_(None))):
        name = _partner_name(reg.partner_id)
        notify(_deciders(reg.partner_id), subject=f"Overdue deal registration from {name}",
               body=f"The registration from {name} was due for a decision on {reg.decision_due.isoformat()}.",
               link=f"/opportunities/registrations/{reg.id}", kind="registration")
        reg.overdue_notified_at = utcnow()
        notified += 1
    db.session.flush()
    return SweepResult(expired, notified)
