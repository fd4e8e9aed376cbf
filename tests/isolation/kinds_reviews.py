"""Object kinds of the reviews package: one review per relation, each with one action item."""
import datetime
import uuid

from app.extensions import db
from app.tenancy import tenant_scope
from tests.isolation.framework import register_kind

_made: dict = {}


def _build(world) -> dict:
    if "review" in _made and _made.get("world") is world:
        return _made
    from app.reviews.models import ActionItem, Review

    reviews, items = {}, {}
    for relation, tenant, partner in (("own", world.tenant, world.own_partner),
                                      ("other_partner", world.tenant, world.other_partner),
                                      ("other_tenant", world.other_tenant, world.foreign_partner)):
        with tenant_scope(tenant.id):
            review = Review(id=uuid.uuid4(), partner_id=partner.id, period="2026-Q3", settlements={})
            db.session.add(review)
            db.session.flush()
            item = ActionItem(id=uuid.uuid4(), review_id=review.id, title=f"Matrix {relation}", owner_side="partner",
                              owner_id=world.spare[relation].id, due_date=datetime.date(2026, 12, 31))
            db.session.add(item)
            db.session.commit()
            reviews[relation], items[relation] = review.id, item.id
    _made.clear()
    _made.update({"world": world, "review": reviews, "review_action_item": items})
    return _made


register_kind("review", lambda world: _build(world)["review"])
register_kind("review_action_item", lambda world: _build(world)["review_action_item"])
