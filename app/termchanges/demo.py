"""Demo data: Acme asked for a lower NPS target this quarter and the channel manager accepted; Globex's
margin exception waits for the vendor admin."""
from __future__ import annotations

from app.auth.context import actor_for_email
from app.health.services import in_force
from app.termchanges import services


def seed(demo) -> None:
    acme_admin = actor_for_email(demo.tenant, "admin@acme-consulting.example")
    manager = actor_for_email(demo.tenant, "manager@northwind.example")
    acme = demo.partners["Acme Consulting"]
    terms = [dict(t) for t in in_force(acme.id).terms]
    for t in terms:
        if t["key"] == "nps":
            t["target"] = "40"
    change = services.propose_change(acme_admin, acme, {
        "kind": "agreement_terms", "metrics": terms,
        "reason": "Two large customers are mid-migration this quarter; their NPS will dip before it recovers."})
    services.accept_change(manager, change, acme)
    globex = demo.partners["Globex Partners"]
    services.propose_change(actor_for_email(demo.tenant, "admin@globex-partners.example"), globex, {
        "kind": "margin_exception", "margin_pct": "16.50",
        "reason": "We funded two certified consultants this quarter; we ask for a margin exception while they ramp up."})
