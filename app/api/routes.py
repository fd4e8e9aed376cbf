"""The API's own description. (`/me` lives in app/partners/api.py: it names the partner.)"""
from flask import jsonify

from app.api import bp
from app.api.openapi import build_document


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(build_document())
