"""Demo data: this quarter's touch plans from the IPP bands, Acme's partly done; courses, and Acme's
certifications, one about to expire (the sweep notifies Acme's admin)."""
from __future__ import annotations

from datetime import timedelta

from app.auth.context import actor_for_email
from app.enablement import services


def seed(demo) -> None:
    quarter = services.current_quarter()
    services.generate_plans(quarter)
    acme = demo.partners["Acme Consulting"]
    manager = actor_for_email(demo.tenant, "manager@northwind.example")
    partner_admin = actor_for_email(demo.tenant, "admin@acme-consulting.example")
    plan = services.plan_of(acme, quarter)
    points = services.touchpoints(plan)
    now = services.today()
    # The first touchpoint is done (on its due date, or today if that is still ahead); the rest wait.
    first = points[0]
    services.log_touch(manager, acme, {"kind": first.kind, "happened_on": min(first.due, now),
                                       "touchpoint_id": str(first.id),
                                       "notes": "Walked through the quarter's pipeline and the enablement plan."})
    services.log_touch(partner_admin, acme, {"kind": "enablement_session", "happened_on": now,
                                             "notes": "Two consultants joined the vendor's product webinar."})

    admin = actor_for_email(demo.tenant, "admin@northwind.example")
    cert = services.create_course(admin, {"name": "Northwind Certified Consultant", "kind": "certification",
                                          "valid_months": 24})
    services.create_course(admin, {"name": "Customer success foundations", "kind": "course"})
    user = demo.members["user@acme-consulting.example"]
    # Pat's certification lapses in about a month; Priya's was renewed recently.
    services.record_completion(partner_admin, acme, {"course_id": str(cert.id), "membership_id": str(user.id),
                                                     "completed_on": now - timedelta(days=700)})
    services.record_completion(manager, acme, {"course_id": str(cert.id), "membership_id": str(partner_admin.membership.id),
                                               "completed_on": now - timedelta(days=40)})
    services.sweep(now)
