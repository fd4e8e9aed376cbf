"""Landing pages: the vendor dashboard and the partner-side home."""
from flask import Blueprint

from app.core.registry import add_nav

bp = Blueprint("home", __name__)
add_nav("Dashboard", "home.index", lambda a: a.is_vendor, order=10)
add_nav("Home", "home.partner_home", lambda a: a.is_partner_side, order=10)

from app.home import routes  # noqa: E402,F401
