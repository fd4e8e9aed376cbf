"""Workspace settings (vendor admins)."""
from flask import Blueprint

from app.auth.policies import can_manage_programme
from app.core.registry import add_nav

bp = Blueprint("settings", __name__, url_prefix="/settings")
add_nav("Settings", "settings.index", can_manage_programme, order=95, group="Admin")

from app.settings import routes  # noqa: E402,F401
