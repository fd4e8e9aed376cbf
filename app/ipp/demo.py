"""Demo data: two IPP versions, vendor assessments for most partners, one self-assessment."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.ipp import services
from app.ipp.models import IppProfile

# Answers to the default template, in its order: leadership, ROI (1-5), services core,
# CS practice led, region, segments, certified consultants, CS headcount; then, from version 2,
# services revenue share (%). Soylent Solutions stays unassessed.
ANSWER_KEYS = ("leadership_commitment", "cs_roi_expectation", "services_core", "cs_practice_led",
               "region", "segments", "certified_consultants", "cs_headcount",
               "services_revenue_share")
FIRST_ROUND = {
    "Acme Consulting": (True, 4, True, False, "emea", "enterprise", 6, 8),
    "Globex Partners": (True, 3, False, False, "na", "mid_market", 3, 2),
}
SECOND_ROUND = {
    "Acme Consulting": (True, 4, True, True, "emea", "enterprise", 8, 12, "38.5"),
    "Globex Partners": (True, 3, False, False, "na", "mid_market", 4, 2, "22"),
    "Initech Services": (True, 5, True, True, "na", "enterprise", 10, 20, "45"),
    "Umbrella Digital": (False, 2, False, False, "apac", "smb", 0, 1, "12.5"),
    "Stark Integrations": (True, 4, True, False, "emea", "enterprise", 5, 6, "51"),
    "Wayne Cloud Advisory": (True, 3, True, False, "latam", "mid_market", 4, 3, "30"),
    "Hooli Partners": (True, 2, False, False, "na", "smb", 1, 2, "18"),
}
# Acme sees itself more favourably on ROI, certified consultants and CS headcount.
ACME_SELF = (True, 5, True, True, "emea", "enterprise", 12, 15, "38.5")
REVENUE_SHARE = {"key": "services_revenue_share", "type": "number", "weight": 1, "knockout": False,
                 "floor": 10, "target": 50,
                 "question": "What share of the partner's revenue comes from services (%)?",
                 "help_text": "10 % or less scores nothing; 50 % or more scores in full."}


def _answers(values: tuple) -> dict:
    return dict(zip(ANSWER_KEYS, values))


def seed_demo_assessments(demo) -> None:
    """Run by `flask demo` inside the demo tenant's scope."""
    admin = demo.members["admin@northwind.example"].id
    manager = demo.members["manager@northwind.example"].id
    partner_admin = demo.members["admin@acme-consulting.example"].id
    first = db.session.scalar(select(IppProfile).where(IppProfile.number == 1))
    managed = {name for name, p in demo.partners.items() if p.channel_manager_id == manager}

    def author(name: str):
        return manager if name in managed else admin

    for name, values in FIRST_ROUND.items():
        services.save_assessment(demo.partners[name], first, "vendor", _answers(values), True, author(name))
    second = services.edit_profile(first, first.name, first.criteria + [REVENUE_SHARE], None, admin)
    for name, values in SECOND_ROUND.items():
        services.save_assessment(demo.partners[name], second, "vendor", _answers(values), True, author(name))
    acme = demo.partners["Acme Consulting"]
    services.save_assessment(acme, second, "self", _answers(ACME_SELF), True, partner_admin)
    services.set_sharing(acme, True)
