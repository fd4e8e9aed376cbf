"""Background jobs (huey): account imports, quarter close, review PDF packs, e-mail; their progress and outcome."""
from flask import Blueprint

from app.core.registry import add_nav

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

add_nav("Jobs", "jobs.index", lambda actor: actor.is_vendor or actor.is_partner_side, order=88, group="Admin")

from app.jobs import routes  # noqa: E402,F401
from app.jobs import mailjobs  # noqa: E402,F401  (e-mail as a job)
