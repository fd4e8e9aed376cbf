"""Matrix entries for the API contract's routes (issue 11)."""
from tests.isolation.framework import Route

ADMIN_ONLY = {"vendor_admin": {"own", "other_partner", "none"}}

ROUTES = {
    "api.list_audit_events": Route(allow=ADMIN_ONLY, note="vendor admins only; the tenant scope filters"),
}
ROUTES["home.api_reference"] = Route(public=True, note="the API reference page; the document is public too")
