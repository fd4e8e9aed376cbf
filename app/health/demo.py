"""Demo data: agreements over three closed quarters (trends, promotions, one partner at risk) and a waiting proposal."""
from __future__ import annotations

from app.auth import roles
from app.health import services
from app.tenants.services import add_member

QUARTERS = ["2026-Q1", "2026-Q2", "2026-Q3"]
# Per partner and quarter: values for the seven default metrics
# (nps, product_adoption, active_user_share, advocacy, gross_renewal_rate, net_revenue_retention, time_to_value).
SERIES = {
    "Acme Consulting": [(30, 55, 45, 2, 88, 104, 60), (42, 68, 58, 3, 93, 110, 45), (48, 76, 66, 4, 95, 114, 34)],
    "Globex Partners": [(35, 62, 50, 2, 90, 106, 50), (33, 60, 48, 2, 90, 105, 52), (20, 45, 35, 1, 84, 98, 75)],
    "Initech Services": [(20, 45, 30, 1, 85, 100, 70), (38, 60, 50, 2, 91, 107, 50), (45, 72, 60, 3, 94, 112, 38)],
    "Umbrella Digital": [(10, 35, 25, 0, 80, 95, 85), (15, 40, 30, 1, 83, 97, 80), (22, 48, 36, 1, 86, 100, 70)],
}
KEYS = ["nps", "product_adoption", "active_user_share", "advocacy", "gross_renewal_rate",
        "net_revenue_retention", "time_to_value"]


def seed(demo) -> None:
    """The channel manager proposes, the partner admin accepts, the channel manager records each quarter."""
    manager = demo.members["manager@northwind.example"]
    partner_admins = {"Acme Consulting": demo.members["admin@acme-consulting.example"],
                      "Globex Partners": demo.members["admin@globex-partners.example"]}
    for name, email, person in (("Initech Services", "admin@initech.example", "Ines Initech"),
                                ("Umbrella Digital", "admin@umbrella-digital.example", "Uma Umbrella")):
        partner_admins[name] = add_member(email, demo.password, roles.PARTNER_ADMIN, demo.partners[name].id,
                                          name=person)
    terms = services.default_terms()
    for name, series in SERIES.items():
        partner = demo.partners[name]
        for period, values in zip(QUARTERS, series):
            proposal = services.propose(partner, period, terms, manager, note="Quarterly joint metrics")
            services.accept(proposal, partner, partner_admins[name])
            services.record_measurements(proposal, partner, dict(zip(KEYS, values)), "QBR workbook", manager)
    acme = demo.partners["Acme Consulting"]
    last = services.in_force(acme.id, QUARTERS[-1])
    services.copy_forward(last, acme, manager)  # waits for Acme's partner admin
