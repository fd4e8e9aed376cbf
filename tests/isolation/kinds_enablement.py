"""Object kinds of enablement: a course per tenant (courses are workspace-wide: no other-partner relation)."""
import uuid

from app.enablement.models import Course
from app.extensions import db
from app.tenancy import tenant_scope
from tests.isolation.framework import register_kind

_BUILT: dict = {}


def _courses(world) -> dict:
    key = id(world)
    if key not in _BUILT:
        ids = {}
        for relation, tenant in (("own", world.tenant), ("other_tenant", world.other_tenant)):
            with tenant_scope(tenant.id):
                course = Course(id=uuid.uuid4(), name=f"Matrix course {relation}", kind="certification",
                                valid_months=12, active=True)
                db.session.add(course)
                db.session.commit()
                ids[relation] = course.id
        _BUILT.clear()
        _BUILT[key] = {**ids, "other_partner": None}
    return _BUILT[key]


register_kind("course", _courses)
