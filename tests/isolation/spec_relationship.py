"""Matrix entries for communication plans, enhancement requests and term changes (DESIGN 7a)."""
from tests.isolation.framework import EVERYONE, PARTNER, VENDOR, Route

VENDOR_ALL = {r: {"own", "other_partner", "none"} for r in VENDOR}
PARTNERS_ONLY = {r: {"none"} for r in PARTNER}
READ = {**VENDOR_ALL, **{r: {"own"} for r in PARTNER}}
# Edit a plan / ask for a term change: vendor admin, the partner's channel manager, the partner's admin.
EDIT = {"vendor_admin": {"own", "other_partner"}, "channel_manager": {"own"}, "partner_admin": {"own"}}
# The matrix term changes are asked by the vendor admin: only the partner's admin may answer.
ANSWER = {"partner_admin": {"own"}}
TRIAGE = {"vendor_admin": {"own", "other_partner"}, "channel_manager": {"own", "other_partner"}}
P = {"partner_id": "partner"}
E = {"request_id": "enhancement"}
T = {"change_id": "term_change"}


def _request_visible(role, relation, method):
    """Requests are shared across the vendor's partners (redacted): another partner's request is
    visible to partner staff, so it answers 200 or 403, never 404."""
    if relation == "other_partner" and role in PARTNER:
        return "ok" if method == "GET" else None
    return None


def _support(role, relation, method):
    # Partner staff may support any request of the programme (a second support answers 422).
    if role in PARTNER and relation in ("own", "other_partner"):
        return "ok"
    return None


def _partner_403(role, relation, method):
    # Visible to partner staff, so a write they may not make is 403 (not 404).
    if role in PARTNER and relation == "other_partner":
        return 403
    return None


def _use_case(role, relation, method):
    # The own partner filed the "own" request and supports the "other_partner" one.
    if role in PARTNER and relation in ("own", "other_partner"):
        return "ok"
    return None


def _remove_partner_contact(role, relation, method):
    """Partner-side contacts: only the partner's admin removes them; the matrix's partner admin
    removes the own one, so the partner user who comes after finds it gone (404)."""
    if relation == "own" and role == "partner_user":
        return 404
    return None


def _remove_meeting(role, relation, method):
    """The first allowed role (vendor admin) removes the meeting; everyone after it finds it gone."""
    if relation in ("own", "other_partner") and role != "vendor_admin":
        return 404
    return None


ROUTES = {
    # Communication plans.
    "commplan.index": Route(allow=EVERYONE),
    "commplan.plan": Route(params=P, allow=READ),
    "commplan.contact_add": Route(params=P, allow=EDIT, data={"role": "nobody", "name": ""}),
    "commplan.meeting_add": Route(params=P, allow=EDIT, data={"kind": "party", "cadence": "daily"}),
    "commplan.channels": Route(params=P, allow=EDIT, data={"channels": "pigeon"}),
    "commplan.reviewed": Route(params=P, allow=EDIT),
    "commplan.contact_remove": Route(params={"contact_id": "comm_contact_partner_side"},
                                     allow={"partner_admin": {"own"}}, expect=_remove_partner_contact),
    "commplan.meeting_remove": Route(params={"meeting_id": "comm_meeting"}, allow=EDIT, expect=_remove_meeting),
    "api.get_comm_plan": Route(params=P, allow=READ),
    "api.put_comm_plan": Route(params=P, allow=EDIT, data={"channels": ["pigeon"]}),
    "api.add_comm_contact": Route(params=P, allow=EDIT, data={"role": "nobody"}),
    "api.remove_comm_contact": Route(params={"contact_id": "comm_contact_api"}, allow={"partner_admin": {"own"}},
                                     expect=_remove_partner_contact),
    "api.add_comm_meeting": Route(params=P, allow=EDIT, data={"kind": "party"}),
    "api.remove_comm_meeting": Route(params={"meeting_id": "comm_meeting_api"}, allow=EDIT, expect=_remove_meeting),
    "api.review_comm_plan": Route(params=P, allow=EDIT),
    # Enhancement requests.
    "enhancements.index": Route(allow=EVERYONE),
    "enhancements.new": Route(allow=PARTNERS_ONLY, data={"title": "", "urgency": "whenever"}),
    "enhancements.detail": Route(params=E, allow={**VENDOR_ALL, **{r: {"own"} for r in PARTNER}},
                                 expect=_request_visible),
    "enhancements.support": Route(params=E, allow={}, expect=lambda r, rel, m: _support(r, rel, m) or _partner_403(r, rel, m)),
    "enhancements.set_status": Route(params=E, allow=TRIAGE, data={"status": "someday"}, expect=_partner_403),
    "enhancements.use_case": Route(params=E, allow=TRIAGE, data={"text": ""}, expect=_use_case),
    "api.list_enhancements": Route(allow=EVERYONE),
    "api.rank_enhancements": Route(allow=VENDOR_ALL),
    "api.file_enhancement": Route(allow=PARTNERS_ONLY, data={"title": ""}),
    "api.get_enhancement": Route(params=E, allow={**VENDOR_ALL, **{r: {"own"} for r in PARTNER}},
                                 expect=_request_visible),
    "api.support_enhancement": Route(params=E, allow={}, data={"affected_count": -1},
                                     expect=lambda r, rel, m: _support(r, rel, m) or _partner_403(r, rel, m)),
    "api.set_enhancement_status": Route(params=E, allow=TRIAGE, data={"status": "someday"}, expect=_partner_403),
    "api.add_enhancement_use_case": Route(params=E, allow=TRIAGE, data={}, expect=_use_case),
    # Term changes.
    "termchanges.partnership": Route(params=P, allow=READ),
    "termchanges.propose": Route(params=P, allow=EDIT, data={"kind": "everything", "reason": ""}),
    "termchanges.decide": Route(params=T, values={"decision": "decline"}, allow=ANSWER, data={"reason": ""}),
    "api.list_term_changes": Route(params=P, allow=READ),
    "api.propose_term_change": Route(params=P, allow=EDIT, data={"kind": "everything"}),
    "api.get_term_change": Route(params=T, allow=READ),
    "api.accept_term_change": Route(params=T, allow=ANSWER, data={}),
    "api.decline_term_change": Route(params=T, allow=ANSWER, data={"reason": ""}),
    "api.counter_term_change": Route(params=T, allow=ANSWER, data={}),
}
