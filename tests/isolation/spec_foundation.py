"""Matrix entries for the foundation's routes."""
from tests.isolation.framework import EVERYONE, PARTNER, VENDOR, Route

VENDOR_ALL = {r: {"own", "other_partner", "none"} for r in VENDOR}
ADMIN_ONLY = {"vendor_admin": {"own", "other_partner", "none"}}


def _membership_manage(role, relation, method):
    # Partner admins manage their own partner's people; vendor admins everyone's.
    if relation in ("other_tenant", "missing"):
        return 404
    if role in PARTNER and relation == "other_partner":
        return 404
    if role == "vendor_admin" or (role == "partner_admin" and relation == "own"):
        return "ok"
    return 403


def _own_token(role, relation, method):
    # A token is its owner's alone: anyone else's, even in the same tenant, is not there (404).
    mine = (relation == "own" and role == "partner_user") or (relation == "other_partner" and role == "vendor_admin")
    return "ok" if mine else 404


ROUTES = {
    # Sign-in pages work without a tenant.
    "auth.login": Route(public=True),
    "auth.logout": Route(public=True, methods=("POST",), note="exercised in test_auth; would end the matrix session"),
    "auth.choose_tenant": Route(public=True),
    "auth.reset_request": Route(public=True),
    "auth.reset_password": Route(public=True, values={"token": "not-a-token"}),
    "auth.accept_invitation": Route(public=True, values={"token": "not-a-token"}),
    "auth.account": Route(public=True),
    "health": Route(public=True),
    "static": Route(public=True, values={"filename": "css/tandem.css"}),
    # Vendor pages.
    "home.index": Route(allow={**VENDOR_ALL, **{r: {"none"} for r in PARTNER}},
                        note="partner staff are redirected to their home"),
    "home.partner_home": Route(allow={r: {"none"} for r in PARTNER}),
    "partners.directory": Route(allow=VENDOR_ALL),
    "partners.new": Route(allow=ADMIN_ONLY),
    "partners.detail": Route(params={"partner_id": "partner"},
                             allow={**VENDOR_ALL, **{r: {"own"} for r in PARTNER}}),
    "partners.edit": Route(params={"partner_id": "partner"},
                           allow={"vendor_admin": {"own", "other_partner"}, "channel_manager": {"own"}}),
    "users.index": Route(allow=EVERYONE),
    "users.invite_user": Route(allow={"vendor_admin": {"none"}, "partner_admin": {"none"}}),
    "users.set_role": Route(params={"membership_id": "membership"}, expect=_membership_manage),
    "users.deactivate": Route(params={"membership_id": "membership"}, expect=_membership_manage),
    "users.reactivate": Route(params={"membership_id": "membership"}, expect=_membership_manage),
    "users.tokens": Route(allow=EVERYONE, data={"name": "matrix token"}),
    "users.revoke_token": Route(params={"token_id": "api_token"}, expect=_own_token),
    "audit.index": Route(allow=VENDOR_ALL),
    "audit.export": Route(allow=VENDOR_ALL),
    "settings.index": Route(allow=ADMIN_ONLY),
    # API.
    "api.openapi": Route(public=True),
    "api.me": Route(allow=EVERYONE),
    "api.list_partners": Route(allow=EVERYONE, note="partner staff get their own partner only"),
    "api.create_partner_api": Route(allow=ADMIN_ONLY, data={"name": "Matrix Partner"}),
    "api.get_partner_api": Route(params={"partner_id": "partner"},
                                 allow={**VENDOR_ALL, **{r: {"own"} for r in PARTNER}}),
    "api.update_partner_api": Route(params={"partner_id": "partner"},
                                    allow={"vendor_admin": {"own", "other_partner"}, "channel_manager": {"own"}},
                                    data={"version": 1}),
}
