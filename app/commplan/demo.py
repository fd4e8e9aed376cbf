"""Demo data: Acme's plan with contacts on both sides, meetings, channels, reviewed; Globex's is overdue."""
from __future__ import annotations

from datetime import timedelta

from app.commplan import services
from app.core.db import utcnow
from app.auth.context import actor_for_email


def seed(demo) -> None:
    acme = demo.partners["Acme Consulting"]
    manager = actor_for_email(demo.tenant, "manager@northwind.example")
    acme_admin = actor_for_email(demo.tenant, "admin@acme-consulting.example")
    for who, role, name, email in ((manager, "channel_manager", "Carlos Manager", "manager@northwind.example"),
                                   (manager, "executive_sponsor", "Vera Admin", "admin@northwind.example"),
                                   (acme_admin, "executive_sponsor", "Anna Acme", "anna@acme-consulting.example"),
                                   (acme_admin, "cs_lead", "Priya Partner-Admin", "admin@acme-consulting.example"),
                                   (acme_admin, "technical_lead", "Pat Partner-User", "user@acme-consulting.example")):
        services.add_contact(who, acme, {"role": role, "name": name, "email": email})
    today = utcnow().date()
    services.add_meeting(manager, acme, {"kind": "qbr", "cadence": "quarterly",
                                         "next_date": (today + timedelta(days=40)).isoformat()})
    services.add_meeting(manager, acme, {"kind": "monthly_ops", "cadence": "monthly",
                                         "next_date": (today + timedelta(days=9)).isoformat(),
                                         "note": "Pipeline, renewals at risk, open requests"})
    services.set_channels(acme, ["email", "video_call", "portal"])
    services.mark_reviewed(acme_admin, acme)
    globex = demo.partners["Globex Partners"]
    services.add_contact(manager, globex, {"role": "channel_manager", "name": "Carlos Manager",
                                           "email": "manager@northwind.example"})
