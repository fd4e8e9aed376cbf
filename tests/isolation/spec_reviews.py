"""Matrix entries for quarterly joint reviews and their action items (DESIGN section 7)."""
from tests.isolation.framework import EVERYONE, VENDOR, PARTNER, Route

READ = {**{r: {"own", "other_partner"} for r in VENDOR}, **{r: {"own"} for r in PARTNER}}
# Open, edit, settle, add items, sign and unsign: a vendor admin, the partner's channel manager
# (the matrix's manager manages the own partner only), the partner's admin.
EDIT = {"vendor_admin": {"own", "other_partner"}, "channel_manager": {"own"}, "partner_admin": {"own"}}
P = {"partner_id": "partner"}
R = {"review_id": "review"}
I = {"item_id": "review_action_item"}

ROUTES = {
    "reviews.index": Route(allow=EVERYONE, note="vendor staff: the calendar; partner staff: redirect to their reviews"),
    "reviews.partner_reviews": Route(params=P, allow=READ),
    "reviews.open_": Route(params=P, allow=EDIT, data={"period": "not-a-quarter"}),
    "reviews.detail": Route(params=R, allow=READ),
    "reviews.print_view": Route(params=R, allow=READ),
    "reviews.pdf": Route(params=R, allow=READ),
    "reviews.pdf_pack_job": Route(params=R, allow=READ),
    "reviews.edit": Route(params=R, allow=EDIT, data={"version": "0"}),
    "reviews.settle_metric": Route(params=R, allow=EDIT, data={"metric_key": "nope", "value": "x"}),
    "reviews.item_add": Route(params=R, allow=EDIT, data={"title": ""}),
    "reviews.item_update": Route(params=I, allow=EDIT, data={"status": "bogus", "version": "1"}),
    "reviews.sign_": Route(params=R, allow=EDIT),
    "reviews.unsign_": Route(params=R, allow=EDIT),
    "api.list_reviews": Route(params=P, allow=READ),
    "api.create_review": Route(params=P, allow=EDIT, data={"period": "not-a-quarter"}),
    "api.get_review": Route(params=R, allow=READ),
    "api.review_pdf": Route(params=R, allow=READ),
    "api.review_pdf_pack": Route(params=R, allow=READ),
    "api.list_action_items": Route(params=R, allow=READ),
    "api.patch_review": Route(params=R, allow=EDIT, data={"version": 0}),
    "api.settle_review_metric": Route(params=R, allow=EDIT, data={}),
    "api.signoff_review": Route(params=R, allow=EDIT),
    "api.unsign_review": Route(params=R, allow=EDIT),
    "api.add_action_item": Route(params=R, allow=EDIT, data={}),
    "api.patch_action_item": Route(params=I, allow=EDIT, data={"version": 0}),
}
