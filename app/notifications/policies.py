"""A notice is its addressee's alone: anyone else, even in the same tenant, gets 404."""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import Select, select

from app.auth.context import Actor
from app.extensions import db
from app.notifications.models import Notification


def scope_notifications(actor: Actor, stmt: Select | None = None) -> Select:
    stmt = stmt if stmt is not None else select(Notification)
    return stmt.where(Notification.membership_id == actor.membership.id)


def get_notification_or_404(actor: Actor, notification_id: uuid.UUID) -> Notification:
    found = db.session.scalar(scope_notifications(actor).where(Notification.id == notification_id))
    if found is None:
        abort(404)
    return found
