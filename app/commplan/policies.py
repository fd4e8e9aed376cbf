"""Who edits which part of a communication plan: each side its own contacts; both sides the rest."""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select

from app.auth import roles
from app.auth.context import Actor
from app.commplan.models import CommContact, CommMeeting
from app.extensions import db
from app.partners.models import Partner
from app.partners.policies import get_partner_or_404


def side_of(actor: Actor) -> str:
    return "vendor" if actor.is_vendor else "partner"


def can_edit(actor: Actor, partner: Partner) -> bool:
    """Vendor admins, the partner's channel manager, and the partner's admin."""
    if actor.is_vendor:
        return actor.role == roles.VENDOR_ADMIN or (
            actor.role == roles.CHANNEL_MANAGER and partner.channel_manager_id == actor.membership.id)
    return actor.is_partner_side and actor.role == roles.PARTNER_ADMIN and actor.partner_id == partner.id


def can_remove_contact(actor: Actor, contact: CommContact, partner: Partner) -> bool:
    """Each side edits only its own contacts."""
    return can_edit(actor, partner) and contact.side == side_of(actor)


def get_contact_or_404(actor: Actor, contact_id: uuid.UUID) -> tuple[CommContact, Partner]:
    contact = db.session.scalar(select(CommContact).where(CommContact.id == contact_id))
    if contact is None:
        abort(404)
    return contact, get_partner_or_404(actor, contact.partner_id)


def get_meeting_or_404(actor: Actor, meeting_id: uuid.UUID) -> tuple[CommMeeting, Partner]:
    meeting = db.session.scalar(select(CommMeeting).where(CommMeeting.id == meeting_id))
    if meeting is None:
        abort(404)
    return meeting, get_partner_or_404(actor, meeting.partner_id)
