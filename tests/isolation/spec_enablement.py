"""Matrix entries for touch plans, touches, coverage, courses and completions (issue 14): partner staff reach only their
own partner; logging is for vendor admins, the partner's channel manager, the CS Development Manager of its region
and the partner's staff."""
from tests.isolation.framework import CSDM, PARTNER, VENDOR, Route

P = {"partner_id": "partner"}
READ = {**{r: {"own", "other_partner"} for r in VENDOR}, **{r: {"own"} for r in PARTNER}}
WORK = {"vendor_admin": {"own", "other_partner"}, "channel_manager": {"own"}}
# The CS Development Manager logs touches and records training for the partners of its regions ("own").
LOG = {**WORK, CSDM: {"own"}, **{r: {"own"} for r in PARTNER}}
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

RECORD = {**WORK, CSDM: {"own"}, "partner_admin": {"own"}}
ROUTES.update({
    "enablement.courses": Route(allow={**{r: {"none"} for r in VENDOR}, **{r: {"none"} for r in PARTNER}}),
    "enablement.add_course": Route(allow={"vendor_admin": {"none"}}, data={"name": "", "kind": "x"}),
    "enablement.training": Route(params=P, allow=READ),
    "enablement.record": Route(params=P, allow=RECORD, data={"course_id": "nope"}),
    "api.list_courses": Route(allow={**{r: {"none"} for r in VENDOR}, **{r: {"none"} for r in PARTNER}}),
    "api.create_course_api": Route(allow={"vendor_admin": {"none"}}, data={"name": " ", "kind": "course"}),
    # a course is the workspace's: everyone reads it, vendor admins change it (bad input here: 422, nothing written)
    "enablement.edit_course": Route(params={"course_id": "course"}, allow={"vendor_admin": {"own"}},
                                    data={"name": " ", "valid_months": "0"}),
    "api.get_course": Route(params={"course_id": "course"}, allow={**{r: {"own"} for r in VENDOR},
                                                                  **{r: {"own"} for r in PARTNER}}),
    "api.update_course_api": Route(params={"course_id": "course"}, allow={"vendor_admin": {"own"}},
                                   data={"version": 1, "valid_months": 0}),
    "api.list_completions": Route(params=P, allow=READ),
    "api.record_completion_api": Route(params=P, allow=RECORD,
                                       data={"course_id": "nope", "membership_id": "nope", "completed_on": "x"}),
})
