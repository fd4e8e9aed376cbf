"""GET /api/v1/audit: the tenant's audit chain for vendor admins, filtered, paginated by cursor."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from flask import jsonify, request
from sqlalchemy import func, or_, select

from app.api import bp
from app.api.helpers import actor, keyset_page
from app.api.openapi import PAGE_PARAMETERS, documented
from app.audit.models import AuditEvent
from app.audit.schemas import EventOut, EventPage
from app.auth.policies import is_vendor_admin, require
from app.core.errors import InvalidInput

FILTERS = [
    {"name": "actor", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 254},
     "description": "The acting user's e-mail (or `system`), case-insensitive, exact."},
    {"name": "action", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 64},
     "description": "An action (`partner.create`), or a prefix ending in a dot (`partner.`)."},
    {"name": "object", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 130},
     "description": "An object type (`agreement`), `type:id`, or an object id."},
    {"name": "since", "in": "query", "required": False, "schema": {"type": "string", "format": "date-time"},
     "description": "Events at or after this instant (RFC 3339, with its offset)."},
]


RFC3339 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})")


def _since(raw: str) -> datetime:
    """An RFC 3339 date-time (what the document's `format: date-time` means), else 422."""
    refused = InvalidInput({"since": "Use an RFC 3339 date-time such as 2026-12-01T00:00:00Z."})
    if not RFC3339.fullmatch(raw):
        raise refused
    try:
        return datetime.fromisoformat(raw.upper().replace("Z", "+00:00"))
    except ValueError:
        raise refused


def event_json(e: AuditEvent) -> dict:
    return EventOut(id=str(e.id), seq=e.seq, created_at=e.created_at.astimezone(timezone.utc).isoformat(),
                    actor=e.actor, actor_id=str(e.actor_id) if e.actor_id else None, action=e.action,
                    object_type=e.object_type, object_id=e.object_id, summary=e.summary,
                    before=e.before, after=e.after, prev_hash=e.prev_hash, hash=e.hash).model_dump(mode="json")


def filtered(args) -> object:
    """The events matching the query's filters (the tenant scope adds the tenant)."""
    too_long = {f["name"]: f"Use at most {f['schema']['maxLength']} characters." for f in FILTERS
                if "maxLength" in f["schema"] and len(args.get(f["name"], "")) > f["schema"]["maxLength"]}
    if too_long:
        raise InvalidInput(too_long)
    stmt = select(AuditEvent)
    if args.get("actor"):
        stmt = stmt.where(func.lower(AuditEvent.actor) == args["actor"].strip().lower())
    if args.get("action"):
        action = args["action"].strip().lower()
        stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True) if action.endswith(".")
                          else AuditEvent.action == action)
    if args.get("object"):
        kind, sep, ident = args["object"].strip().partition(":")
        if sep:
            stmt = stmt.where(AuditEvent.object_type == kind.lower(), AuditEvent.object_id == ident)
        else:
            stmt = stmt.where(or_(AuditEvent.object_type == kind.lower(), AuditEvent.object_id == kind))
    if "since" in args:
        stmt = stmt.where(AuditEvent.created_at >= _since(args["since"]))
    return stmt


@bp.get("/audit")
@documented(response=EventPage, query=FILTERS + PAGE_PARAMETERS)
def list_audit_events():
    """The audit chain, oldest first, filtered by actor, action, object and since (vendor admin)."""
    require(is_vendor_admin(actor()))
    rows, cursor = keyset_page(filtered(request.args), (AuditEvent.seq,), key_of=lambda e: (e.seq,),
                               convert=lambda v: (int(v[0]),))
    return jsonify({"items": [event_json(e) for e in rows], "next_cursor": cursor})
