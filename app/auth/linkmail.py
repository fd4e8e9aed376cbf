"""E-mails that carry a one-time link: password reset and invitation.

`send_link_mail` hands the message to an installed link mailer (app.jobs: the worker), passing only
the purpose, the user's id and the tenant's; `compose_and_send` makes the token, the link and the
text and sends them, in the request or in the worker. So the raw token exists only in the memory of
the process that sends it and in the message itself: never in a queue, a job row or a log.
"""
from __future__ import annotations

import uuid

from flask import current_app

from app.auth.models import User
from app.auth.services import issue_email_token
from app.core.registry import LINK_MAILERS
from app.extensions import db
from app.mail import send_mail
from app.tenants.models import Tenant

PURPOSES = ("reset", "invite")


def send_link_mail(purpose: str, user: User, tenant_id: uuid.UUID | None = None) -> None:
    """Send the reset or invitation mail, through the queue when one takes it (MAIL_VIA_QUEUE)."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    if current_app.config.get("MAIL_VIA_QUEUE"):
        for mailer in LINK_MAILERS:
            if mailer(purpose, user.id, tenant_id):
                return
    compose_and_send(purpose, user.id, tenant_id)


def _link(endpoint: str, raw: str) -> str:
    # Built from the URL map, not url_for: the worker has no request (and pushing one would end its session).
    path = current_app.url_map.bind("localhost").build(endpoint, {"token": raw})
    return current_app.config["PUBLIC_BASE_URL"] + path


def compose_and_send(purpose: str, user_id: uuid.UUID, tenant_id: uuid.UUID | None = None) -> bool:
    """Issue the token and send the message now (flushes the token's digest; the caller commits)."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return False  # gone or disabled since it was asked for: nothing to send
    if purpose == "reset":
        raw = issue_email_token(user, "reset", current_app.config["RESET_TOKEN_TTL"])
        send_mail(user.email, "Reset your Tandem password",
                  f"Someone asked to reset the password of {user.email} on Tandem.\n\n"
                  f"Set a new one here within the hour:\n{_link('auth.reset_password', raw)}\n\n"
                  "If it was not you, ignore this message; nothing changes.")
        return True
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        return False
    raw = issue_email_token(user, "invite", current_app.config["INVITE_TOKEN_TTL"], tenant_id=tenant.id)
    send_mail(user.email, f"You are invited to {tenant.name} on Tandem",
              f"You have been invited to {tenant.name}'s partner portal on Tandem.\n\n"
              f"Accept within 7 days:\n{_link('auth.accept_invitation', raw)}\n")
    return True
