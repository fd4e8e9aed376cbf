"""E-mail as a job, so a slow SMTP server no longer slows the request that sends it.

Only mail sent from a request of a tenant goes through the queue (MAIL_VIA_QUEUE); commands and
the demo send at once, and messages carrying a one-time secret (invitations, password resets)
are sent at once by their callers, so no secret rests in the jobs table.
"""
from __future__ import annotations

from flask import current_app, g, has_request_context

from app.jobs.kinds import JobKind, register_kind
from app.jobs.services import start_job
from app.mail import send_mail
from app.tenancy import current_tenant_id

KIND = "mail.send"


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
