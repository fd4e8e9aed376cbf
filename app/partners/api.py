"""Partners in the JSON API."""
from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Literal

from flask import abort, jsonify
from sqlalchemy import func, select

from app.api import bp
from app.api.contract import Body, checked
from app.api.helpers import actor, json_body, keyset_page
from app.api.openapi import documented
from app.auth import roles
from app.auth.models import Membership, User
from app.auth.policies import membership_visible, require
from app.core.errors import InvalidInput
from app.extensions import db
from app.partners.models import PARTNER_STATUSES, REGIONS, SEGMENTS, Partner
from app.partners.schemas import (
    MeOut, PartnerChange, PartnerIn, PartnerOut, PartnerPage, RegionAssignmentList, RegionAssignmentOut,
)
from app.partners.policies import (
    can_assign_manager, can_assign_regions, can_create_partner, can_edit_partner, get_partner_or_404, scope_partners,
)
from app.partners.services import create_partner, region_assignments, set_regions, update_partner

def partner_json(p: Partner) -> dict:
    return {
        "id": str(p.id), "name": p.name, "tier": p.tier, "status": p.status, "region": p.region,
        "segments": p.segments or [], "certifications": p.certifications or [],
        "services_revenue_share": float(p.services_revenue_share) if p.services_revenue_share is not None else None,
        "website": p.website, "channel_manager_id": str(p.channel_manager_id) if p.channel_manager_id else None,
        "version": p.version,
    }


def _clean(data: dict, partial: bool, may_assign: bool) -> dict:
    """Validate partner fields from JSON; 422 with every problem at once."""
    errors: dict[str, str] = {}
    out: dict = {}
    if "name" in data or not partial:
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            errors["name"] = "Give the partner a name."
        elif len(name) > 200:
            errors["name"] = "Use at most 200 characters."
        else:
            out["name"] = name.strip()
    if "status" in data:
        if data["status"] not in PARTNER_STATUSES:
            errors["status"] = f"Use one of: {', '.join(PARTNER_STATUSES)}."
        else:
            out["status"] = data["status"]
    if "region" in data:
        if data["region"] is not None and data["region"] not in REGIONS:
            errors["region"] = f"Use one of: {', '.join(REGIONS)}, or null."
        else:
            out["region"] = data["region"]
    if "segments" in data:
        segs = data["segments"]
        if not isinstance(segs, list) or any(s not in SEGMENTS for s in segs):
            errors["segments"] = f"Use a list of: {', '.join(SEGMENTS)}."
        else:
            out["segments"] = list(dict.fromkeys(segs))
    if "certifications" in data:
        certs = data["certifications"]
        if not isinstance(certs, list) or any(not isinstance(c, str) or len(c) > 100 for c in certs):
            errors["certifications"] = "Use a list of names of at most 100 characters."
        else:
            out["certifications"] = [c.strip() for c in certs if c.strip()]
    if "services_revenue_share" in data:
        raw = data["services_revenue_share"]
        try:
            if isinstance(raw, bool):
                raise InvalidOperation
            value = None if raw is None else Decimal(str(raw))
            if value is not None and not (0 <= value <= 100):
                raise InvalidOperation
            out["services_revenue_share"] = value
        except (InvalidOperation, ValueError):
            errors["services_revenue_share"] = "Use a percentage from 0 to 100, or null."
    if "website" in data:
        site = data["website"]
        if site is not None and (not isinstance(site, str) or len(site) > 300 or not site.startswith(("http://", "https://"))):
            errors["website"] = "Use a full URL starting with http:// or https://, or null."
        else:
            out["website"] = site
    if "channel_manager_id" in data:
        if not may_assign:
            errors["channel_manager_id"] = "Only a vendor admin assigns channel managers."
        else:
            out["channel_manager_id"] = _manager_id(data["channel_manager_id"], errors)
    if errors:
        raise InvalidInput(errors)
    return out


