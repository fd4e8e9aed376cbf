"""Demo data: Sam Success covers EMEA; Acme's onboarding is nearly done (the portal sees more done
than was ticked), Stark's has begun, Soylent's has not started."""
from __future__ import annotations

from app.auth.context import actor_for_email
from app.onboarding import services
from app.partners.services import set_regions


def seed(demo) -> None:
    csdm = demo.members["success@northwind.example"]
    set_regions(csdm, ["emea"])
    sam = actor_for_email(demo.tenant, "success@northwind.example")
    acme = demo.partners["Acme Consulting"]
    for item in services.start(acme):
        if item.key in ("kick_off", "communication_plan"):
            services.tick(sam, item, acme, True, item.version)
    stark = demo.partners["Stark Integrations"]
    for item in services.start(stark):
        if item.key == "kick_off":
            services.tick(sam, item, stark, True, item.version)
