"""CS Development Managers' regions (issue 14): vendor staff read, vendor admins change."""
from tests.isolation.framework import VENDOR, Route

VENDOR_ALL = {r: {"own", "other_partner", "none"} for r in VENDOR}

ROUTES = {
    # GET for vendor staff; POST (no person chosen: 422) for the vendor admin only.
    "partners.regions": Route(
        allow=VENDOR_ALL, expect=lambda role, rel, m: (("ok" if role == "vendor_admin" else 403)
                                                       if m == "POST" and role in VENDOR else None)),
    "api.list_region_assignments": Route(allow=VENDOR_ALL),
    # The matrix's memberships are partner users: the admin's change answers 422 (only CSDMs have
    # regions), everyone else 403; nobody reaches another tenant's membership (404).
    "api.put_membership_regions": Route(
        params={"membership_id": "membership"}, allow={"vendor_admin": {"own", "other_partner"}},
        data={"regions": ["emea"]}),
}
