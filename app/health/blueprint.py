"""The health blueprint, its navigation, tenant defaults and demo data."""
from flask import Blueprint

from app.core.registry import add_demo_seeder, add_nav, add_tenant_initialiser

bp = Blueprint("health", __name__, url_prefix="/health")


def _init_catalogue(tenant):
    from app.health.services import install_default_catalogue

    install_default_catalogue(tenant)


def _seed_demo(demo):
    from app.health.demo import seed

    seed(demo)


add_tenant_initialiser(_init_catalogue)
add_demo_seeder(_seed_demo, order=50)
add_nav("Health", "health.dashboard", lambda a: a.is_vendor, order=30)
add_nav("Health & margin", "health.partner_page_self", lambda a: a.is_partner_side, order=30)

from app.health import panels, routes  # noqa: E402,F401


@bp.app_template_filter("plain")
def plain_number(value) -> str:
    """A stored Decimal as people write it: 50 not 50.000000, 0.95 not 9.5E-1."""
    from decimal import Decimal

    if value is None:
        return "—"
    text = format(Decimal(value).normalize(), "f")
    return text
