"""Partner directory, detail and edit pages, and the partners API."""
from flask import Blueprint

from app.core.registry import add_nav

bp = Blueprint("partners", __name__, url_prefix="/partners")
add_nav("Directory", "partners.directory", lambda a: a.is_vendor, order=20, group="Partners")
add_nav("CS regions", "partners.regions", lambda a: a.is_vendor, order=24, group="Partners")

from app.partners import routes  # noqa: E402,F401
