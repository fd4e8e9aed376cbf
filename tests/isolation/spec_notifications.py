"""Matrix entries for notices: a notice answers only to the person it is addressed to."""
from tests.isolation.framework import EVERYONE, Route


def _addressee_only(role, relation, method):
    mine = (relation == "own" and role == "partner_user") or (relation == "other_partner" and role == "vendor_admin")
    return "ok" if mine else 404


N = {"notification_id": "notification"}

ROUTES = {
    "notifications.index": Route(allow=EVERYONE),
    "notifications.read": Route(params=N, expect=_addressee_only),
    "notifications.read_all": Route(allow=EVERYONE),
    "api.list_notifications": Route(allow=EVERYONE),
    "api.read_notification": Route(params=N, expect=_addressee_only),
}
