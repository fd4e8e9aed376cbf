"""Enablement: touch plans from the IPP band, logged touches and their coverage; courses,
certifications and partner staff's completions (issue 14)."""
from flask import Blueprint

from app.core.registry import (
    add_answer_suggester, add_demo_seeder, add_nav, add_partner_home_panel, add_partner_panel, add_review_section,
    add_work_items,
)

bp = Blueprint("enablement", __name__, url_prefix="/enablement", cli_group="enablement")
add_nav("Touch coverage", "enablement.coverage", lambda a: a.is_vendor, order=36, group="Relationship")
add_nav("Training", "enablement.courses", lambda a: a.is_vendor or a.is_partner_side, order=37, group="Programme")


def _home_panel(actor, partner):
    from app.enablement.routes import home_panel

    return home_panel(actor, partner)


def _work_items(actor, book):
    from app.enablement.work import work_items

    return work_items(actor, book)


def _review_build(partner, period, side):
    from app.enablement.review import build

    return build(partner, period, side)


def _seed_demo(demo):
    from app.enablement.demo import seed

    seed(demo)


def _suggest(partner):
    from app.enablement.services import suggest_certified_consultants

    return suggest_certified_consultants(partner)


add_answer_suggester(_suggest)
add_review_section("enablement", "Touch plan and certifications", _review_build, "enablement/review_section.html",
                   order=67)
add_partner_home_panel("enablement", _home_panel, order=28)
add_partner_panel("enablement", _home_panel, order=59)
add_work_items(_work_items, order=45, kinds={"touchpoint_overdue": "Overdue touchpoints"})
add_demo_seeder(_seed_demo, order=84)

from app.enablement import commands, jobs, routes  # noqa: E402,F401  (jobs: the daily plans and sweep in the worker)
