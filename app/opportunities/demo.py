"""Demo data: opportunities of both sides and registrations clear, in conflict, approved, won and expired."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts.models import Account
from app.auth.context import actor_for_email
from app.extensions import db
from app.opportunities import services


def _account(owner_partner_id, domain: str) -> str:
    owner = Account.owner_partner_id.is_(None) if owner_partner_id is None else Account.owner_partner_id == owner_partner_id
    return str(db.session.scalar(select(Account.id).where(owner, Account.domain == domain)))


def seed(demo) -> None:
    acme_p, globex_p = demo.partners["Acme Consulting"], demo.partners["Globex Partners"]
    acme = actor_for_email(demo.tenant, "admin@acme-consulting.example")
    globex = actor_for_email(demo.tenant, "admin@globex-partners.example")
    manager = actor_for_email(demo.tenant, "manager@northwind.example")
    today = services.today()
    close = (today + timedelta(days=60)).isoformat()

    def opp(actor, owner, domain, kind, product, amount, **extra):
        return services.create_opportunity(actor, {"account_id": _account(owner, domain), "kind": kind,
                                                   "product": product, "amount": amount, "currency": "EUR",
                                                   "expected_close": extra.pop("close", close), **extra})

    # The vendor's own open opportunity on Litware, and one for the Acme partnership on Adventure Works.
    opp(manager, None, "litware.example", "upsell", "Analytics add-on", "42000.00", stage="qualified",
        next_step="Executive briefing")
    opp(manager, None, "adventure-works.example", "services", "Migration services with Acme", "18000.00",
        partner_id=str(acme_p.id), stage="proposal")
    # Clear and waiting for the channel manager.
    services.register(acme, opp(acme, acme_p.id, "margies-travel.example", "cross_sell", "Booking analytics",
                                "12500.00", next_step="Demo to the CFO"))
    # In conflict with the vendor's enterprise segment (vendor-led).
    services.register(acme, opp(acme, None, "contoso.example", "upsell", "Store analytics for 40 stores",
                                "96000.00", stage="proposal"))
    # Approved, under protection.
    approved = services.register(acme, opp(acme, acme_p.id, "graphicdesign.example", "renewal",
                                           "Campus licence renewal", "8000.00", stage="negotiation"))
    services.approve(manager, approved, "Clear: go ahead.")
    # Approved and won: adds a renewal link to the account's success chain.
    won = services.register(acme, opp(acme, acme_p.id, "lucerne.example", "services", "Onboarding package",
                                      "15000.00", stage="negotiation"))
    services.approve(manager, won, "")
    services.record_outcome(acme, won, "won")
    # Approved four months ago: its protection ran out, and the sweep recorded the expiry.
    long_ago = today - timedelta(days=120)
    old = opp(globex, globex_p.id, "fourthcoffee.example", "cross_sell", "Loyalty app", "6400.00")
    expired = services.register(globex, old, on=long_ago)
    services.approve(manager, expired, "", on=long_ago)
    services.sweep(today)
