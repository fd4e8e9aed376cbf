"""Matrix entries for the Ideal Partner Profile routes."""
from tests.isolation.framework import EVERYONE, PARTNER, VENDOR, Route

VENDOR_ALL = {r: {"own", "other_partner", "none"} for r in VENDOR}
ADMIN_ONLY = {"vendor_admin": {"own", "other_partner", "none"}}
VENDOR_ASSESSORS = {"vendor_admin": {"own", "other_partner"}, "channel_manager": {"own"}}
PARTNER_OWN = {r: {"own"} for r in PARTNER}
CRITERIA = [{"key": "lead", "question": "Leadership committed?", "type": "boolean", "weight": 1}]


def _vendor_assessment(role, relation, method):
    # Unshared (the default), a vendor assessment is not partner staff's to open: 404, not 403.
    if role in PARTNER and relation in ("own", "other_partner"):
        return 404
    return None


ROUTES = {
    "ipp.profiles": Route(allow=VENDOR_ALL),
    "ipp.profile": Route(params={"profile_id": "ipp_profile"}, allow=VENDOR_ALL),
    "ipp.new_profile": Route(allow=ADMIN_ONLY, note="an empty POST answers 422"),
    "ipp.edit_profile": Route(params={"profile_id": "ipp_profile"}, allow=ADMIN_ONLY,
                              note="an empty POST answers 422"),
    "ipp.assess_vendor": Route(params={"partner_id": "partner"}, allow=VENDOR_ASSESSORS),
    "ipp.assess_self": Route(params={"partner_id": "partner"}, allow={"partner_admin": {"own"}}),
    "ipp.assessment": Route(params={"assessment_id": "ipp_vendor_assessment"}, allow=VENDOR_ALL,
                            expect=_vendor_assessment),
    "ipp.sharing": Route(params={"partner_id": "partner"}, allow=VENDOR_ASSESSORS),
    "ipp.ranking": Route(allow=VENDOR_ALL),
    "ipp.portfolio": Route(allow=VENDOR_ALL),
    "api.list_profiles": Route(allow=EVERYONE),
    "api.get_profile_api": Route(params={"profile_id": "ipp_profile"}, allow=EVERYONE),
    "api.create_profile_api": Route(allow=ADMIN_ONLY, data={"name": "Matrix IPP", "criteria": CRITERIA}),
    "api.list_assessments": Route(params={"partner_id": "partner"}, allow={**VENDOR_ALL, **PARTNER_OWN}),
    "api.create_assessment_api": Route(
        params={"partner_id": "partner"}, allow=VENDOR_ASSESSORS,
        data={"kind": "vendor", "answers": {}},
        note="no profile_id: allowed roles get 422 after the role check"),
}
