"""Matrix entries for the health and tiers routes (DESIGN sections 5, 6 and 9)."""
from tests.isolation.framework import EVERYONE, PARTNER, VENDOR, Route

VENDOR_ALL = {r: {"own", "other_partner", "none"} for r in VENDOR}
ADMIN_ONLY = {"vendor_admin": {"own", "other_partner", "none"}}
READ = {**VENDOR_ALL, **{r: {"own"} for r in PARTNER}}
# Propose / copy forward: vendor admin, the partner's channel manager, the partner's admin.
NEGOTIATE = {"vendor_admin": {"own", "other_partner"}, "channel_manager": {"own"}, "partner_admin": {"own"}}
# The matrix agreements are proposed by the vendor side, so only the partner's admin may accept them.
ACCEPT = {"partner_admin": {"own"}}
RECORD = {"vendor_admin": {"own", "other_partner"}, "channel_manager": {"own"},
          "partner_admin": {"own"}, "partner_user": {"own"}}
CLOSE = {"vendor_admin": {"own", "other_partner"}, "channel_manager": {"own"}}
OVERRIDE = {"vendor_admin": {"own", "other_partner"}}
P, A = {"partner_id": "partner"}, {"agreement_id": "agreement"}
Q = {"period": "2026-Q1"}
METRICS = [{"key": "nps", "direction": "higher", "target": 50, "floor": 0, "weight": 1}]


def _programme(role, relation, method):
    # Everyone in the tenant reads the programme; only a vendor admin changes it.
    if method == "GET":
        return "ok"
    return "ok" if role == "vendor_admin" else 403


ROUTES = {
    # Pages.
    "health.dashboard": Route(allow=VENDOR_ALL),
    "health.partner_page_self": Route(allow={r: {"none"} for r in PARTNER}),
    "health.partner_page": Route(params=P, allow=READ),
    "health.propose": Route(params=P, allow=NEGOTIATE, data={"period": "not-a-period", "rows": "0"}),
    "health.agreement": Route(params=A, allow=READ),
    "health.accept": Route(params=A, allow=ACCEPT),
    "health.copy_forward": Route(params=A, allow=NEGOTIATE, note="a proposal is not accepted yet: 409"),
    "health.record": Route(params=A, allow=RECORD, data={"value-nps": "10", "source": "matrix"}),
    "health.upload_csv": Route(params=A, allow=RECORD, note="no file: 422"),
    "health.catalogue": Route(allow=EVERYONE),
    "health.add_metric": Route(allow=ADMIN_ONLY, data={"key": "", "name": ""}),
    "tiers.programme": Route(expect=_programme, data={"rows": "0"}),
    "tiers.close_all": Route(allow=ADMIN_ONLY, data={"period": "2026-Q1"}),
    "tiers.close_partner": Route(params=P, values=Q, allow=CLOSE),
    "tiers.override": Route(params=P, values=Q, allow=OVERRIDE, data={"reason": "too short"}),
    "tiers.what_if": Route(params=P, allow=READ),
    # API.
    "api.list_agreements": Route(params=P, allow=READ),
    "api.propose_agreement": Route(params=P, allow=NEGOTIATE, data={"period": "2026-Q2", "metrics": METRICS}),
    "api.get_agreement": Route(params=A, allow=READ),
    "api.accept_agreement": Route(params=A, allow=ACCEPT),
    "api.copy_agreement_forward": Route(params=A, allow=NEGOTIATE),
    "api.list_measurements": Route(params=A, allow=READ),
    "api.put_measurements": Route(params=A, allow=RECORD, data={"values": {"nps": 20}}),
    "api.agreement_health": Route(params=A, allow=READ),
    "api.list_metrics": Route(allow=EVERYONE),
    "api.add_metric": Route(allow=ADMIN_ONLY, data={"key": "csat", "name": "CSAT", "direction": "higher",
                                                    "target": 5, "floor": 1, "weight": 1}),
    "api.get_tier_program": Route(allow=EVERYONE),
    "api.put_tier_program": Route(allow=ADMIN_ONLY, data={"tiers": [
        {"name": "Registered", "min_score": 0, "base_margin_pct": 10, "bonus_margin_pct": 5},
        {"name": "Gold", "min_score": 70, "base_margin_pct": 20, "bonus_margin_pct": 10}]}),
    "api.close_partner_quarter": Route(params=P, values=Q, allow=CLOSE),
    "api.close_all_quarters": Route(values=Q, allow=ADMIN_ONLY),
    "api.override_quarter": Route(params=P, values=Q, allow=OVERRIDE,
                                  data={"tier": "Gold", "reason": "Strategic launch partner this quarter"}),
    "api.partner_margins": Route(params=P, allow=READ),
    "api.partner_what_if": Route(params=P, allow=READ, data={"values": {"nps": 40}}),
}
