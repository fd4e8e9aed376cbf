"""Filing, supporting, triaging enhancement requests and writing use cases; audited and notified."""
from __future__ import annotations

import re
import uuid

from sqlalchemy import and_, case, func, or_, select

from app.accounts.models import Account
from app.audit.services import actor_of, record
from app.auth.context import Actor
from app.auth.models import Membership
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.enhancements.models import (
    CLOSED_STATUSES, STATUS_LABELS, STATUSES, URGENCIES, EnhancementAccount, EnhancementRequest,
    EnhancementSupport, StatusEvent, UseCase,
)
from app.enhancements.policies import side_of
from app.extensions import db
from app.health.periods import parse_period
from app.notifications.services import notify
from app.sharing.models import PARTNER_TO_VENDOR
from app.sharing.policies import scope_accounts, settings_by_partner

TITLE_MAX = 200
TEXT_MAX = 4000
NOTE_MAX = 2000
MAX_ACCOUNTS = 500
MAX_COUNT = 1_000_000
SEARCH_WORDS = 8


def _text(errors: dict, field: str, value: object, *, required: bool = True, max_len: int = TEXT_MAX) -> str:
    if value is not None and not isinstance(value, str):
        errors[field] = "must be text"
        return ""
    text = (value or "").strip()
    if required and not text:
        errors[field] = "is required"
    elif len(text) > max_len:
        errors[field] = f"must be at most {max_len} characters"
    return text


def _count(errors: dict, value: object) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        errors["affected_count"] = f"must be a whole number from 0 to {MAX_COUNT}"
        return None
    return value


