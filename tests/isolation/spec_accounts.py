"""Matrix entries for accounts and sharing (HTML and API)."""
from tests.isolation.framework import EVERYONE, PARTNER, VENDOR, Route

VENDOR_ALL = {r: {"own", "other_partner", "none"} for r in VENDOR}
ADMIN_ONLY = {"vendor_admin": {"own", "other_partner", "none"}}
BOTH_SIDES = EVERYONE
IMPORTERS = {"vendor_admin": {"none"}, "channel_manager": {"none"}, "partner_admin": {"none"},
             "partner_user": {"none"}}
PARTNERSHIP_READ = {**VENDOR_ALL, **{r: {"own"} for r in PARTNER}}


def _partner_account(role, relation, method):
    # Partner-owned accounts: vendor staff see them only as the partner's level allows, and the
    # default partner -> vendor level is counts, so they answer 404 like anything not visible.
    if role in VENDOR and relation in ("own", "other_partner"):
        return 404
    return None


def _partner_account_write(role, relation, method):
    found = _partner_account(role, relation, method)
    if found is not None:
        return found
    if relation == "own" and role in PARTNER:
        return "ok"
    return None


def _change_sharing(role, relation, method):
    if relation in ("other_tenant", "missing"):
        return 404
    if role in PARTNER and relation == "other_partner":
        return 404
    if role == "vendor_admin" or (role == "channel_manager" and relation == "own"):
        return "ok"
    if role == "partner_admin" and relation == "own":
        return "ok"
    return 403


def _request_more(role, relation, method):
    # Partner staff see overlaps by default (not counts): a request answers 409, which is "ok".
    if relation in ("other_tenant", "missing"):
        return 404
    if role in PARTNER and relation == "other_partner":
        return 404
    if role in ("vendor_viewer", "cs_development_manager"):  # asking a partner to share more is the managers'
        return 403
    return "ok"


def _decide(role, relation, method):
    # Pending requests ask the partner to share more (partner -> vendor): its partner admin decides.
    if relation in ("other_tenant", "missing"):
        return 404
    if role in PARTNER and relation == "other_partner":
        return 404
    return "ok" if role == "partner_admin" and relation == "own" else 403


ROUTES = {
    "accounts.index": Route(allow=BOTH_SIDES),
    "accounts.import_csv": Route(allow=IMPORTERS),
    "accounts.imports": Route(allow=BOTH_SIDES),
    "accounts.export": Route(allow=BOTH_SIDES),
    "accounts.detail": Route(params={"account_id": "account"}, allow={r: {"own"} for r in PARTNER},
                             expect=_partner_account),
    "accounts.add_insight_view": Route(params={"account_id": "account"}, allow={r: {"own"} for r in PARTNER},
                                       expect=_partner_account_write,
                                       data={"kind": "intent", "date": "2026-01-01", "signal": "x", "strength": "low"}),
    "accounts.assign": Route(params={"account_id": "vendor_account"},
                             allow={"vendor_admin": {"own", "other_partner"}, "channel_manager": {"own", "other_partner"}},
                             note="the own partner sees the vendor account it shares (default overlaps): 403"),
    "accounts.mapping": Route(allow=VENDOR_ALL),
    "accounts.conflicts": Route(allow=VENDOR_ALL),
    "accounts.resolve": Route(allow=ADMIN_ONLY, data={"domain": "nothing.example", "resolution": "co_sell"},
                              note="no conflict on that domain: 404 for the admin is 'not found', so expect ok/404",
                              expect=lambda role, relation, method: 404 if role == "vendor_admin" else None),
    "accounts.segment_settings_view": Route(allow=ADMIN_ONLY),
    "sharing.index": Route(allow=BOTH_SIDES),
    "sharing.partnership": Route(params={"partner_id": "partner"}, allow=PARTNERSHIP_READ),
    "sharing.change": Route(params={"partner_id": "partner"}, expect=_change_sharing,
                            data={"level": "counts"}),
    "sharing.overlaps": Route(params={"partner_id": "partner"}, allow=PARTNERSHIP_READ),
    "sharing.ask": Route(params={"partner_id": "partner"}, expect=_request_more, data={"requested_level": "overlaps"}),
    "sharing.decide": Route(params={"request_id": "data_request"}, expect=_decide, data={"decision": "decline"}),
    # API.
    "api.list_accounts": Route(allow=BOTH_SIDES),
    "api.import_accounts_api": Route(allow=IMPORTERS, note="no file: 422 for importers"),
    "api.get_account_api": Route(params={"account_id": "account"}, allow={r: {"own"} for r in PARTNER},
                                 expect=_partner_account),
    "api.list_insights_api": Route(params={"account_id": "account"}, allow={r: {"own"} for r in PARTNER},
                                   expect=_partner_account),
    "api.add_insight_api": Route(params={"account_id": "account"}, allow={r: {"own"} for r in PARTNER},
                                 expect=_partner_account_write,
                                 data={"kind": "intent", "data": {"date": "2026-01-01", "signal": "x", "strength": "low"}}),
    "api.get_sharing_api": Route(params={"partner_id": "partner"}, allow=PARTNERSHIP_READ),
    "api.put_sharing_api": Route(params={"partner_id": "partner"}, allow={"vendor_admin": {"own", "other_partner"}, "channel_manager": {"own"}},
                                 data={"direction": "vendor_to_partner", "level": "overlaps"}),
    "api.overlaps_api": Route(params={"partner_id": "partner"}, allow=PARTNERSHIP_READ),
    "api.request_data_api": Route(params={"partner_id": "partner"}, expect=_request_more,
                                  data={"requested_level": "overlaps"}),
    "api.decide_data_request_api": Route(params={"request_id": "data_request"}, values={"decision": "decline"},
                                         expect=_decide),
}
