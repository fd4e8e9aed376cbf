"""Audit log: recording, verifying and browsing events."""
from flask import Blueprint

from app.auth.policies import can_view_audit
from app.core.registry import add_nav

bp = Blueprint("audit", __name__, url_prefix="/audit")
add_nav("Audit log", "audit.index", can_view_audit, order=90, group="Admin")

from app.audit import routes  # noqa: E402,F401