def _manager_id(raw, errors: dict) -> uuid.UUID | None:
    if raw is None:
        return None
    # One message for an unknown id, another tenant's, partner staff and a role that cannot manage.
    refused = "Choose an active vendor admin or channel manager of this workspace."
    try:
        membership_id = uuid.UUID(str(raw))
    except ValueError:
        errors["channel_manager_id"] = refused
        return None
    membership = db.session.scalar(select(Membership).where(
        Membership.id == membership_id, Membership.partner_id.is_(None), Membership.active.is_(True),
        Membership.role.in_(roles.MANAGING_ROLES)))
    if membership is None:
        errors["channel_manager_id"] = refused
        return None
    return membership_id


@bp.get("/partners")
@documented(response=PartnerPage)
def list_partners():
    """Partners the token may see, by name, paginated by cursor."""
    current = actor()
    stmt = scope_partners(current, select(Partner))
    rows, cursor = keyset_page(stmt, (func.lower(Partner.name), Partner.id),
                               key_of=lambda p: (p.name.lower(), str(p.id)),
                               convert=lambda v: (str(v[0]), uuid.UUID(str(v[1]))))
    return jsonify(checked(PartnerPage, {"items": [partner_json(p) for p in rows], "next_cursor": cursor}))


@bp.post("/partners")
@documented(request=PartnerIn, response=PartnerOut, status=201)
def create_partner_api():
    """Create a partner (vendor admin)."""
    current = actor()
    require(can_create_partner(current))
    fields = _clean(json_body(), partial=False, may_assign=True)
    partner = create_partner(**fields)
    return jsonify(checked(PartnerOut, partner_json(partner))), 201


@bp.get("/partners/<uuid:partner_id>")
@documented(response=PartnerOut)
def get_partner_api(partner_id: uuid.UUID):
    """One partner."""
    return jsonify(checked(PartnerOut, partner_json(get_partner_or_404(actor(), partner_id))))


@bp.patch("/partners/<uuid:partner_id>")
@documented(request=PartnerChange, response=PartnerOut)
def update_partner_api(partner_id: uuid.UUID):
    """Change a partner; send the version you read (a stale one answers 409)."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(can_edit_partner(current, partner))
    data = json_body()
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidInput({"version": "Send the version of the partner you are changing."})
    changes = _clean(data, partial=True, may_assign=can_assign_manager(current))
    update_partner(partner, changes, expected_version=version)
    return jsonify(checked(PartnerOut, partner_json(partner)))


@bp.get("/me")
@documented(response=MeOut)
def me():
    """The token's user, tenant, role and partner."""
    current = actor()
    partner = None
    if current.partner_id:
        p = get_partner_or_404(current, current.partner_id)
        partner = {"id": str(p.id), "name": p.name}
    return jsonify(checked(MeOut, {
        "user": {"email": current.user.email, "name": current.user.name},
        "tenant": {"slug": current.tenant.slug, "name": current.tenant.name},
        "role": current.role,
        "partner": partner,
    }))


class RegionsIn(Body):
    """The regions a CS Development Manager covers (replaces the ones it had)."""

    regions: list[Literal[REGIONS]]


@bp.get("/region-assignments")
@documented(response=RegionAssignmentList)
def list_region_assignments():
    """Every CS Development Manager with its regions (vendor staff)."""
    require(actor().is_vendor)
    return jsonify(checked(RegionAssignmentList, {"items": [
        {"membership_id": str(m.id), "email": u.email, "name": u.name, "regions": held}
        for m, u, held in region_assignments()]}))


@bp.put("/memberships/<uuid:membership_id>/regions")
@documented(request=RegionsIn, response=RegionAssignmentOut)
def put_membership_regions(membership_id: uuid.UUID):
    """Set a CS Development Manager's regions (vendor admin); any other membership answers 422."""
    current = actor()
    membership = db.session.scalar(select(Membership).where(Membership.id == membership_id))
    if membership is None or not membership_visible(current, membership):
        abort(404)
    require(can_assign_regions(current))
    held = set_regions(membership, json_body()["regions"])
    user = db.session.get(User, membership.user_id)
    return jsonify(checked(RegionAssignmentOut, {"membership_id": str(membership.id), "email": user.email,
                                                 "name": user.name, "regions": held}))
