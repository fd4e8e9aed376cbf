"""Ideal Partner Profile: versioned profiles, vendor and self assessments, fit scores, ranking."""
from flask import Blueprint

from app.core.registry import add_demo_seeder, add_nav, add_partner_home_panel, add_partner_panel, add_tenant_initialiser

bp = Blueprint("ipp", __name__, url_prefix="/ipp")
add_nav("Fit ranking", "ipp.ranking", lambda a: a.is_vendor, order=30, group="Partners")
add_nav("Portfolio", "ipp.portfolio", lambda a: a.is_vendor, order=31, group="Partners")
add_nav("Ideal partner profile", "ipp.profiles", lambda a: a.is_vendor, order=32, group="Partners")

from app.ipp import panels, routes, services  # noqa: E402,F401
from app.ipp.demo import seed_demo_assessments  # noqa: E402

add_tenant_initialiser(services.ensure_default_profile)
add_partner_panel("ipp", panels.partner_panel, order=20)
add_partner_home_panel("ipp", panels.partner_home_panel, order=20)
add_demo_seeder(seed_demo_assessments, order=20)