def _own_accounts(errors: dict, partner_id: uuid.UUID, raw: object) -> list[uuid.UUID]:
    """Account ids that must all be the partner's own accounts; anything else is a field error."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or len(raw) > MAX_ACCOUNTS:
        errors["account_ids"] = f"send a list of at most {MAX_ACCOUNTS} of your account ids"
        return []
    ids: list[uuid.UUID] = []
    for item in raw:
        try:
            ids.append(uuid.UUID(str(item)))
        except ValueError:
            errors["account_ids"] = "each entry must be the id of one of your accounts"
            return []
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    found = set(db.session.scalars(select(Account.id).where(Account.id.in_(ids),
                                                             Account.owner_key == str(partner_id))))
    if len(found) != len(ids):
        # Same message whether the id is another partner's, the vendor's or unknown: nothing leaks.
        errors["account_ids"] = "choose only your own accounts"
        return []
    return ids


def _event(req: EnhancementRequest, actor: Actor | None, from_status: str | None, note: str = "") -> StatusEvent:
    event = StatusEvent(id=uuid.uuid4(), request_id=req.id, from_status=from_status, to_status=req.status,
                        note=note, actor_side=side_of(actor) if actor else "vendor",
                        actor_id=actor.membership.id if actor else None)
    db.session.add(event)
    return event


def file_request(actor: Actor, data: dict) -> EnhancementRequest:
    """A partner files a request; its partner becomes the first supporter. 422 writes nothing."""
    errors: dict[str, str] = {}
    title = _text(errors, "title", data.get("title"), max_len=TITLE_MAX)
    problem = _text(errors, "problem", data.get("problem"))
    outcome = _text(errors, "outcome", data.get("outcome"))
    urgency = data.get("urgency")
    if urgency not in URGENCIES:
        errors["urgency"] = f"use one of: {', '.join(URGENCIES)}"
    count = _count(errors, data.get("affected_count"))
    account_ids = _own_accounts(errors, actor.partner_id, data.get("account_ids"))
    if errors:
        raise InvalidInput(errors)
    req = EnhancementRequest(id=uuid.uuid4(), partner_id=actor.partner_id, filed_by_id=actor.membership.id,
                             title=title, problem=problem, outcome=outcome, urgency=urgency, status="new",
                             status_changed_at=utcnow())
    db.session.add(req)
    db.session.flush()
    _add_support(req, actor, account_ids, count, "", is_requester=True)
    _event(req, actor, None)
    db.session.flush()
    record("enhancement.file", req, after={"title": title, "urgency": urgency, "affected_count": count,
                                          "accounts": len(account_ids)},
           summary=f"Enhancement request filed: {title[:120]}",
           actor=actor_of(actor.membership if actor else None))
    return req


def _add_support(req, actor, account_ids, count, note, is_requester=False) -> EnhancementSupport:
    support = EnhancementSupport(id=uuid.uuid4(), request_id=req.id, partner_id=actor.partner_id,
                                 membership_id=actor.membership.id, is_requester=is_requester,
                                 affected_count=count, note=note)
    db.session.add(support)
    for account_id in account_ids:
        db.session.add(EnhancementAccount(id=uuid.uuid4(), request_id=req.id, partner_id=actor.partner_id,
                                          account_id=account_id))
    return support


def support_request(actor: Actor, req: EnhancementRequest, data: dict) -> EnhancementSupport:
    """Another partner adds its support (once per partner), with its own affected accounts or count."""
    errors: dict[str, str] = {}
    note = _text(errors, "note", data.get("note"), required=False, max_len=NOTE_MAX)
    count = _count(errors, data.get("affected_count"))
    account_ids = _own_accounts(errors, actor.partner_id, data.get("account_ids"))
    already = db.session.scalar(select(EnhancementSupport.id).where(
        EnhancementSupport.request_id == req.id, EnhancementSupport.partner_id == actor.partner_id))
    if already is not None:
        errors["request"] = "your partner already supports this request"
    if errors:
        raise InvalidInput(errors)
    support = _add_support(req, actor, account_ids, count, note)
    db.session.flush()
    record("enhancement.support", support, after={"request_id": req.id, "affected_count": count,
                                                 "accounts": len(account_ids)},
           summary=f"A partner supports the enhancement request {req.title[:120]}",
           actor=actor_of(actor.membership if actor else None))
    return support


def change_status(actor: Actor, req: EnhancementRequest, data: dict,
                  expected_version: int | None = None) -> EnhancementRequest:
    """Triage: set the status (with target quarter, release note or reason); notify requesters and supporters."""
    errors: dict[str, str] = {}
    status = data.get("status")
    if status not in STATUSES:
        errors["status"] = f"use one of: {', '.join(STATUSES)}"
    note = _text(errors, "note", data.get("note"), required=False, max_len=NOTE_MAX)
    target = None
    release_note = req.release_note
    reason = req.decline_reason
    if status == "planned":
        raw = data.get("target_quarter")
        try:
            target = str(parse_period(raw.strip() if isinstance(raw, str) else raw))
        except ValueError as exc:
            errors["target_quarter"] = str(exc)
    elif status == "shipped":
        release_note = _text(errors, "release_note", data.get("release_note"))
    elif status == "declined":
        reason = _text(errors, "reason", data.get("reason"))
    if not errors and status == req.status and (status != "planned" or target == req.target_quarter) \
            and status not in ("shipped", "declined"):
        errors["status"] = f"the request is already {STATUS_LABELS[status].lower()}"
    if errors:
        raise InvalidInput(errors)
    if expected_version is not None and expected_version != req.version:
        raise ConflictError("This request changed since you read it. Reload it and decide again.")
    before = {"status": req.status, "target_quarter": req.target_quarter}
    old = req.status
    req.status = status
    req.target_quarter = target if status == "planned" else (req.target_quarter if status == "shipped" else None)
    req.release_note = release_note if status == "shipped" else ""
    req.decline_reason = reason if status == "declined" else ""
    req.status_changed_at = utcnow()
    detail = {"planned": f"planned for {req.target_quarter}", "shipped": "shipped",
              "declined": "declined"}.get(status, STATUS_LABELS[status].lower())
    _event(req, actor, old, note or req.release_note or req.decline_reason)
    db.session.flush()
    record("enhancement.status", req, before=before,
           after={"status": status, "target_quarter": req.target_quarter, "release_note": req.release_note,
                  "reason": req.decline_reason, "note": note},
           summary=f"Enhancement request {req.title[:100]}: {old} -> {status}",
           actor=actor_of(actor.membership if actor else None))
    _notify_status(req, detail, note)
    return req


def recipients_of(req: EnhancementRequest) -> list[Membership]:
    """The people who filed or supported the request: exactly those are told of a change."""
    return list(db.session.scalars(select(Membership).join(
        EnhancementSupport, and_(EnhancementSupport.tenant_id == Membership.tenant_id,
                                 EnhancementSupport.membership_id == Membership.id))
        .where(EnhancementSupport.request_id == req.id)))


def _notify_status(req: EnhancementRequest, detail: str, note: str) -> None:
    lines = [f"The enhancement request \"{req.title}\" is now {detail}."]
    if req.status == "shipped":
        lines.append(f"Release note: {req.release_note}")
    if req.status == "declined":
        lines.append(f"Reason: {req.decline_reason}")
    if req.status == "needs_use_cases":
        lines.append("The vendor asks for use cases: describe how you would use it, so the requirements are agreed.")
    if note:
        lines.append(f"Note: {note}")
    notify(recipients_of(req), subject=f"Enhancement request {detail}: {req.title[:120]}",
           body="\n\n".join(lines), link=f"/enhancements/{req.id}", kind="enhancement")


def add_use_case(actor: Actor, req: EnhancementRequest, data: dict) -> UseCase:
    """A use case in given/when/then form or as free text, with its author side."""
    errors: dict[str, str] = {}
    given = _text(errors, "given", data.get("given"), required=False)
    when = _text(errors, "when", data.get("when"), required=False)
    then = _text(errors, "then", data.get("then"), required=False)
    text = _text(errors, "text", data.get("text"), required=False)
    if not errors:
        if any((given, when, then)):
            for field, value in (("given", given), ("when", when), ("then", then)):
                if not value:
                    errors[field] = "is required for a given/when/then use case"
            if text:
                errors["text"] = "write either given/when/then or free text, not both"
        elif not text:
            errors["text"] = "write the use case as given/when/then or as free text"
    if errors:
        raise InvalidInput(errors)
    use_case = UseCase(id=uuid.uuid4(), request_id=req.id, author_side=side_of(actor), author_id=actor.membership.id,
                       author_partner_id=actor.partner_id, given=given, when=when, then=then, text=text)
    db.session.add(use_case)
    db.session.flush()
    record("enhancement.use_case", use_case, after={"request_id": req.id, "side": use_case.author_side,
                                                   "given": given, "when": when, "then": then, "text": text},
           summary=f"{use_case.author_side.capitalize()} wrote a use case on {req.title[:120]}",
           actor=actor_of(actor.membership if actor else None))
    return use_case


# --- reading ------------------------------------------------------------------------------------


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_words(q: str) -> list[str]:
    return list(dict.fromkeys(w for w in re.findall(r"\w+", (q or "").lower()) if len(w) >= 3))[:SEARCH_WORDS]


def search(q: str, limit: int = 20) -> list[EnhancementRequest]:
    """Requests of this tenant sharing words with q, most words matched first (through the ORM scope)."""
    words = search_words(q)
    if not words:
        return []
    haystack = func.lower(EnhancementRequest.title + " " + EnhancementRequest.problem + " "
                          + EnhancementRequest.outcome)
    score = sum(case((haystack.like(_like(w), escape="\\"), 1), else_=0) for w in words)
    stmt = (select(EnhancementRequest).where(or_(*[haystack.like(_like(w), escape="\\") for w in words]))
            .order_by(score.desc(), EnhancementRequest.created_at.desc(), EnhancementRequest.id).limit(limit))
    return list(db.session.scalars(stmt))


def supporter_counts(request_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not request_ids:
        return {}
    return dict(db.session.execute(select(EnhancementSupport.request_id, func.count())
                                   .where(EnhancementSupport.request_id.in_(request_ids))
                                   .group_by(EnhancementSupport.request_id)).all())


def arr_visible_partner_keys() -> list[str]:
    """Owner keys of partners whose partner -> vendor level shows the vendor their accounts' ARR."""
    return [str(pid) for pid, level in settings_by_partner(PARTNER_TO_VENDOR).items() if "arr" in level.account_fields]


