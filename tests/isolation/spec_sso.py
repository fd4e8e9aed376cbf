"""Matrix entries for single sign-on: sign-in pages are public; each organisation's admin configures its own."""
from tests.isolation.framework import Route

ADMIN_ONLY = {"vendor_admin": {"own", "other_partner", "none"}}

ROUTES = {
    "sso.settings": Route(allow=ADMIN_ONLY, note="the workspace's connection, for vendor staff"),
    "sso.partner_settings": Route(allow={"partner_admin": {"none"}},
                                  note="the partner admin's own partner only: no partner id in the URL to reach another"),
    "sso.enter": Route(public=True),
    "sso.begin": Route(public=True, values={"slug": "beta"}, note="404: no provider configured"),
    "sso.callback": Route(public=True),
}
