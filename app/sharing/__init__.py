"""Sharing levels per partnership and direction, overlaps, requests for more data, panels."""
from flask import Blueprint

from app.core.registry import add_demo_seeder, add_nav, add_partner_home_panel, add_partner_panel

bp = Blueprint("sharing", __name__, url_prefix="/sharing")
add_nav("Sharing", "sharing.index", lambda a: a.is_partner_side, order=32, group="Customers")

from app.sharing import routes  # noqa: E402,F401
from app.sharing.demo import seed  # noqa: E402
from app.sharing.panels import partner_home_panel, vendor_partner_panel  # noqa: E402

add_partner_panel("sharing", vendor_partner_panel, order=30)
add_partner_home_panel("sharing", partner_home_panel, order=30)
add_demo_seeder(seed, order=41)

from app.core.registry import add_work_items  # noqa: E402
from app.sharing.work import data_requests  # noqa: E402

add_work_items(data_requests, order=40, kinds={"data_request": "Requests for more data"})
