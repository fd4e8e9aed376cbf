"""Opportunities on shared accounts, the pipeline and deal registration (DESIGN 7a)."""
from flask import Blueprint

from app.auth.policies import is_vendor_admin

from app.core.registry import (
    add_demo_seeder, add_nav, add_partner_home_panel, add_partner_panel, add_review_section, add_tenant_initialiser, add_work_items,
)

bp = Blueprint("opportunities", __name__, url_prefix="/opportunities", cli_group="opportunities")
add_nav("Pipeline", "opportunities.index", lambda a: a.is_vendor or a.is_partner_side, order=33, group="Customers")
add_nav("Pipeline settings", "opportunities.settings", is_vendor_admin, order=97, group="Admin")


def _init(tenant):
    from app.opportunities.services import install_defaults

    install_defaults(tenant)


def _review_build(partner, period, side):
    from app.opportunities.review import build

    return build(partner, period, side)


def _work_items(actor, book):
    from app.opportunities.work import work_items

    return work_items(actor, book)


def _home_panel(actor, partner):
    from app.opportunities.routes import home_panel

    return home_panel(actor, partner)


def _seed_demo(demo):
    from app.opportunities.demo import seed

    seed(demo)


add_tenant_initialiser(_init)
add_review_section("opportunities", "Registered deals and pipeline", _review_build,
                   "opportunities/review_section.html", order=65)
add_work_items(_work_items, order=40, kinds={"registration_to_decide": "Deal registrations awaiting your decision"})
add_partner_home_panel("opportunities", _home_panel, order=27)
add_partner_panel("opportunities", _home_panel, order=58)  # the same on the vendor's partner page
add_demo_seeder(_seed_demo, order=82)

from app.opportunities import commands, routes  # noqa: E402,F401
from app.opportunities import jobs  # noqa: E402,F401  (the sweep as periodic work of the worker)
