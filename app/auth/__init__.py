"""Sign-in, sign-out, tenant choice, password reset and invitations."""
from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from app.auth import routes  # noqa: E402,F401
