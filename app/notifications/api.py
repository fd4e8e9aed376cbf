"""A person's notices in the JSON API."""
from __future__ import annotations

import uuid
from datetime import datetime

from flask import jsonify, request

from app.api import bp
from app.api.contract import checked
from app.api.helpers import actor, keyset_page
from app.api.openapi import documented
from app.core.errors import InvalidInput
from app.notifications.models import Notification
from app.notifications.schemas import NoticeOut, NoticePage
from app.notifications.policies import get_notification_or_404, scope_notifications
from app.notifications.services import mark_read, unread_count

def notice_json(notice: Notification) -> dict:
    return {"id": str(notice.id), "kind": notice.kind, "subject": notice.subject, "body": notice.body,
            "link": notice.link, "created_at": notice.created_at.isoformat(),
            "read_at": notice.read_at.isoformat() if notice.read_at else None}


def _cursor_values(values: list) -> list:
    return [datetime.fromisoformat(values[0]), uuid.UUID(values[1])]


@bp.get("/notifications")
@documented(response=NoticePage)
def list_notifications():
    """The caller's own notices in the order they arrived (`?unread=true` for unread only)."""
    current = actor()
    stmt = scope_notifications(current)
    unread_only = request.args.get("unread", "false")
    if unread_only not in ("true", "false"):
        raise InvalidInput({"unread": "Use true or false."})
    if unread_only == "true":
        stmt = stmt.where(Notification.read_at.is_(None))
    # Oldest first, so a client syncing with the cursor never misses a notice that arrives later.
    rows, next_cursor = keyset_page(stmt, [Notification.created_at, Notification.id],
                                    lambda n: [n.created_at, n.id], convert=_cursor_values)
    return jsonify(checked(NoticePage, {"items": [notice_json(n) for n in rows], "unread": unread_count(current),
                                        "next_cursor": next_cursor}))


@bp.post("/notifications/<uuid:notification_id>/read")
@documented(response=NoticeOut)
def read_notification(notification_id: uuid.UUID):
    """Mark one of the caller's notices read (idempotent)."""
    current = actor()
    notice = get_notification_or_404(current, notification_id)
    mark_read(current, notice)
    return jsonify(checked(NoticeOut, notice_json(notice)))
