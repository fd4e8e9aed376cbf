"""A person's notices: the list, open one (marks it read), mark all read."""
from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from app.auth.context import current_actor
from app.extensions import db
from app.notifications import bp
from app.notifications.models import Notification
from app.notifications.policies import get_notification_or_404, scope_notifications
from app.notifications.services import mark_all_read, mark_read

PAGE = 50


def safe_link(link: str | None) -> str | None:
    """Only a path inside this portal is followed (never another host)."""
    if link and link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link
    return None


@bp.get("/")
def index():
    actor = current_actor()
    page = max(1, request.args.get("page", 1, type=int) or 1)
    stmt = scope_notifications(actor)
    total = db.session.scalar(scope_notifications(actor, select(func.count()).select_from(Notification))) or 0
    notices = db.session.scalars(stmt.order_by(Notification.created_at.desc(), Notification.id)
                                 .offset((page - 1) * PAGE).limit(PAGE)).all()
    return render_template("notifications/index.html", notices=notices, page=page,
                           pages=max(1, -(-total // PAGE)), total=total, args=request.args, safe_link=safe_link)


@bp.post("/<uuid:notification_id>/read")
def read(notification_id: uuid.UUID):
    actor = current_actor()
    notice = get_notification_or_404(actor, notification_id)
    mark_read(actor, notice)
    return redirect(safe_link(notice.link) or url_for("notifications.index"))


@bp.post("/read-all")
def read_all():
    count = mark_all_read(current_actor())
    flash(f"Marked {count} notice{'s' if count != 1 else ''} read." if count else "Nothing unread.", "success")
    return redirect(url_for("notifications.index"))
