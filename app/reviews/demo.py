"""Demo: Acme's 2026-Q3 review signed by both sides (a disputed metric settled, action items), and its
2026-Q4 review in progress with the open items carried over."""
from __future__ import annotations

from app.auth.context import actor_for_email
from app.extensions import db
from app.health import services as health
from app.reviews import services
from app.tiers import services as tiers


def seed(demo) -> None:
    acme = demo.partners["Acme Consulting"]
    manager = actor_for_email(demo.tenant, "manager@northwind.example")
    partner_admin = actor_for_email(demo.tenant, "admin@acme-consulting.example")
    q3 = health.in_force(acme.id, "2026-Q3")
    # The partner's own count of references differs from the vendor's: a dispute for the room.
    health.record_measurements(q3, acme, {"advocacy": "2", "nps": "47"}, "partner CRM", partner_admin.membership)
    review = services.open_review(manager, acme, "2026-Q3")
    services.update_review(manager, review, acme, {
        "version": review.version, "agenda": "1. Health and the advocacy dispute\n2. Renewals\n3. Next quarter's plan",
        "vendor_notes": "Adoption is on target; references lag behind."})
    services.update_review(partner_admin, review, acme, {
        "version": review.version, "partner_notes": "Two case studies are in legal review."})
    services.settle(manager, review, acme, "advocacy", "3")
    services.add_item(manager, review, acme, {"title": "Publish the two case studies", "owner_side": "partner",
                                              "owner_id": str(partner_admin.membership.id), "due_date": "2026-11-30"})
    services.add_item(manager, review, acme, {"title": "Joint webinar on adoption", "owner_side": "vendor",
                                              "owner_id": str(manager.membership.id), "due_date": "2027-01-15",
                                              "metric_key": "product_adoption"})
    done = services.add_item(partner_admin, review, acme, {
        "title": "Send the renewal list", "owner_side": "partner", "owner_id": str(partner_admin.membership.id),
        "due_date": "2026-10-15"})
    services.update_item(partner_admin, done, review, acme, {"status": "done", "version": done.version}, full=True)
    # The settled values count: close the quarter again from them before it is signed and locked.
    tiers.close_one(acme, "2026-Q3", demo.members["admin@northwind.example"])
    services.sign(manager, review, acme)
    services.sign(partner_admin, review, acme)
    current = services.open_review(manager, acme, "2026-Q4")
    services.update_review(manager, current, acme, {"version": current.version,
                                                   "agenda": "1. Carried items\n2. 2027 plan"})
    db.session.flush()
