"""A small world for the cockpit tests, built through the real services: two tenants, partners
with and without a channel manager, one login per role, and helpers to read a person's queue."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from app.auth import roles
from app.auth.context import actor_for_email
from app.auth.models import Membership, User
from app.core.registry import work_items
from app.extensions import db
from app.health import services as health
from app.partners.models import Partner
from app.partners.policies import book_for
from app.partners.services import create_partner
from app.tenancy import tenant_scope, unscoped
from app.tenants.services import add_member, create_tenant
from tests.conftest import PASSWORD

KEYS = ["nps", "product_adoption", "active_user_share", "advocacy", "gross_renewal_rate",
        "net_revenue_retention", "time_to_value"]
GOOD = dict(zip(KEYS, (48, 76, 66, 4, 95, 114, 34)))  # about 96: Gold
PEOPLE = (("cm", roles.CHANNEL_MANAGER, None), ("cm2", roles.CHANNEL_MANAGER, None),
          ("viewer", roles.VENDOR_VIEWER, None), ("alpha_admin", roles.PARTNER_ADMIN, "Alpha"),
          ("alpha_user", roles.PARTNER_USER, "Alpha"), ("beta_admin", roles.PARTNER_ADMIN, "Beta"))
POOR = dict(zip(KEYS, (20, 45, 35, 1, 84, 98, 75)))  # about 35: below every tier but Registered


@dataclass
class World:
    tenant: object
    other: object
    partners: dict = field(default_factory=dict)  # name -> id
    emails: dict = field(default_factory=dict)  # label -> email

    def scope(self, tenant=None):
        return tenant_scope((tenant or self.tenant).id)

    def actor(self, label: str, tenant=None):
        return actor_for_email(tenant or self.tenant, self.emails[label])

    def partner(self, name: str):
        return db.session.get(Partner, (self.tenant.id if name != "South" else self.other.id, self.partners[name]))


def build() -> World:
    with unscoped("test: two tenants"):
        north = create_tenant("North", "north", "admin@north.example", PASSWORD)
        south = create_tenant("South", "south", "admin@south.example", PASSWORD)
        db.session.commit()
    w = World(tenant=north, other=south)
    w.emails.update(admin="admin@north.example", south_admin="admin@south.example")
    with tenant_scope(north.id):
        for name in ("Alpha", "Beta", "Gamma"):
            w.partners[name] = create_partner(name=name, status="active").id
        for label, role, partner in PEOPLE:
            email = f"{label}@north.example"
            add_member(email, PASSWORD, role, w.partners[partner] if partner else None,
                       name=label.replace("_", " ").title())
            w.emails[label] = email
        ids = dict(db.session.execute(select(User.email, Membership.id)
                                      .join(Membership, Membership.user_id == User.id)).all())
        w.partner("Alpha").channel_manager_id = ids["cm@north.example"]
        w.partner("Beta").channel_manager_id = ids["cm2@north.example"]
        db.session.commit()
    with tenant_scope(south.id):
        w.partners["South"] = create_partner(name="South", status="active").id
        add_member("pa@south.example", PASSWORD, roles.PARTNER_ADMIN, w.partners["South"], name="South Admin")
        w.emails["south_partner"] = "pa@south.example"
        db.session.commit()
    return w


def queue(w: World, label: str, kind: str | None = None, tenant=None) -> list:
    """(kind, partner name) of every item in this person's cockpit queue, optionally of one kind."""
    names = {v: k for k, v in w.partners.items()}
    with current_app.test_request_context(), tenant_scope((tenant or w.tenant).id):
        actor = w.actor(label, tenant)
        items = work_items(actor, book_for(actor))
    return sorted((i.kind, names.get(i.partner_id, "?")) for i in items if kind is None or i.kind == kind)


def agree(w: World, name: str, period: str, values: dict | None, by: str = "admin", accept_by: str | None = None):
    """Propose (by `by`), accept (by the partner's admin, or `accept_by`) and record `values`."""
    with w.scope():
        partner = w.partner(name)
        proposer = w.actor(by).membership
        proposal = health.propose(partner, period, health.default_terms(), proposer)
        acceptor = w.actor(accept_by or f"{name.lower()}_admin").membership
        health.accept(proposal, partner, acceptor)
        if values is not None:
            health.record_measurements(proposal, partner, values, "test", proposer)
        db.session.commit()
