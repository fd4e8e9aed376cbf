"""Creating and changing partners, always with an audit event."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from app.audit.services import record
from app.auth import roles
from app.auth.models import Membership, User
from app.core.errors import ConflictError
from app.core.serialize import snapshot
from app.extensions import db
from app.partners.models import Partner

AUDITED_FIELDS = ("name", "status", "tier", "channel_manager_id", "region", "segments",
                  "certifications", "services_revenue_share", "website", "notes")


def create_partner(**fields) -> Partner:
    """Add a partner to the current tenant."""
    partner = Partner(id=uuid.uuid4(), **fields)
    db.session.add(partner)
    db.session.flush()
    record("partner.create", partner, after=snapshot(partner, AUDITED_FIELDS), summary=f"Created partner {partner.name}")
    return partner


def update_partner(partner: Partner, changes: dict, expected_version: int | None = None) -> Partner:
    """Apply changes; refuse a stale edit (someone saved in between)."""
    if expected_version is not None and expected_version != partner.version:
        raise ConflictError("Someone else changed this partner first. Reload it and apply your change again.")
    before = snapshot(partner, AUDITED_FIELDS)
    for key, value in changes.items():
        setattr(partner, key, value)
    after = snapshot(partner, AUDITED_FIELDS)
    changed = {k for k in AUDITED_FIELDS if before[k] != after[k]}
    if changed:
        db.session.flush()
        record("partner.update", partner, before={k: before[k] for k in changed},
               after={k: after[k] for k in changed}, summary=f"Changed {', '.join(sorted(changed))} of {partner.name}")
    return partner


def channel_managers() -> list[tuple[Membership, User]]:
    """Vendor staff who can be assigned to partners, by name."""
    return list(db.session.execute(
        select(Membership, User).join(User, User.id == Membership.user_id)
        .where(Membership.partner_id.is_(None), Membership.active.is_(True),
               Membership.role.in_(roles.MANAGING_ROLES))
        .order_by(User.name, User.email)
    ))
