"""flask --app wsgi opportunities sweep --tenant SLUG: expiries by the clock, overdue notices."""
from __future__ import annotations

import click
from sqlalchemy import select

from app.extensions import db
from app.opportunities import bp
from app.opportunities.services import sweep
from app.tenancy import tenant_scope, unscoped
from app.tenants.models import Tenant


@bp.cli.command("sweep")
@click.option("--tenant", "slug", required=True)
def sweep_command(slug):
    """Record expired protections and notify deciders of overdue registrations (once each)."""
    with unscoped("find the tenant a command names"):
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.ClickException(f"no tenant with slug {slug!r}")
    with tenant_scope(tenant.id):
        result = sweep()
        db.session.commit()
    click.echo(f"{result.expired} expired, {result.overdue_notified} overdue notified")
