"""Writing IPP profiles, assessments and the sharing setting, always with an audit event.

Services validate with the pure module (app.ipp.scoring), raise InvalidInput with per-field
messages before anything is written, and only flush.
"""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.core.serialize import jsonable
from app.extensions import db
from app.ipp import scoring
from app.ipp.models import KINDS, STATUSES, IppAssessment, IppPartnerSettings, IppProfile
from app.partners.models import Partner

DEFAULT_PROFILE_NAME = "Ideal Partner Profile"
NAME_MAX = 200


# --- reading ---------------------------------------------------------------------------------

def criteria_of(profile: IppProfile) -> list[scoring.Criterion]:
    """The stored criteria of a version, parsed (they were validated when saved)."""
    criteria, errors = scoring.validate_criteria(profile.criteria)
    if errors:
        raise RuntimeError(f"stored IPP profile {profile.id} is invalid: {errors}")
    return criteria


def latest_versions() -> list[IppProfile]:
    """The newest version of every profile family, newest family first."""
    newest = (select(IppProfile.family_id, func.max(IppProfile.number).label("number"))
              .group_by(IppProfile.family_id).subquery())
    return list(db.session.scalars(
        select(IppProfile).join(newest, (IppProfile.family_id == newest.c.family_id)
                                & (IppProfile.number == newest.c.number))
        .order_by(IppProfile.created_at.desc(), IppProfile.id)))


def latest_in_family(family_id: uuid.UUID) -> IppProfile:
    return db.session.scalar(select(IppProfile).where(IppProfile.family_id == family_id)
                             .order_by(IppProfile.number.desc()).limit(1))


def assessment_count(profile: IppProfile) -> int:
    return db.session.scalar(select(func.count()).select_from(IppAssessment)
                             .where(IppAssessment.profile_id == profile.id)) or 0


def settings_for(partner: Partner) -> IppPartnerSettings | None:
    return db.session.scalar(select(IppPartnerSettings)
                             .where(IppPartnerSettings.partner_id == partner.id))


def shares_vendor_assessment(partner: Partner) -> bool:
    found = settings_for(partner)
    return bool(found and found.share_vendor_assessment)


def open_draft(partner: Partner, kind: str) -> IppAssessment | None:
    return db.session.scalar(select(IppAssessment).where(
        IppAssessment.partner_id == partner.id, IppAssessment.kind == kind,
        IppAssessment.status == "draft").order_by(IppAssessment.created_at.desc()).limit(1))


def current_assessment(partner: Partner, kind: str) -> IppAssessment | None:
    return db.session.scalar(select(IppAssessment).where(
        IppAssessment.partner_id == partner.id, IppAssessment.kind == kind,
        IppAssessment.is_current.is_(True)))


def _flush_or_conflict(message: str) -> None:
    """Flush; a unique index refusing a concurrent twin becomes 409 (the request rolls back)."""
    try:
        db.session.flush()
    except IntegrityError:
        raise ConflictError(message) from None


# --- profiles --------------------------------------------------------------------------------

def _clean_name(name: Any, errors: dict[str, str]) -> str:
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "Give the profile a name."
        return ""
    if len(name.strip()) > NAME_MAX:
        errors["name"] = f"Use at most {NAME_MAX} characters."
        return ""
    return name.strip()


def _validated(name: Any, raw_criteria: Any) -> tuple[str, list[dict]]:
    """Name and stored criteria, or InvalidInput naming every bad field."""
    errors: dict[str, str] = {}
    clean = _clean_name(name, errors)
    criteria, criteria_errors = scoring.validate_criteria(raw_criteria)
    errors.update(criteria_errors)
    if errors:
        raise InvalidInput(errors)
    return clean, [jsonable(c.to_dict()) for c in criteria]


def _profile_snapshot(profile: IppProfile) -> dict:
    return {"name": profile.name, "family_id": profile.family_id, "version": profile.number,
            "criteria": profile.criteria}


def create_profile(name: Any, raw_criteria: Any, author_id: uuid.UUID | None = None,
                   family_id: uuid.UUID | None = None,
                   actor: tuple[uuid.UUID | None, str] | None = None) -> IppProfile:
    """A new version: the next one of `family_id`, or version 1 of a new family."""
    clean, criteria = _validated(name, raw_criteria)
    number = 1
    if family_id is not None:
        number = (db.session.scalar(select(func.max(IppProfile.number))
                                    .where(IppProfile.family_id == family_id)) or 0) + 1
    profile = IppProfile(id=uuid.uuid4(), family_id=family_id or uuid.uuid4(), number=number,
                         name=clean, criteria=criteria, created_by_id=author_id)
    db.session.add(profile)
    _flush_or_conflict("Someone else saved a new version of this profile at the same moment. "
                       "Reload and try again.")
    record("ipp.profile.create", profile, object_type="ipp_profile",
           after=_profile_snapshot(profile), actor=actor,
           summary=f"IPP {profile.name} version {profile.number} created")
    return profile


def family_for_name(name: Any) -> uuid.UUID | None:
    """The family whose newest version carries this name (API: same name = next version)."""
    if not isinstance(name, str) or not name.strip():
        return None
    for profile in latest_versions():
        if profile.name.lower() == name.strip().lower():
            return profile.family_id
    return None


