"""flask --app wsgi reviews verify|remind --tenant SLUG (each commits once, at its end)."""
from __future__ import annotations

import click
from sqlalchemy import select

from app.extensions import db
from app.reviews import bp
from app.reviews.services import remind_due, verify_snapshots
from app.tenancy import tenant_scope, unscoped
from app.tenants.models import Tenant


def _tenant(slug: str) -> Tenant:
    with unscoped("find the tenant a command names"):
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.ClickException(f"no tenant with slug {slug!r}")
    return tenant


@bp.cli.command("verify")
@click.option("--tenant", "slug", required=True)
def verify(slug):
    """Recompute every signed review's snapshot hash; exit 1 at the first mismatch."""
    tenant = _tenant(slug)
    with tenant_scope(tenant.id):
        checked, bad = verify_snapshots()
        where = f"review {bad.id} ({bad.period})" if bad is not None else ""
        db.session.rollback()
    if bad is not None:
        click.echo(f"MISMATCH: {where}: the stored snapshot no longer matches its hash", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {checked} signed review snapshots match their hashes")


@bp.cli.command("remind")
@click.option("--tenant", "slug", required=True)
def remind(slug):
    """Notify owners of open action items due within a week (once per item)."""
    tenant = _tenant(slug)
    with tenant_scope(tenant.id):
        try:
            sent = remind_due()
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    click.echo(f"{sent} reminder(s) sent")
