"""The tiers blueprint, its navigation and tenant defaults."""
from flask import Blueprint

from app.core.registry import add_nav, add_tenant_initialiser

bp = Blueprint("tiers", __name__, url_prefix="/tiers")


def _init_programme(tenant):
    from app.tiers.services import install_default_programme

    install_default_programme(tenant)


add_tenant_initialiser(_init_programme)
add_nav("Tiers", "tiers.programme", lambda a: a.is_vendor, order=35)

from app.tiers import routes  # noqa: E402,F401
