"""Accounts in the JSON API: list, import, one account, its insights."""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from flask import jsonify, request
from sqlalchemy import select

from app.accounts.schemas import (
    AccountOut, AccountPage, ImportOut, ImportQueuedOut, InsightIn, InsightOut, InsightPage,
)
from app.accounts.models import Account, Insight
from app.accounts.policies import (
    access_resolver, can_add_insight, can_import, get_account_or_404, owner_names, scope_accounts, scope_insights,
)
from app.accounts.jobs import start_import
from app.accounts.services import ImportRejected, add_insight, import_accounts
from app.api import bp
from app.api.contract import checked
from app.api.helpers import actor, json_body, keyset_page
from app.api.openapi import documented
from app.auth.policies import require
from app.core.errors import InvalidInput
from app.core.web import upload
from app.jobs.routes import view_for

def json_value(value):
    """An account field as JSON: money to two places as a number, dates as ISO text."""
    if isinstance(value, Decimal):
        return float(round(value, 2))
    if isinstance(value, date):
        return value.isoformat()
    return value


def account_json(account: Account, access, names: dict) -> dict:
    """Only the fields the level allows; the others are absent, not null."""
    out = {"id": str(account.id),
           "owner": {"type": "vendor" if account.owner_partner_id is None else "partner",
                     "partner_id": str(account.owner_partner_id) if account.owner_partner_id else None,
                     "name": names.get(account.owner_partner_id)},
           "shared": not access.own}
    for f in access.fields:
        out[f] = json_value(getattr(account, f))
    out.setdefault("segment", None)
    return out


def insight_json(insight: Insight) -> dict:
    return {"id": str(insight.id), "account_id": str(insight.account_id), "kind": insight.kind,
            "data": insight.data, "occurred_on": insight.occurred_on.isoformat() if insight.occurred_on else None,
            "author_side": insight.author_side, "author_name": insight.author_name,
            "created_at": insight.created_at.isoformat()}


@bp.get("/accounts")
@documented(response=AccountPage)
def list_accounts():
    """Accounts the token may see, by name, paginated by cursor."""
    current = actor()
    require(current.is_vendor or current.is_partner_side)
    stmt = scope_accounts(current, select(Account))
    rows, cursor = keyset_page(stmt, (Account.name, Account.id), key_of=lambda a: (a.name, str(a.id)),
                               convert=lambda v: (str(v[0]), uuid.UUID(str(v[1]))))
    access, names = access_resolver(current), owner_names(current, rows)
    return jsonify(checked(AccountPage, {"items": [account_json(a, access(a), names) for a in rows],
                                         "next_cursor": cursor}))


@bp.post("/accounts/import")
@upload
@documented(response=ImportQueuedOut, status=202)
def import_accounts_api():
    """Import a CSV of accounts, all rows or none: queued as a job (202), or at once with ?wait=true (201/422)."""
    current = actor()
    require(can_import(current))
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput({"file": "Send the CSV as a multipart field named file."})
    wait = request.args.get("wait", "false")
    if wait not in ("true", "false"):
        raise InvalidInput({"wait": "Use true or false."})
    if wait == "false":
        job = start_import(upload, current)
        return jsonify(checked(ImportQueuedOut, view_for(current, job))), 202, {"Location": f"/api/v1/jobs/{job.id}"}
    try:
        result = import_accounts(upload.stream, upload.filename or "", None if current.is_vendor else current.partner_id,
                                 (current.user.id, current.user.email), current.tenant)
    except ImportRejected as rejected:
        raise InvalidInput({"file": f"{len(rejected.result.errors)} problems; nothing was imported."},
                           "The file was not imported.", rows=[e.as_dict() for e in rejected.result.errors],
                           encoding=rejected.result.encoding)
    return jsonify(checked(ImportOut, {"created": result.created, "updated": result.updated, "rows": result.rows,
                                       "encoding": result.encoding, "import_id": str(result.history.id),
                                       "warnings": [w.as_dict() for w in result.warnings]})), 201


@bp.get("/accounts/<uuid:account_id>")
@documented(response=AccountOut)
def get_account_api(account_id: uuid.UUID):
    """One account, with the fields the sharing level allows."""
    current = actor()
    account, access = get_account_or_404(current, account_id)
    return jsonify(checked(AccountOut, account_json(account, access, owner_names(current, [account]))))


@bp.get("/accounts/<uuid:account_id>/insights")
@documented(response=InsightPage)
def list_insights_api(account_id: uuid.UUID):
    """Insights on an account that the token may read, paginated by cursor."""
    current = actor()
    account, access = get_account_or_404(current, account_id)
    stmt = scope_insights(current, account, access, select(Insight))
    rows, cursor = keyset_page(stmt, (Insight.created_at, Insight.id), key_of=lambda i: (i.created_at, str(i.id)),
                               convert=_insight_cursor)
    return jsonify(checked(InsightPage, {"items": [insight_json(i) for i in rows], "next_cursor": cursor}))


def _insight_cursor(values):
    from datetime import datetime
    return (datetime.fromisoformat(str(values[0])), uuid.UUID(str(values[1])))


@bp.post("/accounts/<uuid:account_id>/insights")
@documented(request=InsightIn, response=InsightOut, status=201)
def add_insight_api(account_id: uuid.UUID):
    """Add an insight to an account the token may see."""
    current = actor()
    account, _ = get_account_or_404(current, account_id)
    require(can_add_insight(current, account))
    body = json_body()
    data = body.get("data")
    if not isinstance(data, dict):
        raise InvalidInput({"data": "Send the insight's fields as an object."})
    insight = add_insight(account, str(body.get("kind", "")), data, current)
    return jsonify(checked(InsightOut, insight_json(insight))), 201
