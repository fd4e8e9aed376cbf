"""Invitations and membership changes, each audited."""
from __future__ import annotations

import uuid

from sqlalchemy import delete, select

from app.audit.services import record
from app.auth.models import LoginSession, Membership, User
from app.auth.linkmail import send_link_mail
from app.auth.services import normalise_email
from app.core.errors import ConflictError
from app.extensions import db
from app.tenancy import current_tenant_id


def invite(email: str, name: str, role: str, partner_id: uuid.UUID | None, invited_by: Membership | None,
           send: bool = True) -> Membership:
    """Add (or re-activate) a membership and e-mail an invitation link."""
    email = normalise_email(email)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(id=uuid.uuid4(), email=email, name=name.strip())
        db.session.add(user)
        db.session.flush()
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    if membership is not None and membership.active:
        raise ConflictError(f"{email} is already a member of this workspace.")
    if membership is None:
        membership = Membership(id=uuid.uuid4(), user_id=user.id, role=role, partner_id=partner_id,
                                invited_by_id=invited_by.id if invited_by else None)
        db.session.add(membership)
    else:
        membership.active, membership.role, membership.partner_id = True, role, partner_id
    db.session.flush()
    record("membership.invite", membership, after={"email": email, "role": role,
                                                   "partner_id": partner_id}, summary=f"Invited {email} as {role}")
    if send:
        send_link_mail("invite", user, current_tenant_id())
    return membership


def change_role(membership: Membership, role: str, expected_version: int | None = None) -> None:
    """Change a role; a stale page (someone changed this membership since) is refused."""
    if expected_version is not None and expected_version != membership.version:
        raise ConflictError("Someone else changed this person's access first.")
    before = membership.role
    if before == role:
        return
    membership.role = role
    db.session.flush()
    record("membership.role", membership, before={"role": before}, after={"role": role},
           summary=f"Role changed from {before} to {role}")


def set_active(membership: Membership, active: bool) -> None:
    """(De)activate a membership; deactivation ends its sessions in this tenant at once."""
    if membership.active == active:
        return
    membership.active = active
    if not active:
        db.session.execute(delete(LoginSession).where(LoginSession.membership_id == membership.id))
    db.session.flush()
    record("membership.activate" if active else "membership.deactivate", membership,
           before={"active": not active}, after={"active": active})
