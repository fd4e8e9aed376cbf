"""Onboarding checklists (issue 14). The CS Development Manager runs the checklists of its region's
partners ("own" is in its region, "other_partner" is not) and reads the rest like vendor staff."""
from tests.isolation.framework import CSDM, PARTNER, VENDOR, Route

VENDOR_ALL = {r: {"own", "other_partner", "none"} for r in VENDOR}
READ = {**VENDOR_ALL, **{r: {"own"} for r in PARTNER}}
# Start and tick: vendor admins, the partner's channel manager, the CSDM of the partner's region.
RUN = {"vendor_admin": {"own", "other_partner"}, "channel_manager": {"own"}, CSDM: {"own"}}
EDIT_TEMPLATE = {"vendor_admin": {"own", "none"}}
P = {"partner_id": "partner"}
I = {"item_id": "onboarding_item"}
S = {"item_id": "onboarding_step"}


def _post_admin_only(role, relation, method):
    """GET for vendor staff (allow); POST for the vendor admin only."""
    if method == "POST" and role in VENDOR:
        return "ok" if role == "vendor_admin" else 403
    return None


def _template_step(role, relation, method):
    # Partner staff never see the template: its steps answer 404 to them.
    if role in PARTNER:
        return 404
    return None


ROUTES = {
    "onboarding.index": Route(allow=VENDOR_ALL),
    "onboarding.template_page": Route(allow=VENDOR_ALL, expect=_post_admin_only, data={"title": ""},
                                      note="empty title: 422 for the admin"),
    "onboarding.edit_step": Route(params=S, allow=EDIT_TEMPLATE, expect=_template_step,
                                  data={"title": "", "version": "1"}),
    "onboarding.remove_step": Route(params=S, allow=EDIT_TEMPLATE, expect=_template_step,
                                    note="a second removal answers 409"),
    "onboarding.checklist_page": Route(params=P, allow=READ),
    "onboarding.start_view": Route(params=P, allow=RUN, note="started already: 409"),
    "onboarding.tick_view": Route(params=I, allow=RUN, data={"done": "1", "version": "1"},
                                  note="the first tick moves the version: later ones answer 409"),
    # API.
    "api.onboarding_progress": Route(allow=VENDOR_ALL),
    "api.get_onboarding_template": Route(allow=VENDOR_ALL),
    "api.add_onboarding_step": Route(allow=EDIT_TEMPLATE, data={"title": ""}),
    "api.change_onboarding_step": Route(params=S, allow=EDIT_TEMPLATE, expect=_template_step,
                                        data={"version": 1, "title": ""}),
    "api.remove_onboarding_step": Route(params=S, allow=EDIT_TEMPLATE, expect=_template_step),
    "api.get_onboarding": Route(params=P, allow=READ),
    "api.start_onboarding": Route(params=P, allow=RUN),
    "api.tick_onboarding_item": Route(params=I, allow=RUN, data={"done": True, "version": 1}),
}
