"""Who am I, and the API's own description."""
from flask import jsonify

from app.api import bp
from app.api.helpers import actor
from app.api.openapi import build_document, documented


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(build_document())


@bp.get("/me")
@documented(response={"type": "object", "properties": {
    "user": {"type": "object"}, "tenant": {"type": "object"}, "role": {"type": "string"},
    "partner": {"type": ["object", "null"]}}})
def me():
    """The token's user, tenant, role and partner."""
    current = actor()
    partner = None
    if current.partner_id:
        from app.partners.policies import get_partner_or_404
        p = get_partner_or_404(current, current.partner_id)
        partner = {"id": str(p.id), "name": p.name}
    return jsonify({
        "user": {"email": current.user.email, "name": current.user.name},
        "tenant": {"slug": current.tenant.slug, "name": current.tenant.name},
        "role": current.role,
        "partner": partner,
    })
