"""flask --app wsgi enablement plans|sweep --tenant SLUG."""
from __future__ import annotations

import click
from sqlalchemy import select

from app.enablement import bp
from app.enablement.services import current_quarter, generate_plans, parse_quarter
from app.extensions import db
from app.tenancy import tenant_scope, unscoped
from app.tenants.models import Tenant


def _tenant(slug: str) -> Tenant:
    with unscoped("find the tenant a command names"):
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.ClickException(f"no tenant with slug {slug!r}")
    return tenant


@bp.cli.command("plans")
@click.option("--tenant", "slug", required=True)
@click.option("--period", default=None, help="YYYY-Qn; default: next quarter")
def plans_command(slug, period):
    """Make every partner's touch plan for a quarter from its band now (existing plans stay)."""
    tenant = _tenant(slug)
    with tenant_scope(tenant.id):
        quarter = parse_quarter(period) if period else current_quarter().next()
        made = generate_plans(quarter)
        db.session.commit()
    click.echo(f"{made} plans made for {quarter}")


@bp.cli.command("sweep")
@click.option("--tenant", "slug", required=True)
def sweep_command(slug):
    """Notify partner admins of certifications lapsing within 60 days (once per expiry)."""
    from app.enablement.services import sweep

    tenant = _tenant(slug)
    with tenant_scope(tenant.id):
        sent = sweep()
        db.session.commit()
    click.echo(f"{sent} expiry notices")
