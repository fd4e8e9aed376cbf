"""Object kinds of onboarding: checklist items of each partner (started), and template steps."""
from sqlalchemy import select

from app.extensions import db
from app.onboarding.models import OnboardingTemplateItem
from app.onboarding.services import start
from app.tenancy import tenant_scope
from tests.isolation.framework import register_kind


def _items(world) -> dict:
    """The kick-off item of each partner's checklist (all three started, so a start answers 409)."""
    ids = {}
    for relation, tenant, partner in (("own", world.tenant, world.own_partner),
                                      ("other_partner", world.tenant, world.other_partner),
                                      ("other_tenant", world.other_tenant, world.foreign_partner)):
        with tenant_scope(tenant.id):
            items = start(partner)
            ids[relation] = next(i.id for i in items if i.key == "kick_off")
            db.session.commit()
    return ids


def _steps(world) -> dict:
    """A template step of each tenant (a step has no partner: no other_partner case)."""
    ids = {"other_partner": None}
    for relation, tenant in (("own", world.tenant), ("other_tenant", world.other_tenant)):
        with tenant_scope(tenant.id):
            ids[relation] = db.session.scalar(select(OnboardingTemplateItem.id).where(
                OnboardingTemplateItem.key == "first_qbr"))
    return ids


register_kind("onboarding_item", _items)
register_kind("onboarding_step", _steps)
