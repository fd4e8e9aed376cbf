"""The JSON API under /api/v1: bearer tokens, JSON errors, cursor pagination.

Feature packages add their endpoints to `bp` in their own `api.py` modules.
"""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from app.api import auth, ratelimit, routes  # noqa: E402,F401

ratelimit.install(bp)
