"""Matrix entries for touch plans, touches and coverage (issue 14): partner staff reach only their
own partner; logging is for vendor admins, the partner's channel manager and the partner's staff."""
from tests.isolation.framework import PARTNER, VENDOR, Route

P = {"partner_id": "partner"}
READ = {**{r: {"own", "other_partner"} for r in VENDOR}, **{r: {"own"} for r in PARTNER}}
WORK = {"vendor_admin": {"own", "other_partner"}, "channel_manager": {"own"}}
LOG = {**WORK, **{r: {"own"} for r in PARTNER}}
VENDOR_ONLY = {r: {"none"} for r in VENDOR}

ROUTES = {
    "enablement.touches": Route(params=P, allow=READ),
    "enablement.log": Route(params=P, allow=LOG, data={"kind": "nope", "happened_on": "never"}),
    "enablement.generate": Route(params=P, allow=WORK, data={"period": "not-a-quarter"}),
    "enablement.coverage": Route(allow=VENDOR_ONLY),
    "api.get_touch_plan": Route(params=P, allow=READ),
    "api.create_touch_plan": Route(params=P, allow=WORK, data={"period": "nope"}),
    "api.list_touches": Route(params=P, allow=READ),
    "api.log_touch_api": Route(params=P, allow=LOG, data={"kind": "nope", "happened_on": "never"}),
    "api.get_touch_coverage": Route(allow=VENDOR_ONLY),
}
