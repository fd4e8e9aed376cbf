"""Demo data: agreements over up to three closed quarters (trends, promotions, one partner at risk) for
every partner but one, whose first proposal still waits for its answer (so the cockpit shows why it is
not placed in a tier yet), and a waiting copy-forward."""
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
    # Partners without a channel manager (the vendor admin looks after them); shorter histories end
    # at the latest quarter: a partner joins the programme when its first quarter closes.
    "Stark Integrations": [(40, 70, 62, 3, 93, 110, 40), (44, 74, 64, 3, 94, 112, 36), (50, 80, 70, 4, 96, 116, 30)],
    "Wayne Cloud Advisory": [(25, 50, 40, 1, 87, 101, 60), (30, 58, 46, 2, 89, 104, 52)],
    "Hooli Partners": [(18, 42, 33, 1, 84, 99, 72)],
}
# The one partner not placed yet: the vendor's first proposal waits for its partner admin.
WAITING_FIRST = "Soylent Solutions"
OTHER_ADMINS = (("Initech Services", "admin@initech.example", "Ines Initech"),
                ("Umbrella Digital", "admin@umbrella-digital.example", "Uma Umbrella"),
                ("Stark Integrations", "admin@stark-integrations.example", "Sam Stark"),
                ("Wayne Cloud Advisory", "admin@wayne-cloud.example", "Wanda Wayne"),
                ("Hooli Partners", "admin@hooli-partners.example", "Hal Hooli"),
                ("Soylent Solutions", "admin@soylent.example", "Sol Soylent"))


def quarters_of(name: str) -> list[str]:
    """The quarters a partner's series covers: the latest ones."""
    return QUARTERS[-len(SERIES[name]):]
KEYS = ["nps", "product_adoption", "active_user_share", "advocacy", "gross_renewal_rate",
        "net_revenue_retention", "time_to_value"]


def seed(demo) -> None:
    """The partner's manager (the channel manager, else the vendor admin) proposes, the partner admin
    accepts, the manager records each quarter."""
    manager = demo.members["manager@northwind.example"]
    admin = demo.members["admin@northwind.example"]
    partner_admins = {"Acme Consulting": demo.members["admin@acme-consulting.example"],
                      "Globex Partners": demo.members["admin@globex-partners.example"]}
    for name, email, person in OTHER_ADMINS:
        partner_admins[name] = add_member(email, demo.password, roles.PARTNER_ADMIN, demo.partners[name].id,
                                          name=person)
    terms = services.default_terms()
    for name, series in SERIES.items():
        partner = demo.partners[name]
        lead = manager if partner.channel_manager_id == manager.id else admin
        for period, values in zip(quarters_of(name), series):
            proposal = services.propose(partner, period, terms, lead, note="Quarterly joint metrics")
            services.accept(proposal, partner, partner_admins[name])
            services.record_measurements(proposal, partner, dict(zip(KEYS, values)), "QBR workbook", lead)
    services.propose(demo.partners[WAITING_FIRST], QUARTERS[-1], terms, admin,
                     note="Our first joint metrics: accept or counter")
    acme = demo.partners["Acme Consulting"]
    last = services.in_force(acme.id, QUARTERS[-1])
    services.copy_forward(last, acme, manager)  # waits for Acme's partner admin
