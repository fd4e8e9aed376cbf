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


def region_assignments() -> list[tuple[Membership, User, list[str]]]:
    """Every active CS Development Manager with its regions, by name (two statements)."""
    from app.partners.models import RegionAssignment

    people = list(db.session.execute(
        select(Membership, User).join(User, User.id == Membership.user_id)
        .where(Membership.partner_id.is_(None), Membership.active.is_(True),
               Membership.role == roles.CS_DEVELOPMENT_MANAGER)
        .order_by(User.name, User.email)))
    held: dict = {}
    for mid, region in db.session.execute(select(RegionAssignment.membership_id, RegionAssignment.region)):
        held.setdefault(mid, []).append(region)
    return [(m, u, sorted(held.get(m.id, []))) for m, u in people]


def set_regions(membership: Membership, regions: list[str]) -> list[str]:
    """Replace a CS Development Manager's regions (audited). Refuses other roles and unknown regions."""
    from app.core.errors import InvalidInput
    from app.partners.models import REGIONS, RegionAssignment

    if membership.partner_id is not None or membership.role != roles.CS_DEVELOPMENT_MANAGER:
        raise InvalidInput({"membership_id": "Only CS development managers are assigned to regions."})
    unknown = [r for r in regions if r not in REGIONS]
    if unknown:
        raise InvalidInput({"regions": f"Unknown region {unknown[0]!r}; one of {', '.join(REGIONS)}."})
    wanted = sorted(set(regions))
    rows = list(db.session.scalars(select(RegionAssignment).where(RegionAssignment.membership_id == membership.id)))
    before = sorted(r.region for r in rows)
    if before == wanted:
        return wanted
    for row in rows:
        if row.region not in wanted:
            db.session.delete(row)
    for region in set(wanted) - set(before):
        db.session.add(RegionAssignment(id=uuid.uuid4(), membership_id=membership.id, region=region))
    db.session.flush()
    record("membership.regions", membership, before={"regions": before}, after={"regions": wanted},
           summary=f"Set the regions of a CS development manager to {', '.join(wanted) or 'none'}")
    return wanted
