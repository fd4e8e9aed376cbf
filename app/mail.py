"""Outgoing e-mail: SMTP when configured, otherwise .eml files in the development outbox."""
from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from app.core.db import utcnow


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message, or drop it in instance/outbox/ when no SMTP host is set."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    if cfg.get("MAIL_SMTP_HOST"):
        with smtplib.SMTP(cfg["MAIL_SMTP_HOST"], cfg["MAIL_SMTP_PORT"], timeout=10) as smtp:
            if cfg.get("MAIL_SMTP_STARTTLS"):
                smtp.starttls()
            if cfg.get("MAIL_SMTP_USER"):
                smtp.login(cfg["MAIL_SMTP_USER"], cfg["MAIL_SMTP_PASSWORD"] or "")
            smtp.send_message(msg)
        return
    outbox = Path(cfg["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    (outbox / name).write_bytes(bytes(msg))
    current_app.logger.info("mail to %s written to %s", to, outbox / name)
