"""In-portal notices, each also e-mailed: what other features tell a person (assignments, status changes)."""
from flask import Blueprint

from app.notifications import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def _unread_notices():
    # The top bar's count: one indexed COUNT per page, only for a signed-in member of a tenant.
    return {"unread_notices": services.unread_count_for_current}


from app.notifications import routes  # noqa: E402,F401
