"""Send notices (in the portal and by e-mail) and mark them read."""
from __future__ import annotations

from typing import Iterable

from flask import current_app
from sqlalchemy import func, select, update

from app.audit.services import record
from app.auth.context import Actor, current_actor
from app.auth.models import Membership, User
from app.core.db import utcnow
from app.extensions import db
from app.jobs.mailjobs import send_later
from app.notifications.models import Notification
from app.notifications.policies import scope_notifications

SUBJECT_MAX = 200


def notify(recipients: Iterable[Membership], *, subject: str, body: str, link: str | None = None,
           kind: str = "general") -> list[Notification]:
    """One notice per distinct active recipient of the current tenant, each also e-mailed.

    Not audited here: the state change that causes a notice is audited by its own service.
    """
    unique = {m.id: m for m in recipients if m is not None and m.active}
    if not unique:
        return []
    emails = dict(db.session.execute(select(Membership.id, User.email).join(User, User.id == Membership.user_id)
                                     .where(Membership.id.in_(list(unique)))).all())
    subject = subject.strip()[:SUBJECT_MAX]
    base = current_app.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    made = []
    for membership_id in unique:
        notice = Notification(membership_id=membership_id, kind=kind, subject=subject, body=body, link=link)
        db.session.add(notice)
        made.append(notice)
    db.session.flush()
    text = body + (f"\n\nOpen it in Tandem: {base}{link}\n" if link else "\n")
    send_later([(email, f"[Tandem] {subject}", text) for email in emails.values()])
    return made


def unread_count(actor: Actor) -> int:
    return db.session.scalar(scope_notifications(actor, select(func.count()).select_from(Notification))
                             .where(Notification.read_at.is_(None))) or 0


def unread_count_for_current() -> int:
    actor = current_actor()
    return unread_count(actor) if actor is not None else 0


def mark_read(actor: Actor, notice: Notification) -> bool:
    """Mark one notice read; False when it already was (nothing changes, nothing audited)."""
    if notice.read_at is not None:
        return False
    notice.read_at = utcnow()
    db.session.flush()
    record("notification.read", notice, summary=f"Read notice: {notice.subject}")
    return True


def mark_all_read(actor: Actor) -> int:
    """Mark every unread notice of this person read in one statement; returns how many."""
    stmt = (update(Notification).where(Notification.membership_id == actor.membership.id,
                                       Notification.read_at.is_(None))
            .values(read_at=utcnow()).execution_options(synchronize_session=False))
    count = db.session.execute(stmt).rowcount or 0
    if count:
        record("notification.read_all", object_type="membership", object_id=actor.membership.id,
               after={"count": count}, summary=f"Marked {count} notices read")
    return count
