"""Who sees and does what with touch plans, touches, courses and completions (T2, T3).

Every partner-scoped check starts from app.partners.policies: the partner is loaded through
`get_partner_or_404` (partner staff see only their own), then one of these small functions
decides. Each names one permission, so a new role (e.g. a CS Development Manager per region)
is one more line in the function concerned.
"""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select

from app.auth import roles
from app.auth.context import Actor
from app.enablement.models import Course
from app.extensions import db
from app.partners.models import Partner
from app.partners.policies import can_edit_partner, in_csdm_regions


def own_partner_staff(actor: Actor, partner: Partner) -> bool:
    return actor.is_partner_side and actor.partner_id == partner.id


def can_view_enablement(actor: Actor, partner: Partner) -> bool:
    """Vendor staff read every partner's plans, touches and completions; partner staff their own."""
    return actor.is_vendor or own_partner_staff(actor, partner)


def can_log_touch(actor: Actor, partner: Partner) -> bool:
    """Vendor staff who can work the partner (admins, its channel manager, the CS Development Manager
    of its region) and that partner's staff."""
    return can_edit_partner(actor, partner) or in_csdm_regions(actor, partner) or own_partner_staff(actor, partner)


def can_manage_plan(actor: Actor, partner: Partner) -> bool:
    """Generating a quarter's plan: the vendor staff who work the partner."""
    return can_edit_partner(actor, partner)


def can_view_coverage(actor: Actor) -> bool:
    return actor.is_vendor


def can_manage_courses(actor: Actor) -> bool:
    return actor.is_vendor and actor.role == roles.VENDOR_ADMIN


def get_course_or_404(actor: Actor, course_id: uuid.UUID) -> Course:
    """A course of the workspace (everyone in it reads the courses); another tenant's answers 404."""
    course = db.session.scalar(select(Course).where(Course.id == course_id))
    if course is None or not (actor.is_vendor or actor.is_partner_side):
        abort(404)
    return course


def can_record_training(actor: Actor, partner: Partner) -> bool:
    """The partner's admin, or vendor staff who can work the partner (the CS Development Manager of its
    region included)."""
    return (can_edit_partner(actor, partner) or in_csdm_regions(actor, partner)
            or (own_partner_staff(actor, partner) and actor.role == roles.PARTNER_ADMIN))
