"""IPP object kinds for the isolation matrix: profile versions and vendor assessments."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.ipp import services
from app.ipp.models import IppProfile
from app.tenancy import tenant_scope
from tests.isolation.framework import register_kind


def _profile_id(tenant):
    with tenant_scope(tenant.id):
        return db.session.scalar(select(IppProfile.id).where(IppProfile.number == 1))


def _profiles(world) -> dict:
    # Profiles are tenant-wide: there is no "other partner" relation.
    return {"own": _profile_id(world.tenant), "other_partner": None,
            "other_tenant": _profile_id(world.other_tenant)}


def _vendor_assessment(tenant, partner) -> str:
    with tenant_scope(tenant.id):
        profile = db.session.scalar(select(IppProfile).where(IppProfile.number == 1))
        assessment = services.save_assessment(
            partner, profile, "vendor", {"leadership_commitment": True, "cs_roi_expectation": 4},
            True, None)
        db.session.commit()
        return assessment.id


def _vendor_assessments(world) -> dict:
    return {"own": _vendor_assessment(world.tenant, world.own_partner),
            "other_partner": _vendor_assessment(world.tenant, world.other_partner),
            "other_tenant": _vendor_assessment(world.other_tenant, world.foreign_partner)}


register_kind("ipp_profile", _profiles)
register_kind("ipp_vendor_assessment", _vendor_assessments)
