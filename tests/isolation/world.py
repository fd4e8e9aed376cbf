"""Two tenants with partners and one person per role: the world the matrix runs in."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.extensions import db
from tests.isolation.framework import PARTNER, VENDOR, register_kind


@dataclass
class World:
    tenant: object
    other_tenant: object
    own_partner: object
    other_partner: object
    foreign_partner: object
    people: dict = field(default_factory=dict)  # role -> membership (tenant A)
    emails: dict = field(default_factory=dict)  # role -> email
    tokens: dict = field(default_factory=dict)  # role -> bearer token
    spare: dict = field(default_factory=dict)  # relation -> membership used as a target
    objects: dict = field(default_factory=dict)  # kind -> {relation: id}
    make: object = None


def build_world(make) -> World:
    tenant = make.tenant("alpha", "Alpha Vendor")
    other = make.tenant("beta", "Beta Vendor")
    own = make.partner(tenant, "Own Partner Ltd")
    other_partner = make.partner(tenant, "Other Partner Ltd")
    foreign = make.partner(other, "Foreign Partner Ltd")
    world = World(tenant, other, own, other_partner, foreign, make=make)
    world.people["vendor_admin"] = make.admin_membership(tenant)
    for role in VENDOR[1:]:
        world.people[role] = make.member(tenant, role, email=f"{role}@alpha.example")
    for role in PARTNER:
        world.people[role] = make.member(tenant, role, own, email=f"{role}@alpha.example")
    own.channel_manager_id = world.people["channel_manager"].id
    # The CS Development Manager covers EMEA: the own partner is there, the other partner is not.
    own.region, other_partner.region = "emea", "na"
    from app.partners.models import RegionAssignment
    from app.tenancy import tenant_scope
    with tenant_scope(tenant.id):
        db.session.add_all([own, other_partner])
        db.session.add(RegionAssignment(membership_id=world.people["cs_development_manager"].id, region="emea"))
        db.session.flush()
    db.session.commit()
    world.emails = {role: ("admin@alpha.example" if role == "vendor_admin" else f"{role}@alpha.example")
                    for role in VENDOR + PARTNER}
    world.spare = {
        "own": make.member(tenant, "partner_user", own, email="spare-own@alpha.example"),
        "other_partner": make.member(tenant, "partner_user", other_partner, email="spare-other@alpha.example"),
        "other_tenant": make.member(other, "partner_user", foreign, email="spare-foreign@beta.example"),
    }
    world.tokens = {role: make.token(m) for role, m in world.people.items()}
    return world


def _partners(world: World) -> dict:
    return {"own": world.own_partner.id, "other_partner": world.other_partner.id,
            "other_tenant": world.foreign_partner.id}


def _memberships(world: World) -> dict:
    return {rel: m.id for rel, m in world.spare.items()}


register_kind("partner", _partners)
register_kind("membership", _memberships)


def _api_tokens(world: World) -> dict:
    """Spare tokens (not the ones the matrix signs in with): the partner user's own, the vendor
    admin's in the same tenant, and one in the other tenant."""
    from sqlalchemy import select

    from app.auth.models import ApiToken
    from app.auth.services import digest

    raws = {"own": world.make.token(world.people["partner_user"]),
            "other_partner": world.make.token(world.people["vendor_admin"]),
            "other_tenant": world.make.token(world.spare["other_tenant"])}
    from app.tenancy import unscoped
    with unscoped("matrix: find token ids"):
        return {rel: db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == digest(raw)))
                for rel, raw in raws.items()}


register_kind("api_token", _api_tokens)
