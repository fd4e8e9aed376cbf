"""flask --app wsgi tenants|users|tokens|demo|audit ... Each command commits once, at its end."""
from __future__ import annotations

import time
import uuid
from contextlib import contextmanager

import click
from flask import Flask
from sqlalchemy import select

from app.admin import benchdata
from app.audit.services import verify_chain
from app.auth.models import Membership, User
from app.auth.services import create_api_token, normalise_email
from app.demo import DEMO_SLUG, print_logins, seed_demo
from app.extensions import db
from app.partners.models import Partner
from app.security import citus as citus_plan
from app.tenancy import tenant_scope, unscoped
from app.tenants.models import Tenant
from app.tenants.services import TenantError, add_member, create_tenant


@contextmanager
def committing():
    """The command's one transaction: commit on success, roll back on any error."""
    try:
        yield
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def _tenant(slug: str) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.ClickException(f"no tenant with slug {slug!r}")
    return tenant


def register(app: Flask) -> None:
    tenants = click.Group("tenants", help="Create and list tenants.")
    users = click.Group("users", help="Create users.")
    tokens = click.Group("tokens", help="Create API tokens.")
    audit = click.Group("audit", help="Check the audit trail.")

    @tenants.command("create")
    @click.option("--name", required=True)
    @click.option("--slug", required=True)
    @click.option("--admin-email", required=True)
    @click.option("--admin-password", required=True)
    def tenants_create(name, slug, admin_email, admin_password):
        """Create a tenant and its first vendor admin."""
        try:
            with committing():
                tenant = create_tenant(name, slug, admin_email, admin_password)
        except TenantError as exc:
            raise click.ClickException(str(exc))
        click.echo(f"Created tenant {tenant.slug} ({tenant.id}); admin {normalise_email(admin_email)}")

    @tenants.command("list")
    def tenants_list():
        """Every tenant's slug and name."""
        for tenant in db.session.scalars(select(Tenant).order_by(Tenant.slug)):
            click.echo(f"{tenant.slug}\t{tenant.name}")

    @users.command("create")
    @click.option("--tenant", "slug", required=True)
    @click.option("--email", required=True)
    @click.option("--password", required=True)
    @click.option("--role", required=True)
    @click.option("--partner", "partner_ref", default=None, help="Partner id (or exact name) for partner roles")
    @click.option("--name", default="")
    def users_create(slug, email, password, role, partner_ref, name):
        """Create a user with a membership in a tenant."""
        tenant = _tenant(slug)
        try:
            with tenant_scope(tenant.id), committing():  # commit inside the scope
                partner_id = _partner_id(partner_ref) if partner_ref else None
                add_member(email, password, role, partner_id, name=name)
        except TenantError as exc:
            raise click.ClickException(str(exc))
        click.echo(f"Created {normalise_email(email)} as {role} in {slug}")

    @tokens.command("create")
    @click.option("--tenant", "slug", required=True)
    @click.option("--email", required=True)
    @click.option("--name", default="cli")
    def tokens_create(slug, email, name):
        """Create an API token; prints only the token."""
        tenant = _tenant(slug)
        with tenant_scope(tenant.id), committing():  # commit inside the scope
            membership = db.session.scalar(
                select(Membership).join(User, User.id == Membership.user_id)
                .where(User.email == normalise_email(email), Membership.active.is_(True)))
            if membership is None:
                raise click.ClickException(f"{email} is not an active member of {slug}")
            raw = create_api_token(membership, name)
        click.echo(raw)

    @audit.command("verify")
    @click.option("--tenant", "slug", required=True)
    def audit_verify(slug):
        """Check the tenant's audit hash chain; exit 1 at the first broken link."""
        report = verify_chain(_tenant(slug).id)
        if report.ok:
            click.echo(f"OK: {report.events} events, chain intact")
            return
        click.echo(f"BROKEN at event {report.broken_at} ({report.event}): {report.reason}", err=True)
        raise SystemExit(1)

    @click.command("demo")
    @click.option("--reset", is_flag=True, help="Delete the demo tenant first.")
    def demo(reset):
        """Create the demo tenant (once) and print its logins."""
        with committing():
            with unscoped("look for the demo tenant"):
                existing = db.session.scalar(select(Tenant).where(Tenant.slug == DEMO_SLUG))
            if existing is not None and reset:
                db.session.delete(existing)
                db.session.flush()
                existing = None
            if existing is None:
                seed_demo()
                click.echo("Demo tenant created.")
            else:
                click.echo("Demo tenant already present.")
        print_logins()

    citus = click.Group("citus", help="Plan a move to a Citus cluster (docs/ARCHITECTURE.md).")

    @citus.command("ddl")
    def citus_ddl():
        """Print the distribution DDL for the live schema; exit 1 if a key would not distribute."""
        distribution = citus_plan.plan(citus_plan.reflect(db.engine))
        click.echo(citus_plan.ddl(distribution), nl=False)
        if distribution.problems:
            for problem in distribution.problems:
                click.echo(f"cannot distribute: {problem}", err=True)
            raise SystemExit(1)

    @click.command("bench-data")
    @click.option("--partners", type=click.IntRange(1), default=2_000, show_default=True)
    @click.option("--accounts", type=click.IntRange(1), default=200_000, show_default=True,
                  help="Vendor accounts (partners hold half as many again, power-law sized)")
    @click.option("--seed", type=int, default=1, show_default=True)
    @click.option("--slug", default=None, help="Tenant slug (default bench-PARTNERS-ACCOUNTS-SEED)")
    def bench_data(partners, accounts, seed, slug):
        """Create a new tenant filled with benchmark data; print its slug and two logins."""
        started = time.perf_counter()
        try:
            with committing():
                made = benchdata.generate(partners, accounts, seed, slug=slug)
            with committing():  # on rows the database has statistics for (see freeze_earlier_reviews)
                benchdata.freeze_earlier_reviews(made)
        except TenantError as exc:
            raise click.ClickException(str(exc))
        click.echo(f"Tenant {made.slug}: {partners:,} partners, {made.vendor_accounts:,} vendor accounts, "
                   f"{made.partner_accounts:,} partner accounts ({made.overlapping:,} on vendor domains), "
                   f"{len(made.periods)} quarters; {time.perf_counter() - started:.1f} s")
        click.echo(f"  vendor admin:  {made.admin_email} / {benchdata.PASSWORD}")
        click.echo(f"  partner admin: {made.partner_admin_email} / {benchdata.PASSWORD} (the largest partner)")

    for group in (tenants, users, tokens, audit, citus):
        app.cli.add_command(group)
    app.cli.add_command(demo)
    app.cli.add_command(bench_data)


def _partner_id(ref: str) -> uuid.UUID:
    try:
        partner = db.session.scalar(select(Partner).where(Partner.id == uuid.UUID(ref)))
    except ValueError:
        partner = db.session.scalar(select(Partner).where(Partner.name == ref))
    if partner is None:
        raise TenantError(f"partner: no partner {ref!r} in this tenant")
    return partner.id
