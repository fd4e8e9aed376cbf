"""Object kinds of the health feature: one vendor-proposed agreement per partner of the matrix world."""
from app.extensions import db
from app.health.services import default_terms, propose
from app.tenancy import tenant_scope
from tests.isolation.framework import register_kind


def _agreements(world) -> dict:
    ids = {}
    for relation, tenant, partner in (("own", world.tenant, world.own_partner),
                                      ("other_partner", world.tenant, world.other_partner),
                                      ("other_tenant", world.other_tenant, world.foreign_partner)):
        with tenant_scope(tenant.id):
            agreement = propose(db.session.merge(partner), "2026-Q1", default_terms(), None)
            ids[relation] = agreement.id
            db.session.commit()
    return ids


register_kind("agreement", _agreements)
