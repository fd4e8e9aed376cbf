"""Demo data: requests in every status, supported by several partners, one with use cases from both sides."""
from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Account
from app.auth.context import Actor, actor_for_email
from app.enhancements import services
from app.extensions import db


def actor_for(demo, email: str) -> Actor:
    """The demo person as an Actor, so seeders go through the same services as requests."""
    return actor_for_email(demo.tenant, email)


def _accounts(partner, n: int) -> list[str]:
    return [str(i) for i in db.session.scalars(select(Account.id).where(Account.owner_key == str(partner.id))
                                               .order_by(Account.name).limit(n))]


def seed(demo) -> None:
    acme, globex, initech = (actor_for(demo, e) for e in ("admin@acme-consulting.example",
                                                           "admin@globex-partners.example", "admin@initech.example"))
    manager = actor_for(demo, "manager@northwind.example")
    sso = services.file_request(acme, {
        "title": "Single sign-on for our customers' administrators",
        "problem": "Customer admins keep separate passwords for the product; security reviews stall renewals.",
        "outcome": "Shorter security reviews and renewals that close on time.", "urgency": "high",
        "account_ids": _accounts(demo.partners["Acme Consulting"], 2)})
    services.support_request(globex, sso, {"account_ids": _accounts(demo.partners["Globex Partners"], 2),
                                           "note": "Two renewals next quarter depend on it."})
    services.support_request(initech, sso, {"affected_count": 6})
    services.change_status(manager, sso, {"status": "under_review"})
    services.change_status(manager, sso, {"status": "needs_use_cases",
                                          "note": "Which identity providers, and who signs in first?"})
    services.add_use_case(acme, sso, {"given": "a customer admin with an Entra ID account",
                                      "when": "they open the product from their company portal",
                                      "then": "they are signed in without a separate password"})
    services.add_use_case(manager, sso, {"text": "Admins provisioned by SCIM keep their roles when they first sign in."})
    services.change_status(manager, sso, {"status": "planned", "target_quarter": "2027-Q1"})

    export = services.file_request(globex, {
        "title": "Export renewals due next quarter as CSV",
        "problem": "We rebuild the renewal list by hand every quarter.",
        "outcome": "Renewal calls start a month earlier.", "urgency": "medium", "affected_count": 40})
    services.support_request(acme, export, {"affected_count": 25})
    services.change_status(manager, export, {"status": "under_review"})

    branding = services.file_request(initech, {
        "title": "Partner-branded customer reports", "problem": "Reports carry only the vendor's logo.",
        "outcome": "Customers see the partner as their advisor.", "urgency": "low"})
    services.change_status(manager, branding, {"status": "declined",
                                               "reason": "Reports stay vendor-branded for compliance; partners can add a cover page."})

    digest = services.file_request(acme, {
        "title": "Weekly digest of at-risk joint customers", "problem": "At-risk signals reach us too late.",
        "outcome": "Earlier saves on at-risk renewals.", "urgency": "high", "affected_count": 12})
    services.support_request(globex, digest, {"affected_count": 8})
    services.change_status(manager, digest, {"status": "shipped",
                                             "release_note": "Released in 2026.11: Monday digest e-mail to partner admins."})

    services.file_request(globex, {
        "title": "Mobile approval of deal registrations", "problem": "Approvals wait until we are back at a desk.",
        "outcome": "Faster approvals during field weeks.", "urgency": "medium"})
