"""User management: invite, change role, deactivate (vendor admins; partner admins for their partner)."""
from flask import Blueprint

from app.auth.policies import can_view_users
from app.core.registry import add_nav

bp = Blueprint("users", __name__, url_prefix="/users")
add_nav("People", "users.index", can_view_users, order=80, group="Admin")
add_nav("API tokens", "users.tokens", lambda a: a.is_vendor or a.is_partner_side, order=85, group="Admin")

from app.users import routes, tokens  # noqa: E402,F401
