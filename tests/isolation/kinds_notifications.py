"""Object kind for notices: each is its addressee's alone.

- "notification": a notice for the own partner's partner_user ("own"), for the vendor admin of the
  same tenant ("other_partner"), and for a person of the other tenant ("other_tenant").
"""
from __future__ import annotations

from app.extensions import db
from app.notifications.services import notify
from app.tenancy import tenant_scope
from tests.isolation.framework import register_kind


def _notices(world) -> dict:
    out = {}
    for relation, tenant, membership in (
            ("own", world.tenant, world.people["partner_user"]),
            ("other_partner", world.tenant, world.people["vendor_admin"]),
            ("other_tenant", world.other_tenant, world.spare["other_tenant"])):
        with tenant_scope(tenant.id):
            notice, = notify([membership], subject=f"Matrix notice ({relation})", body="For the matrix.",
                             link="/notifications/")
            out[relation] = notice.id
            db.session.commit()
    return out


register_kind("notification", _notices)