def edit_profile(profile: IppProfile, name: Any, raw_criteria: Any, expected_lock: int | None,
                 author_id: uuid.UUID | None) -> IppProfile:
    """Change a version in place while nothing refers to it; else create the next version."""
    latest = latest_in_family(profile.family_id)
    if latest.id != profile.id:
        raise ConflictError("A newer version of this profile exists; edit that one instead.")
    if expected_lock is not None and expected_lock != profile.lock_version:
        raise ConflictError("Someone else changed this profile first. Reload it and apply your change again.")
    clean, criteria = _validated(name, raw_criteria)
    if assessment_count(profile):
        return create_profile(clean, criteria, author_id=author_id, family_id=profile.family_id)
    before = _profile_snapshot(profile)
    profile.name, profile.criteria, profile.updated_at = clean, criteria, utcnow()
    after = _profile_snapshot(profile)
    if before != after:
        db.session.flush()
        record("ipp.profile.update", profile, object_type="ipp_profile",
               before=before, after=after,
               summary=f"IPP {profile.name} version {profile.number} changed")
    return profile


def ensure_default_profile(tenant) -> None:
    """Tenant initialiser: every new tenant starts with the template as version 1."""
    create_profile(DEFAULT_PROFILE_NAME, scoring.default_template(),
                   actor=(None, "system"))


# --- assessments -----------------------------------------------------------------------------

def _score_fields(criteria: list[scoring.Criterion], answers: dict) -> dict:
    result = scoring.fit_score(criteria, answers)
    return {"fit_score": result.fit_score, "band": result.band, "coverage": result.coverage,
            "touch_model": result.touch_model, "knockout_failed": list(result.knockout_failed),
            "scores": {k: (None if s is None else str(s)) for k, s in result.criteria}}


def _assessment_snapshot(a: IppAssessment) -> dict:
    return jsonable({"partner_id": a.partner_id, "profile_id": a.profile_id, "kind": a.kind,
                     "status": a.status, "answers": a.answers, "fit_score": a.fit_score,
                     "band": a.band, "coverage": a.coverage})


def save_assessment(partner: Partner, profile: IppProfile, kind: Any, raw_answers: Any,
                    finalise: bool, author_id: uuid.UUID | None,
                    expected_lock: int | None = None) -> IppAssessment:
    """Save the partner's open draft of this kind (or a new one); finalising makes it current."""
    if kind not in KINDS:
        raise InvalidInput({"kind": "Use vendor or self."})
    criteria = criteria_of(profile)
    cleaned, errors = scoring.validate_answers(criteria, raw_answers)
    if errors:
        raise InvalidInput(errors)
    draft = open_draft(partner, kind)
    if draft is not None and expected_lock is not None and draft.lock_version != expected_lock:
        raise ConflictError("Someone else saved this draft first. Reload it and apply your change again.")
    before = _assessment_snapshot(draft) if draft is not None else None
    assessment = draft or IppAssessment(id=uuid.uuid4(), partner_id=partner.id, kind=kind)
    if draft is None:
        db.session.add(assessment)
    assessment.profile_id = profile.id
    assessment.answers = jsonable(cleaned)
    for name, value in _score_fields(criteria, cleaned).items():
        setattr(assessment, name, value)
    assessment.author_id = author_id
    assessment.updated_at = utcnow()
    if finalise:
        # The previous current assessment stays, with its version and scores, as history.
        db.session.execute(update(IppAssessment).where(
            IppAssessment.partner_id == partner.id, IppAssessment.kind == kind,
            IppAssessment.is_current.is_(True)).values(is_current=False)
            .execution_options(synchronize_session="fetch"))
        assessment.status, assessment.is_current, assessment.finalised_at = "final", True, utcnow()
    _flush_or_conflict("Someone else saved an assessment of this partner at the same moment. "
                       "Reload and try again.")
    action = "ipp.assessment.finalise" if finalise else "ipp.assessment.save_draft"
    record(action, assessment, object_type="ipp_assessment", before=before,
           after=_assessment_snapshot(assessment),
           summary=(f"{'Finished' if finalise else 'Saved draft of'} {kind} IPP assessment of "
                    f"{partner.name}: {assessment.fit_score} ({assessment.band})"))
    return assessment


def set_sharing(partner: Partner, share: bool) -> IppPartnerSettings:
    """Let the partner see (or stop seeing) the vendor's full assessment."""
    found = settings_for(partner)
    before = found.share_vendor_assessment if found else False
    if found is None:
        found = IppPartnerSettings(id=uuid.uuid4(), partner_id=partner.id)
        db.session.add(found)
    found.share_vendor_assessment = bool(share)
    found.updated_at = utcnow()
    db.session.flush()
    if before != found.share_vendor_assessment:
        record("ipp.sharing.update", found, object_type="ipp_partner_settings",
               before={"share_vendor_assessment": before},
               after={"share_vendor_assessment": found.share_vendor_assessment},
               summary=(f"{'Shared' if share else 'Stopped sharing'} the vendor IPP assessment "
                        f"with {partner.name}"))
    return found


def parse_status(value: Any) -> bool:
    """finalise? from a status field (default final)."""
    if value is None:
        return True
    if value not in STATUSES:
        raise InvalidInput({"status": "Use draft or final."})
    return value == "final"