def ranking(actor: Actor, include_closed: bool = False, limit: int = 200):
    """(request, supporters, affected ARR) ranked by supporters, ARR the vendor may see, then age; in SQL.

    ARR counts only for accounts the vendor may see (scope_accounts) whose owner shares ARR.
    """
    supporters = (select(EnhancementSupport.request_id.label("rid"), func.count().label("n"))
                  .group_by(EnhancementSupport.request_id).subquery())
    arr = (select(EnhancementAccount.request_id.label("rid"), func.sum(Account.arr).label("arr"))
           .join(Account, and_(Account.tenant_id == EnhancementAccount.tenant_id,
                               Account.id == EnhancementAccount.account_id))
           .where(Account.owner_key.in_(arr_visible_partner_keys()),
                  Account.id.in_(scope_accounts(actor, select(Account.id))))
           .group_by(EnhancementAccount.request_id).subquery())
    n = func.coalesce(supporters.c.n, 0)
    total = func.coalesce(arr.c.arr, 0)
    stmt = (select(EnhancementRequest, n.label("supporters"), total.label("arr"))
            .outerjoin(supporters, supporters.c.rid == EnhancementRequest.id)
            .outerjoin(arr, arr.c.rid == EnhancementRequest.id))
    if not include_closed:
        stmt = stmt.where(EnhancementRequest.status.not_in(CLOSED_STATUSES))
    stmt = stmt.order_by(n.desc(), total.desc(), EnhancementRequest.created_at.asc(), EnhancementRequest.id)
    return list(db.session.execute(stmt.limit(limit)).all())


def requests_of_partner(partner_id: uuid.UUID) -> list[tuple[EnhancementRequest, EnhancementSupport]]:
    """The partner's requests: filed or supported, newest change first."""
    return list(db.session.execute(
        select(EnhancementRequest, EnhancementSupport)
        .join(EnhancementSupport, and_(EnhancementSupport.tenant_id == EnhancementRequest.tenant_id,
                                       EnhancementSupport.request_id == EnhancementRequest.id))
        .where(EnhancementSupport.partner_id == partner_id)
        .order_by(EnhancementRequest.status_changed_at.desc(), EnhancementRequest.id)).all())
