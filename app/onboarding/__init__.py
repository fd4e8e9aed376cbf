"""Onboarding checklists (issue 14): the tenant's template, each partner's checklist, progress."""
from flask import Blueprint

from app.core.registry import add_demo_seeder, add_nav, add_partner_panel, add_tenant_initialiser

bp = Blueprint("onboarding", __name__, url_prefix="/onboarding")
add_nav("Onboarding", "onboarding.index", lambda a: a.is_vendor, order=25, group="Partners")


def _init(tenant):
    from app.onboarding.services import install_defaults

    install_defaults(tenant)


def _panel(actor, partner):
    from app.onboarding.routes import panel

    return panel(actor, partner)


def _seed_demo(demo):
    from app.onboarding.demo import seed

    seed(demo)


add_tenant_initialiser(_init)
add_partner_panel("onboarding", _panel, order=15)
add_demo_seeder(_seed_demo, order=90)

from app.onboarding import routes  # noqa: E402,F401
