"""Demo data: vendor accounts, Acme's and Globex's customer lists with overlaps, insights of every
kind (with a broken renewal chain) and a channel conflict; app.sharing.demo then sets Acme's sharing."""
from __future__ import annotations

import io

from sqlalchemy import select

from app.accounts.models import Account
from app.accounts.services import add_insight, import_accounts, set_assignments
from app.auth.context import Actor
from app.auth.models import User
from app.extensions import db

HEADER = "name,domain,employees,industry,region,arr,renewal_date,stage\n"
VENDOR_ROWS = [
    ("Contoso Retail", "contoso.example", 2400, "Retail", "EMEA", "480000", "2027-03-31", "customer"),
    ("Fabrikam Manufacturing", "fabrikam.example", 850, "Manufacturing", "NA", "210000", "2027-01-15", "customer"),
    ("Tailspin Toys", "tailspin.example", 60, "Retail", "NA", "24000", "2026-12-31", "customer"),
    ("Litware Health", "litware.example", 1300, "Healthcare", "EMEA", "390000", "2027-06-30", "customer"),
    ("Adventure Works", "adventure-works.example", 420, "Travel", "EMEA", "96000", "2027-02-28", "customer"),
    ("Wide World Importers", "wideworld.example", 75, "Logistics", "APAC", "18000", "2027-04-30", "customer"),
    ("Proseware", "proseware.example", 30, "Software", "NA", "9000", "2027-05-31", "trial"),
    ("Northwind Traders", "northwind-traders.example", 220, "Food", "NA", "54000", "2027-08-31", "customer"),
    ("Woodgrove Bank", "woodgrove.example", 5200, "Financial services", "NA", "920000", "2027-09-30", "customer"),
    ("Coho Winery", "coho.example", 45, "Food", "EMEA", "12000", "2027-01-31", "customer"),
    ("Blue Yonder Airlines", "blueyonder.example", 3100, "Travel", "NA", "640000", "2027-10-31", "customer"),
    ("Lucerne Publishing", "lucerne.example", 140, "Media", "EMEA", "33000", "2027-03-15", "churn risk"),
]
ACME_ROWS = [
    ("Contoso Retail Group", "https://www.contoso.example/", 2400, "Retail", "EMEA", "", "", "managed"),
    ("Litware Health", "litware.example", 1300, "Healthcare", "EMEA", "", "", "managed"),
    ("Adventure Works", "adventure-works.example", 420, "Travel", "EMEA", "", "", "managed"),
    ("Coho Winery", "coho.example", 45, "Food", "EMEA", "", "", "managed"),
    ("Lucerne Publishing", "lucerne.example", 140, "Media", "EMEA", "", "", "project"),
    ("Margie's Travel", "margies-travel.example", 80, "Travel", "EMEA", "", "", "managed"),
    ("Graphic Design Institute", "graphicdesign.example", 25, "Education", "EMEA", "", "", "project"),
]
GLOBEX_ROWS = [
    ("Tailspin Toys", "tailspin.example", 60, "Retail", "NA", "", "", "managed"),
    ("Wide World Importers", "wideworld.example", 75, "Logistics", "NA", "", "", "managed"),
    ("Coho Vineyard & Winery", "COHO.example", 45, "Food", "NA", "", "", "managed"),
    ("Fourth Coffee", "fourthcoffee.example", 35, "Food", "NA", "", "", "managed"),
    ("School of Fine Art", "fineart.example", 90, "Education", "NA", "", "", "project"),
]


def _csv(rows) -> bytes:
    return (HEADER + "".join(",".join(str(c) for c in row) + "\n" for row in rows)).encode()


def _actor(demo, email) -> Actor:
    membership = demo.members[email]
    return Actor(user=db.session.get(User, membership.user_id), tenant=demo.tenant, membership=membership)


def seed(demo) -> None:
    acme, globex = demo.partners["Acme Consulting"], demo.partners["Globex Partners"]
    who = (None, "system:demo")
    import_accounts(io.BytesIO(_csv(VENDOR_ROWS)), "northwind-customers.csv", None, who, demo.tenant)
    import_accounts(io.BytesIO(_csv(ACME_ROWS)), "acme-customers.csv", acme.id, who, demo.tenant)
    import_accounts(io.BytesIO(_csv(GLOBEX_ROWS)), "globex-customers.csv", globex.id, who, demo.tenant)
    by_domain = {(a.owner_partner_id, a.domain): a for a in db.session.scalars(select(Account))}
    vendor = _actor(demo, "admin@northwind.example")
    manager = _actor(demo, "manager@northwind.example")
    priya = _actor(demo, "admin@acme-consulting.example")
    pat = _actor(demo, "user@acme-consulting.example")
    gina = _actor(demo, "admin@globex-partners.example")
    contoso = by_domain[(None, "contoso.example")]
    litware = by_domain[(None, "litware.example")]
    for due, status, amount in (("2024-03-31", "renewed", "420000"), ("2025-03-31", "renewed", "450000"),
                                ("2026-03-31", "renewed", "480000"), ("2027-03-31", "upcoming", "500000")):
        add_insight(contoso, "renewal", {"due_date": due, "status": status, "amount": amount}, vendor)
    for due, status, amount in (("2024-06-30", "renewed", "300000"), ("2025-06-30", "missed", "340000"),
                                ("2026-06-30", "renewed", "390000")):
        add_insight(litware, "renewal", {"due_date": due, "status": status, "amount": amount}, vendor)
    add_insight(contoso, "engagement", {"date": "2026-10-02", "type": "qbr", "who": "Carlos Manager",
                                        "notes": "Exec sponsor joined; adoption review"}, manager)
    add_insight(contoso, "intent", {"date": "2026-10-20", "signal": "Evaluating the analytics add-on",
                                    "strength": "high"}, vendor)
    add_insight(contoso, "opportunity", {"type": "cross_sell", "stage": "qualified", "amount": "85000",
                                         "close_date": "2027-01-31", "product": "Analytics"}, vendor)
    add_insight(contoso, "outcome", {"date": "2026-09-15", "outcome": "Checkout time down 30%",
                                     "metric": "checkout_seconds", "value": "42"}, priya)
    add_insight(contoso, "playbook_feedback", {"playbook": "Onboarding in 30 days", "rating": "4",
                                               "feedback": "Worked; data migration step needs more time"}, pat)
    add_insight(litware, "competitive_note", {"competitor": "Initrode Cloud", "note": "Pitched a 20% discount"}, vendor)
    add_insight(litware, "product_note", {"product": "Scheduling", "note": "Asks for HL7 export"}, priya)
    acme_lucerne = by_domain[(acme.id, "lucerne.example")]
    add_insight(acme_lucerne, "opportunity", {"type": "upsell", "stage": "proposal", "amount": "15000",
                                              "close_date": "2026-12-15", "product": "Premium support"}, priya)
    add_insight(acme_lucerne, "engagement", {"date": "2026-11-03", "type": "workshop", "who": "Priya Partner-Admin"}, pat)
    add_insight(by_domain[(globex.id, "tailspin.example")], "intent",
                {"date": "2026-11-10", "signal": "Asked about the mobile app", "strength": "medium"}, gina)
    set_assignments(by_domain[(None, "woodgrove.example")], {acme.id})
