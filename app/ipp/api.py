"""IPP profiles and assessments in the JSON API (DESIGN sections 2 and 9)."""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from flask import jsonify
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from app.api import bp
from app.api.contract import checked
from app.api.helpers import actor, json_body, keyset_page, parsed_body
from app.api.openapi import documented
from app.auth.policies import require
from app.core.errors import InvalidInput
from app.extensions import db
from app.ipp import services
from app.ipp.models import KINDS, IppAssessment, IppProfile
from app.ipp.schemas import AssessmentIn, AssessmentOut, AssessmentPage, ProfileIn, ProfileOut, ProfilePage
from app.ipp.policies import (
    can_assess, can_edit_profiles, can_view_profiles, get_profile_or_404, scope_assessments,
    sees_vendor_detail,
)
from app.partners.policies import get_partner_or_404

class FieldNotFound(NotFound):
    """404 naming the field that pointed at something not there (or not yours)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.fields = {field: message}


def _num(value) -> float | None:
    """JSON number at the edge (values are already rounded where rounding applies)."""
    return None if value is None else float(Decimal(str(value)))


def profile_json(profile: IppProfile, latest: bool | None = None) -> dict:
    criteria = []
    for item in profile.criteria:
        out = dict(item)
        for name in ("weight", "floor", "target"):
            if name in out:
                out[name] = _num(out[name])
        if "options" in out:
            out["options"] = [{"value": o["value"], "points": _num(o["points"])} for o in out["options"]]
        criteria.append(out)
    body = {"id": str(profile.id), "family_id": str(profile.family_id), "name": profile.name,
            "version": profile.number, "criteria": criteria,
            "created_at": profile.created_at.isoformat()}
    if latest is not None:
        body["latest"] = latest
    return body


def assessment_json(a: IppAssessment, profile: IppProfile, detail: bool = True) -> dict:
    """Section-9 assessment; `detail=False` is the band-only view partner staff get by default."""
    body = {"id": str(a.id), "partner_id": str(a.partner_id), "kind": a.kind, "status": a.status,
            "band": a.band, "finalised_at": a.finalised_at.isoformat() if a.finalised_at else None,
            "current": a.is_current, "shared": detail}
    if not detail:
        return body
    body.update({
        "profile_id": str(profile.id), "profile_version": profile.number,
        "fit_score": _num(a.fit_score), "coverage": _num(a.coverage),
        "knockout_failed": list(a.knockout_failed or []), "touch_model": a.touch_model,
        "criteria": [{"key": c["key"], "score": _num((a.scores or {}).get(c["key"])),
                      "answer": (a.answers or {}).get(c["key"])} for c in profile.criteria],
        "answers": dict(a.answers or {}),
        "created_at": a.created_at.isoformat(), "updated_at": a.updated_at.isoformat(),
    })
    return body


def _uuid_field(data: dict, field: str) -> uuid.UUID:
    raw = data.get(field)
    if raw is None or raw == "":
        raise InvalidInput({field: "is required"})
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise InvalidInput({field: "is not a valid id"}) from None


@bp.get("/profiles")
@documented(response=ProfilePage)
def list_profiles():
    """IPP versions of this tenant, oldest first, paginated by cursor."""
    require(can_view_profiles(actor()))
    latest = {p.id for p in services.latest_versions()}
    rows, cursor = keyset_page(select(IppProfile), (IppProfile.created_at, IppProfile.id),
                               key_of=lambda p: (p.created_at.isoformat(), str(p.id)),
                               convert=lambda v: (datetime.fromisoformat(str(v[0])), uuid.UUID(str(v[1]))))
    return jsonify(checked(ProfilePage, {"items": [profile_json(p, p.id in latest) for p in rows],
                                         "next_cursor": cursor}))


@bp.get("/profiles/<uuid:profile_id>")
@documented(response=ProfileOut)
def get_profile_api(profile_id: uuid.UUID):
    """One IPP version."""
    require(can_view_profiles(actor()))
    profile = get_profile_or_404(profile_id)
    return jsonify(checked(ProfileOut, profile_json(profile,
                                                  services.latest_in_family(profile.family_id).id == profile.id)))


@bp.post("/profiles")
@documented(request=ProfileIn, response=ProfileOut, status=201)
def create_profile_api():
    """Create an IPP version: the next version of the profile with this name, else version 1."""
    current = actor()
    require(can_edit_profiles(current))
    data = json_body()
    profile = services.create_profile(data.get("name"), data.get("criteria"),
                                      author_id=current.membership.id,
                                      family_id=services.family_for_name(data.get("name")))
    return jsonify(checked(ProfileOut, profile_json(profile, True))), 201


@bp.get("/partners/<uuid:partner_id>/assessments")
@documented(response=AssessmentPage)
def list_assessments(partner_id: uuid.UUID):
    """The partner's assessments the token may see, oldest first, paginated by cursor."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    shared = services.shares_vendor_assessment(partner)
    stmt = scope_assessments(current, select(IppAssessment).where(IppAssessment.partner_id == partner.id),
                             shared)
    rows, cursor = keyset_page(stmt, (IppAssessment.created_at, IppAssessment.id),
                               key_of=lambda a: (a.created_at.isoformat(), str(a.id)),
                               convert=lambda v: (datetime.fromisoformat(str(v[0])), uuid.UUID(str(v[1]))))
    profiles = {p.id: p for p in db.session.scalars(
        select(IppProfile).where(IppProfile.id.in_({a.profile_id for a in rows})))} if rows else {}
    items = [assessment_json(a, profiles[a.profile_id],
                             detail=a.kind == "self" or sees_vendor_detail(current, shared))
             for a in rows]
    return jsonify(checked(AssessmentPage, {"items": items, "next_cursor": cursor}))


@bp.post("/partners/<uuid:partner_id>/assessments")
@documented(request=AssessmentIn, response=AssessmentOut, status=201)
def create_assessment_api(partner_id: uuid.UUID):
    """Assess a partner against an IPP version (status draft saves without finishing)."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    # Who may assess depends on the kind: the role check comes before the rest of the body is
    # checked, so a role that may not assess gets 403 whatever else the body holds.
    raw = parsed_body()
    kind = raw.get("kind") if isinstance(raw, dict) else None
    if kind in KINDS:
        require(can_assess(current, partner, kind))
    data = json_body()  # a kind outside KINDS answers 422 here
    kind = data["kind"]
    finalise = services.parse_status(data.get("status"))
    profile_id = _uuid_field(data, "profile_id")
    profile = db.session.scalar(select(IppProfile).where(IppProfile.id == profile_id))
    if profile is None:
        raise FieldNotFound("profile_id", "No such profile in this workspace.")
    if "answers" not in data:
        raise InvalidInput({"answers": "is required"})
    assessment = services.save_assessment(partner, profile, kind, data["answers"], finalise,
                                          author_id=current.membership.id)
    return jsonify(checked(AssessmentOut, assessment_json(assessment, profile))), 201
