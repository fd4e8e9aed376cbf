"""E-mail as a job, so a slow SMTP server no longer slows the request that sends it.

Only mail sent from a request goes through the queue (MAIL_VIA_QUEUE); commands and the demo send
at once. Mail carrying a one-time link (invitations, password resets, app.auth.linkmail) is queued
as a reference only, {purpose, user id}: the worker issues the token, builds the link and sends it,
so no secret rests in the jobs table, huey's storage or a log. An invitation is a job of its tenant
(`mail.link`, after the commit that created the user); a password reset has no tenant and its user
already exists, so it is a bare message (`tandem.link_mail`), sent at once if the queue is down.
"""
from __future__ import annotations

import logging
import uuid

from flask import current_app, g, has_request_context

from app.auth.linkmail import compose_and_send
from app.core.registry import add_link_mailer
from app.extensions import db
from app.jobs import queue

from app.jobs.kinds import JobKind, register_kind
from app.jobs.services import start_job
from app.mail import send_mail
from app.tenancy import current_tenant_id

KIND = "mail.send"
LINK_KIND = "mail.link"
log = logging.getLogger(__name__)


def send_later(messages: list[tuple[str, str, str]]) -> None:
    """Send (to, subject, body) messages from the worker once this transaction commits; at once outside a request."""
    if not messages:
        return
    actor = getattr(g, "actor", None) if has_request_context() else None
    if not (current_app.config.get("MAIL_VIA_QUEUE") and actor is not None and current_tenant_id() is not None):
        for to, subject, body in messages:
            send_mail(to, subject, body)
        return
    start_job(KIND, actor, {"messages": [list(m) for m in messages]},
              title=f"E-mail to {len(messages)} recipient{'' if len(messages) == 1 else 's'}")


def _run(job, progress) -> dict:
    messages = job.params.get("messages") or []
    total = len(messages)
    progress("writing", 0, total, force=True)
    for done, (to, subject, body) in enumerate(messages, 1):
        send_mail(to, subject, body)
        progress("writing", done, total)
    # The addresses and texts are not kept once sent.
    job.params = {key: value for key, value in job.params.items() if key != "messages"}
    return {"sent": total}


register_kind(JobKind(KIND, "E-mail", _run, unit="messages"))


def _queue_link_mail(purpose: str, user_id: uuid.UUID, tenant_id: uuid.UUID | None) -> bool:
    """The link mailer app.auth.linkmail calls: True when the worker will send it."""
    if not has_request_context():
        return False
    actor = getattr(g, "actor", None)
    if purpose == "invite":
        if actor is None or tenant_id is None or current_tenant_id() != tenant_id:
            return False
        start_job(LINK_KIND, actor, {"purpose": purpose, "user_id": str(user_id)}, title="Invitation e-mail")
        return True
    try:
        queue.get_huey().tandem_link_mail(purpose, str(user_id))
    except Exception:  # the queue is down: the caller sends it at once
        log.exception("could not queue the %s e-mail; sending it at once", purpose)
        return False
    return True


def send_link_now(app, purpose: str, user_id: str) -> bool:
    """The worker's side of a bare link message: make the token and the link, send, commit."""
    with app.app_context():
        try:
            sent = compose_and_send(purpose, uuid.UUID(user_id))
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return sent


def _run_link(job, progress) -> dict:
    progress("writing", 0, 1, force=True)
    sent = compose_and_send(job.params["purpose"], uuid.UUID(job.params["user_id"]), job.tenant_id)
    progress("writing", 1, 1, force=True)
    return {"sent": 1 if sent else 0}


add_link_mailer(_queue_link_mail)
register_kind(JobKind(LINK_KIND, "Invitation e-mail", _run_link, unit="messages"))
