"""What one side reads of an opportunity or a registration; the single redaction for pages and API.

A partner never learns another partner's name or ids: conflict reasons say "another partner".
Vendor staff get the partners a conflict is with, by name.
"""
from __future__ import annotations

import uuid
from datetime import date
from types import SimpleNamespace

from sqlalchemy import inspect as sa_inspect, select

from app.accounts.models import Account
from app.auth.context import Actor
from app.extensions import db
from app.opportunities import rules
from app.opportunities.models import DealRegistration, Opportunity
from app.opportunities.policies import can_decide, can_edit, can_record_outcome, can_register
from app.partners.models import Partner


def _accounts(ids) -> dict:
    """Name and domain of the accounts opportunities are on (one statement for a list)."""
    ids = list(set(ids))
    if not ids:
        return {}
    return {row.id: {"id": str(row.id), "name": row.name, "domain": row.domain} for row in db.session.execute(
        select(Account.id, Account.name, Account.domain).where(Account.id.in_(ids)))}


def opportunity_view(actor: Actor, opp: Opportunity, registration: DealRegistration | None = None, *,
                     accounts: dict | None = None, loaded: bool = False) -> dict:
    """One opportunity; `loaded` says `registration` (maybe None) and `accounts` were read already."""
    accounts = accounts if accounts is not None else _accounts([opp.account_id])
    out = {"id": str(opp.id), "account": accounts.get(opp.account_id, {"id": str(opp.account_id)}), "side": opp.side,
           "partner_id": str(opp.partner_id) if opp.partner_id else None, "kind": opp.kind,
           "product": opp.product, "amount": opp.amount, "currency": opp.currency,
           "expected_close": opp.expected_close.isoformat(), "quarter": opp.close_quarter, "stage": opp.stage,
           "stage_outcome": opp.stage_outcome, "next_step": opp.next_step, "version": opp.version,
           "created_at": opp.created_at, "can_edit": can_edit(actor, opp), "can_register": False}
    if registration is None and not loaded:
        registration = db.session.scalar(select(DealRegistration).where(DealRegistration.opportunity_id == opp.id))
    out["registration_id"] = str(registration.id) if registration else None
    out["can_register"] = registration is None and opp.stage_outcome == rules.OPEN and can_register(actor, opp)
    return out


def opportunity_views(actor: Actor, opps) -> list[dict]:
    """A list of opportunities in three statements, whatever its length."""
    opps = list(opps)
    if not opps:
        return []
    accounts = _accounts(o.account_id for o in opps)
    regs = {r.opportunity_id: r for r in db.session.scalars(
        select(DealRegistration).where(DealRegistration.opportunity_id.in_([o.id for o in opps])))}
    return [opportunity_view(actor, o, regs.get(o.id), accounts=accounts, loaded=True) for o in opps]


def reasons_view(actor: Actor, check: dict) -> list[dict]:
    """Conflict reasons: partners see "vendor" or "another partner" and the message only."""
    out = []
    names: dict = {}
    if actor.is_vendor:
        ids = {pid for r in check.get("reasons", []) for pid in r.get("partner_ids", [])}
        if ids:
            names = {str(p.id): p.name for p in db.session.scalars(select(Partner).where(
                Partner.id.in_([uuid.UUID(i) for i in ids])))}
    for r in check.get("reasons", []):
        item = {"code": r["code"], "with": "vendor" if r["with"] == "vendor" else rules.ANOTHER_PARTNER,
                "message": r["message"]}
        if actor.is_vendor:
            item["partners"] = [{"id": pid, "name": names.get(pid, "")} for pid in r.get("partner_ids", [])]
        out.append(item)
    return out


def registration_views(actor: Actor, regs) -> list[dict]:
    """A list of registrations in a few statements, whatever its length."""
    regs = list(regs)
    if not regs:
        return []
    opps = {o.id: o for o in db.session.scalars(select(Opportunity).where(
        Opportunity.id.in_([r.opportunity_id for r in regs])))}
    accounts = _accounts(o.account_id for o in opps.values())
    names = {pid: name for pid, name in db.session.execute(select(Partner.id, Partner.name).where(
        Partner.id.in_({r.partner_id for r in regs})))} if actor.is_vendor else {}
    return [registration_view(actor, r, opp=opps[r.opportunity_id], accounts=accounts, names=names) for r in regs]


def registration_row_columns() -> list:
    """A registration's columns, its opportunity's (prefixed opp_) and the account's name and domain, for a
    select joined on Opportunity and (outer) Account whose rows registration_views_from_rows reads."""
    return ([getattr(DealRegistration, a.key).label(a.key) for a in sa_inspect(DealRegistration).column_attrs]
            + [getattr(Opportunity, a.key).label("opp_" + a.key) for a in sa_inspect(Opportunity).column_attrs]
            + [Account.name.label("account_name"), Account.domain.label("account_domain")])


def registration_views_from_rows(actor: Actor, rows, names: dict) -> list[dict]:
    """registration_views for rows that already carry the opportunity and the account (no statement)."""
    reg_keys = [a.key for a in sa_inspect(DealRegistration).column_attrs]
    opp_keys = [a.key for a in sa_inspect(Opportunity).column_attrs]
    pairs, accounts = [], {}
    for row in rows:
        data = row._asdict()
        reg = SimpleNamespace(**{k: data[k] for k in reg_keys})
        opp = SimpleNamespace(**{k: data["opp_" + k] for k in opp_keys})
        if data["account_name"] is not None:
            accounts[opp.account_id] = {"id": str(opp.account_id), "name": data["account_name"],
                                        "domain": data["account_domain"]}
        pairs.append((reg, opp))
    return [registration_view(actor, reg, opp=opp, accounts=accounts, names=names) for reg, opp in pairs]


def registration_view(actor: Actor, reg: DealRegistration, today: date | None = None, *, opp: Opportunity | None = None,
                      accounts: dict | None = None, names: dict | None = None) -> dict:
    from app.opportunities.services import today as _today

    today = today or _today()
    status = rules.effective_status(reg.status, reg.protected_until, today)
    if opp is None:
        opp = db.session.scalar(select(Opportunity).where(Opportunity.id == reg.opportunity_id))
    out = {"id": str(reg.id), "opportunity": opportunity_view(actor, opp, reg, accounts=accounts, loaded=True),
           "status": status,
           "check": {"outcome": reg.check_outcome, "reasons": reasons_view(actor, reg.check or {})},
           "submitted_at": reg.submitted_at, "decision_due": reg.decision_due.isoformat(),
           "overdue": rules.is_overdue(status, reg.decision_due, today),
           "protected_until": reg.protected_until.isoformat() if reg.protected_until else None,
           "extended": reg.extended, "decision_note": reg.decision_note, "version": reg.version,
           "can_decide": can_decide(actor, reg) and status == rules.PENDING,
           "can_extend": can_decide(actor, reg) and status == rules.APPROVED and not reg.extended,
           "can_record_outcome": can_record_outcome(actor, reg) and status == rules.APPROVED}
    if actor.is_vendor:
        name = (names or {}).get(reg.partner_id) or db.session.scalar(
            select(Partner.name).where(Partner.id == reg.partner_id))
        out["partner"] = {"id": str(reg.partner_id), "name": name}
    return out
