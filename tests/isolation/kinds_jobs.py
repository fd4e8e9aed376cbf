"""Object kind for jobs: a partner's job belongs to that partner's staff (and the vendor admin).

- "job": a queued job started by a partner user of the own partner ("own"), one of the other
  partner ("other_partner") and one of the other tenant ("other_tenant"). Nobody consumes the
  queue in the matrix, so the jobs stay queued (cancel answers ok, then 409 once cancelled).
"""
from __future__ import annotations

import uuid

from app.extensions import db
from app.jobs.models import Job
from app.tenancy import tenant_scope
from tests.isolation.framework import register_kind


def _jobs(world) -> dict:
    out = {}
    for relation, tenant, partner in (("own", world.tenant, world.own_partner),
                                      ("other_partner", world.tenant, world.other_partner),
                                      ("other_tenant", world.other_tenant, world.foreign_partner)):
        membership = world.spare[relation]
        with tenant_scope(tenant.id):
            job = Job(id=uuid.uuid4(), kind="tiers.close_all", title=f"Matrix job ({relation})",
                      started_by_id=membership.id, owner_partner_id=partner.id, params={"period": "2026-Q1"})
            db.session.add(job)
            db.session.commit()
            out[relation] = job.id
    return out


register_kind("job", _jobs)
