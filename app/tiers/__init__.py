"""Tier programme, quarter close, dynamic margin, overrides and what-if."""
from flask import Blueprint

from app.core.registry import add_demo_seeder, add_nav, add_tenant_initialiser

bp = Blueprint("tiers", __name__, url_prefix="/tiers")
add_nav("Tiers", "tiers.programme", lambda a: a.is_vendor, order=35, group="Programme")

from app.tiers import panels, routes, services  # noqa: E402,F401
from app.tiers.demo import seed  # noqa: E402
from app.tiers import jobs  # noqa: E402,F401  (close-all as a background job)

add_tenant_initialiser(services.install_default_programme)
add_demo_seeder(seed, order=51)

from app.core.registry import add_page_panel, add_work_items  # noqa: E402
from app.tiers import work  # noqa: E402

add_work_items(work.at_risk_partners, order=5, kinds={"partner_at_risk": "At risk of demotion"})
add_work_items(work.closable_quarters, order=20, kinds={"quarter_to_close": "Quarters ready to close"})
add_page_panel("home.cockpit", "book", work.book_panel, order=10)
add_page_panel("home.cockpit", "programme", work.programme_panel, order=20)
