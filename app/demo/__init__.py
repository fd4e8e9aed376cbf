"""The demo tenant: a vendor, its partners, one login per role, and every feature's sample data."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import click
from sqlalchemy import select

from app.auth import roles
from app.auth.models import Membership
from app.core.registry import DEMO_SEEDERS
from app.extensions import db
from app.partners.services import create_partner
from app.tenancy import tenant_scope
from app.tenants.models import Tenant
from app.tenants.services import add_member, create_tenant

DEMO_SLUG = "demo"
# The demo's published password, printed by `flask demo` for anyone trying the portal.
DEMO_PASSWORD = "tandem-demo-2026"  # nosec B105
DEMO_LOGINS = [
    ("admin@northwind.example", roles.VENDOR_ADMIN, None, "Vera Admin"),
    ("manager@northwind.example", roles.CHANNEL_MANAGER, None, "Carlos Manager"),
    ("viewer@northwind.example", roles.VENDOR_VIEWER, None, "Vik Viewer"),
    ("success@northwind.example", roles.CS_DEVELOPMENT_MANAGER, None, "Sam Success"),
    ("admin@acme-consulting.example", roles.PARTNER_ADMIN, "Acme Consulting", "Priya Partner-Admin"),
    ("user@acme-consulting.example", roles.PARTNER_USER, "Acme Consulting", "Pat Partner-User"),
    ("admin@globex-partners.example", roles.PARTNER_ADMIN, "Globex Partners", "Gina Globex"),
]
DEMO_PARTNERS = [
    ("Acme Consulting", "emea", ["mid_market", "enterprise"], ["Admin", "Architect"], "38.50", "https://acme-consulting.example"),
    ("Globex Partners", "na", ["smb", "mid_market"], ["Admin"], "22.00", "https://globex-partners.example"),
    ("Initech Services", "na", ["enterprise"], ["Admin", "Architect", "Security"], "45.00", "https://initech.example"),
    ("Umbrella Digital", "apac", ["smb"], [], "12.50", "https://umbrella-digital.example"),
    ("Stark Integrations", "emea", ["enterprise"], ["Architect"], "51.00", "https://stark-integrations.example"),
    ("Wayne Cloud Advisory", "latam", ["mid_market"], ["Admin"], "30.00", "https://wayne-cloud.example"),
    ("Hooli Partners", "na", ["smb", "mid_market"], ["Admin"], "18.00", "https://hooli-partners.example"),
    ("Soylent Solutions", "emea", ["mid_market"], [], "9.00", "https://soylent.example"),
]


@dataclass
class Demo:
    """What seeders receive: the tenant, partners by name, memberships by email."""
    tenant: Tenant
    partners: dict = field(default_factory=dict)
    members: dict[str, Membership] = field(default_factory=dict)
    password: str = DEMO_PASSWORD  # for the logins seeders add


def seed_demo() -> Demo:
    tenant = create_tenant("Northwind Software", DEMO_SLUG, DEMO_LOGINS[0][0], DEMO_PASSWORD)
    demo = Demo(tenant=tenant)
    with tenant_scope(tenant.id):
        demo.members[DEMO_LOGINS[0][0]] = db.session.scalar(select(Membership))
        for name, region, segments, certs, share, site in DEMO_PARTNERS:
            demo.partners[name] = create_partner(
                name=name, status="active", region=region, segments=segments, certifications=certs,
                services_revenue_share=Decimal(share), website=site)
        for email, role, partner_name, person in DEMO_LOGINS[1:]:
            partner_id = demo.partners[partner_name].id if partner_name else None
            demo.members[email] = add_member(email, DEMO_PASSWORD, role, partner_id, name=person)
        manager = demo.members["manager@northwind.example"]
        for name in ("Acme Consulting", "Globex Partners", "Initech Services", "Umbrella Digital"):
            demo.partners[name].channel_manager_id = manager.id
        db.session.flush()
        for _, seed in DEMO_SEEDERS:
            seed(demo)
    return demo


def print_logins() -> None:
    click.echo("")
    click.echo("Demo logins (password for all: %s)" % DEMO_PASSWORD)
    for email, role, partner, _ in DEMO_LOGINS:
        where = f" at {partner}" if partner else ""
        click.echo(f"  {roles.ROLE_LABELS[role]:<16} {email}{where}")
    click.echo("")
