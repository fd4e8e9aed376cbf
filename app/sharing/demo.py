"""Demo data: non-default sharing for Acme, both ways (after the accounts demo, order 41 > 40)."""
from __future__ import annotations

from app.accounts.models import PARTNER_TO_VENDOR, VENDOR_TO_PARTNER
from app.sharing.services import change_sharing


def seed(demo) -> None:
    acme = demo.partners["Acme Consulting"]
    # Acme shares chosen fields and insight kinds with the vendor; the vendor shares fields back.
    change_sharing(acme, PARTNER_TO_VENDOR, "fields", ["industry", "region", "employees", "opportunity",
                                                     "engagement"], "admin@acme-consulting.example")
    change_sharing(acme, VENDOR_TO_PARTNER, "fields", ["segment", "industry", "renewal_date", "renewal",
                                                     "engagement", "outcome", "playbook_feedback"],
                   "admin@northwind.example")
