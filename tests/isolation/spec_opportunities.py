"""Matrix entries for opportunities, the pipeline and deal registrations (DESIGN 7a).

The matrix's opportunities are partner-created and registered (so vendor staff see them);
decisions are made by vendor admins and the own partner's channel manager."""
from tests.isolation.framework import EVERYONE, PARTNER, VENDOR, Route

VENDOR_ALL = {r: {"own", "other_partner", "none"} for r in VENDOR}
READ = {**VENDOR_ALL, **{r: {"own"} for r in PARTNER}}
CREATE = {"vendor_admin": {"none"}, "channel_manager": {"none"}, **{r: {"none"} for r in PARTNER}}
PARTNERS_ONLY = {r: {"none"} for r in PARTNER}
OWN_PARTNER = {r: {"own"} for r in PARTNER}
DECIDE = {"vendor_admin": {"own", "other_partner"}, "channel_manager": {"own"}}
OUTCOME = {**DECIDE, **OWN_PARTNER}
O = {"opportunity_id": "opportunity"}
R = {"registration_id": "registration"}
P = {"partner_id": "partner"}

ROUTES = {
    "opportunities.index": Route(allow=EVERYONE),
    "opportunities.new": Route(allow=CREATE, data={"account_id": "", "amount": "-1"}),
    "opportunities.edit": Route(params=O, allow=OWN_PARTNER, data={"amount": "-1"}),
    "opportunities.register_opportunity": Route(params=O, allow=OWN_PARTNER, note="already registered: 303"),
    "opportunities.registration": Route(params=R, allow=READ),
    "opportunities.settings": Route(allow={"vendor_admin": {"none"}}, data={"sla_business_days": "0"},
                                    note="bad input: 422, nothing written"),
    "opportunities.decide": Route(params=R, values={"action": "reject"}, allow=DECIDE, data={"note": ""}),
    "api.list_opportunities": Route(allow=EVERYONE),
    "api.create_opportunity_api": Route(allow=CREATE, data={"account_id": "not-an-id"}),
    "api.get_opportunity": Route(params=O, allow=READ),
    "api.update_opportunity_api": Route(params=O, allow=OWN_PARTNER, data={"version": 0, "amount": -1}),
    "api.register_opportunity": Route(params=O, allow=OWN_PARTNER, note="already registered: 409"),
    "api.get_pipeline": Route(allow=EVERYONE),
    "api.get_partner_pipeline": Route(params=P, allow=READ),
    "api.get_opportunity_settings": Route(allow=EVERYONE),
    "api.put_opportunity_settings": Route(allow={"vendor_admin": {"none"}}, data={"stages": []}),
    "api.list_registrations": Route(allow=EVERYONE),
    "api.create_registration": Route(allow=PARTNERS_ONLY, data={"opportunity_id": "nope"}),
    "api.get_registration": Route(params=R, allow=READ),
    "api.approve_registration": Route(params=R, allow=DECIDE, data={"version": 0}),
    "api.reject_registration": Route(params=R, allow=DECIDE, data={"note": ""}),
    "api.resolve_registration": Route(params=R, allow=DECIDE, data={"resolution": "nobody"}),
    "api.extend_registration": Route(params=R, allow=DECIDE, data={"version": 0}),
    "api.record_registration_outcome": Route(params=R, allow=OUTCOME, data={"outcome": "draw"}),
}
