"""Shared-account facts in the review respect the sharing levels, field by field and per side."""
from __future__ import annotations

from sqlalchemy import select

from tests.support.accounts_world import build, set_level  # noqa: I001  (imports app.auth first)
from app.accounts.models import Account
from app.accounts.services import add_insight
from app.auth.context import Actor
from app.auth.models import Membership, User
from app.extensions import db
from app.reviews.calendar import current_period
from app.sharing.models import PARTNER_TO_VENDOR, VENDOR_TO_PARTNER
from app.tenancy import tenant_scope
from app.tenants.models import Tenant


def _actor(world, role) -> Actor:
    m = db.session.get(Membership, (world.tenant_id, world.members[role].id))
    return Actor(user=db.session.get(User, m.user_id), tenant=db.session.get(Tenant, world.tenant_id), membership=m)


def test_renewals_on_shared_accounts_follow_levels_and_name_only_the_viewers_copy(app, client, make):
    world = build(make)
    period = current_period()
    due = period.start_date().isoformat()
    with tenant_scope(world.tenant_id):
        vendor_copy = db.session.get(Account, (world.tenant_id, __import__("uuid").UUID(world.ids[("v", "shared.example")])))
        partner_copy = db.session.get(Account, (world.tenant_id, __import__("uuid").UUID(world.ids[("a", "shared.example")])))
        add_insight(vendor_copy, "renewal", {"due_date": due, "status": "missed"}, _actor(world, "vendor_admin"))
        add_insight(partner_copy, "renewal", {"due_date": due, "status": "renewed"}, _actor(world, "partner_admin"))
        add_insight(partner_copy, "opportunity", {"type": "upsell", "stage": "qualified"}, _actor(world, "partner_admin"))
        # Not on an account both sides of this partnership hold: never counted in A's review.
        for side, domain, role in (("v", "vendoronly.example", "vendor_admin"), ("v", "bshared.example", "vendor_admin"),
                                   ("a", "aonly.example", "partner_admin")):
            account = db.session.get(Account, (world.tenant_id, __import__("uuid").UUID(world.ids[(side, domain)])))
            add_insight(account, "renewal", {"due_date": due, "status": "missed"}, _actor(world, role))
        db.session.commit()
    rid = world.api(client, "vendor_admin", "POST", f"/partners/{world.a_id}/reviews",
                    json={"period": str(period)}).json["id"]

    def seen(role):
        body = world.api(client, role, "GET", f"/reviews/{rid}").json["content"]
        return body["overlap"], str(body)

    # Defaults: the partner shares counts only (no insights) with the vendor; the vendor shares
    # overlaps (no insights) with the partner. Each side sees its own side's renewal only.
    vendor, vendor_text = seen("vendor_viewer")
    assert (vendor["renewals_won"], vendor["renewals_lost"], vendor["open_opportunities"]) == (0, 1, 0)
    assert vendor["broken_links"][0]["account"] == "Shared Vendor" and "Shared A" not in vendor_text
    partner, partner_text = seen("partner_user")
    assert (partner["renewals_won"], partner["renewals_lost"], partner["open_opportunities"]) == (1, 0, 1)
    assert partner["broken_links"] == [] and "Shared Vendor" not in partner_text
    assert vendor["count"] == partner["count"] == 1  # overlap counts are for both sides
    # Partner A shares its renewals and opportunities with the vendor; the vendor shares its renewals.
    set_level(world, world.a_id, PARTNER_TO_VENDOR, "fields", ["renewal", "opportunity"])
    set_level(world, world.a_id, VENDOR_TO_PARTNER, "fields", ["renewal"])
    vendor, vendor_text = seen("vendor_viewer")
    assert (vendor["renewals_won"], vendor["renewals_lost"], vendor["open_opportunities"]) == (1, 1, 1)
    partner, partner_text = seen("partner_user")
    assert (partner["renewals_won"], partner["renewals_lost"]) == (1, 1)
    # The partner learns the broken link under the name of its own copy, never the vendor's record.
    assert partner["broken_links"][0]["account"] == "Shared A" and "Shared Vendor" not in partner_text
    # Another partner's staff never reach the review.
    assert world.api(client, "b_admin", "GET", f"/reviews/{rid}").status_code == 404
    with tenant_scope(world.tenant_id):
        assert db.session.scalar(select(Account.name).where(Account.domain == "bonly.example")) == "B Only"
    assert "B Only" not in vendor_text and "B Only" not in partner_text
