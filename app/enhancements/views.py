"""What each side sees of a request, field by field; pages and the API both render this.

- Every partner: the request's text, status, target quarter, release note or reason, the number of
  supporting partners, the use cases (author side only) and the status timeline.
- A partner that filed or supports it: also its own support (count, note, its own accounts).
- Vendor staff: also who filed it and each supporter (partner, person, count, note) with the
  affected accounts the sharing levels let the vendor see, and the ARR it may see.
A partner never sees another partner's name, people or accounts.
"""
from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Account
from app.auth.context import Actor
from app.auth.models import Membership, User
from app.enhancements.models import (
    STATUS_LABELS, EnhancementAccount, EnhancementRequest, EnhancementSupport, StatusEvent, UseCase,
)
from app.enhancements.policies import can_support, can_triage, can_write_use_case, own_support
from app.extensions import db
from app.partners.models import Partner
from app.sharing.policies import account_access, scope_accounts


def _accounts(ids) -> list[dict]:
    rows = db.session.scalars(select(Account).where(Account.id.in_(list(ids))).order_by(Account.name)) if ids else []
    return [{"id": str(a.id), "name": a.name, "domain": a.domain} for a in rows]


def _visible_to_vendor(actor: Actor, ids) -> list[dict]:
    if not ids:
        return []
    out = []
    for account in db.session.scalars(scope_accounts(actor, select(Account).where(Account.id.in_(list(ids))))
                                      .order_by(Account.name)):
        access = account_access(actor, account)
        item = {"id": str(account.id), "name": account.name, "domain": account.domain}
        if "arr" in access.fields:
            item["arr"] = account.arr
        out.append(item)
    return out


def use_case_view(actor: Actor, uc: UseCase, emails: dict) -> dict:
    item = {"id": str(uc.id), "author_side": uc.author_side, "given": uc.given, "when": uc.when,
            "then": uc.then, "text": uc.text, "created_at": uc.created_at,
            "yours": (uc.author_partner_id == actor.partner_id) if actor.is_partner_side else uc.author_side == "vendor"}
    if actor.is_vendor:
        item["author"] = emails.get(uc.author_id)
        item["author_partner_id"] = str(uc.author_partner_id) if uc.author_partner_id else None
    return item


def request_view(actor: Actor, req: EnhancementRequest, detail: bool = True) -> dict:
    supports = list(db.session.scalars(select(EnhancementSupport).where(EnhancementSupport.request_id == req.id)
                                       .order_by(EnhancementSupport.created_at)))
    view = {
        "id": str(req.id), "title": req.title, "problem": req.problem, "outcome": req.outcome,
        "urgency": req.urgency, "status": req.status, "status_label": STATUS_LABELS[req.status],
        "target_quarter": req.target_quarter, "release_note": req.release_note,
        "decline_reason": req.decline_reason, "created_at": req.created_at,
        "status_changed_at": req.status_changed_at, "supporters": len(supports), "version": req.version,
    }
    mine = own_support(actor, req)
    if actor.is_partner_side:
        view["yours"] = None if mine is None else ("filed" if mine.is_requester else "supported")
        view["may_support"] = can_support(actor) and mine is None
    if not detail:
        return view
    if mine is not None:
        own_ids = db.session.scalars(select(EnhancementAccount.account_id).where(
            EnhancementAccount.request_id == req.id, EnhancementAccount.partner_id == actor.partner_id))
        view["your_support"] = {"affected_count": mine.affected_count, "note": mine.note,
                                "accounts": _accounts(list(own_ids))}
    people = set(db.session.scalars(select(UseCase.author_id).where(UseCase.request_id == req.id)))
    people |= {s.membership_id for s in supports}
    emails = dict(db.session.execute(select(Membership.id, User.email).join(User, User.id == Membership.user_id)
                                     .where(Membership.id.in_(list(people)))).all()) if (people and actor.is_vendor) else {}
    use_cases = db.session.scalars(select(UseCase).where(UseCase.request_id == req.id).order_by(UseCase.created_at))
    view["use_cases"] = [use_case_view(actor, uc, emails) for uc in use_cases]
    view["timeline"] = [{"at": e.created_at, "from_status": e.from_status, "to_status": e.to_status,
                         "to_label": STATUS_LABELS.get(e.to_status, e.to_status), "note": e.note,
                         "side": e.actor_side}
                        for e in db.session.scalars(select(StatusEvent).where(StatusEvent.request_id == req.id)
                                                    .order_by(StatusEvent.created_at, StatusEvent.id))]
    view["may_write_use_case"] = can_write_use_case(actor, req)
    view["may_triage"] = can_triage(actor)
    if actor.is_vendor:
        names = dict(db.session.execute(select(Partner.id, Partner.name).where(
            Partner.id.in_([s.partner_id for s in supports]))).all())
        attached: dict = {}
        for partner_id, account_id in db.session.execute(select(EnhancementAccount.partner_id,
                                                                EnhancementAccount.account_id)
                                                         .where(EnhancementAccount.request_id == req.id)):
            attached.setdefault(partner_id, []).append(account_id)
        view["filed_by"] = {"partner_id": str(req.partner_id), "partner": names.get(req.partner_id),
                            "person": emails.get(req.filed_by_id)}
        view["supporters_detail"] = []
        arr_total = 0
        for s in supports:
            visible = _visible_to_vendor(actor, attached.get(s.partner_id, []))
            arr_total += sum(a.get("arr") or 0 for a in visible)
            view["supporters_detail"].append({
                "partner_id": str(s.partner_id), "partner": names.get(s.partner_id),
                "person": emails.get(s.membership_id), "is_requester": s.is_requester,
                "affected_count": s.affected_count, "note": s.note,
                "accounts_attached": len(attached.get(s.partner_id, [])), "accounts_visible": visible})
        view["affected_arr"] = arr_total
    return view
