"""Who sees and changes IPP profiles and assessments.

Vendor staff read every profile and assessment; vendor admins edit profiles; vendor admins and
the partner's assigned channel manager assess it and decide what the partner sees. The partner
admin files its own partner's self-assessment; partner users read it. Partner-side staff see the
vendor's overall band only, unless the vendor shares its full assessment with that partner.
"""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import Select, and_, or_, select

from app.auth import roles
from app.auth.context import Actor
from app.extensions import db
from app.ipp.models import IppAssessment, IppProfile
from app.partners.models import Partner
from app.partners.policies import can_edit_partner, get_partner_or_404


def can_view_profiles(actor: Actor) -> bool:
    """Everyone in the tenant may read the questions; partner admins answer them."""
    return actor.is_vendor or actor.is_partner_side


def can_edit_profiles(actor: Actor) -> bool:
    return actor.is_vendor and actor.role == roles.VENDOR_ADMIN


def can_view_ranking(actor: Actor) -> bool:
    return actor.is_vendor


def can_assess_vendor(actor: Actor, partner: Partner) -> bool:
    """Vendor admins, and channel managers for the partners assigned to them."""
    return can_edit_partner(actor, partner)


def can_assess_self(actor: Actor, partner: Partner) -> bool:
    return (actor.is_partner_side and actor.role == roles.PARTNER_ADMIN
            and actor.partner_id == partner.id)


def can_assess(actor: Actor, partner: Partner, kind: str) -> bool:
    return can_assess_vendor(actor, partner) if kind == "vendor" else can_assess_self(actor, partner)


def can_change_sharing(actor: Actor, partner: Partner) -> bool:
    return can_edit_partner(actor, partner)


def sees_vendor_detail(actor: Actor, shared: bool) -> bool:
    """Vendor staff always; partner staff only when the vendor shares its assessment."""
    return actor.is_vendor or shared


def get_profile_or_404(profile_id: uuid.UUID) -> IppProfile:
    """A profile version of this tenant (the tenant scope hides every other one)."""
    profile = db.session.scalar(select(IppProfile).where(IppProfile.id == profile_id))
    if profile is None:
        abort(404)
    return profile


def scope_assessments(actor: Actor, stmt: Select, shared: bool) -> Select:
    """Assessments of one partner the actor may list at all (partner visibility checked first).

    Each side sees its own drafts; the other side sees only final assessments. Partner staff
    see the vendor's final assessments as a band only, unless shared (see sees_vendor_detail).
    """
    return stmt.where(assessment_scope(actor))


def assessment_scope(actor: Actor):
    """The condition of `scope_assessments` (for a query that puts it in a join)."""
    if actor.is_vendor:
        return or_(IppAssessment.kind == "vendor", IppAssessment.status == "final")
    return or_(IppAssessment.kind == "self", and_(IppAssessment.kind == "vendor", IppAssessment.status == "final"))


def get_assessment_or_404(actor: Actor, assessment_id: uuid.UUID, shared_of) -> IppAssessment:
    """An assessment the actor may open in full; anything else answers 404 (T3).

    `shared_of(partner)` tells whether the vendor shares its assessment with that partner.
    """
    assessment = db.session.scalar(select(IppAssessment).where(IppAssessment.id == assessment_id))
    if assessment is None:
        abort(404)
    partner = get_partner_or_404(actor, assessment.partner_id)
    visible = db.session.scalar(scope_assessments(
        actor, select(IppAssessment.id).where(IppAssessment.id == assessment.id), False))
    if visible is None:
        abort(404)
    if assessment.kind == "vendor" and not sees_vendor_detail(actor, shared_of(partner)):
        abort(404)
    return assessment
