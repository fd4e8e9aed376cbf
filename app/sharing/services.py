"""Changing sharing levels and answering requests for more data; every change is audited."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from app.audit.services import record
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.extensions import db
from app.partners.models import Partner
from app.sharing.models import DIRECTIONS, LEVELS, DataRequest, SharingSetting
from app.sharing.policies import FIELD_CHOICES, setting_for

DIRECTION_WORDS = {"vendor_to_partner": "vendor to partner", "partner_to_vendor": "partner to vendor"}


def clean_level(direction, level, fields) -> tuple[str, str, list[str]]:
    """Validate a requested setting; 422 with every problem at once."""
    errors = {}
    if direction not in DIRECTIONS:
        errors["direction"] = f"Use one of: {', '.join(DIRECTIONS)}."
    if level not in LEVELS:
        errors["level"] = f"Use one of: {', '.join(LEVELS)}."
    fields = [] if fields is None else fields
    if not isinstance(fields, list) or any(f not in FIELD_CHOICES for f in fields):
        errors["fields"] = f"Use a list of: {', '.join(FIELD_CHOICES)}."
    elif level == "fields" and not fields:
        errors["fields"] = "Choose at least one field or insight kind to share."
    if errors:
        raise InvalidInput(errors)
    ordered = [f for f in FIELD_CHOICES if f in fields] if level == "fields" else []
    return direction, level, ordered


def change_sharing(partner: Partner, direction: str, level: str, fields: list[str] | None, who: str,
                   expected_version: int | None = None) -> SharingSetting:
    """Set one direction of a partnership; applies from the very next request."""
    direction, level, fields = clean_level(direction, level, fields)
    row = db.session.scalar(select(SharingSetting).where(
        SharingSetting.partner_id == partner.id, SharingSetting.direction == direction))
    if expected_version is not None and expected_version != (row.version if row else 0):
        raise ConflictError("Someone else changed this sharing setting first. Reload it and apply your change again.")
    current = setting_for(partner.id, direction)
    before = {"level": current.level, "fields": list(current.fields)}
    if row is None:
        row = SharingSetting(id=uuid.uuid4(), partner_id=partner.id, direction=direction)
        db.session.add(row)
    elif before == {"level": level, "fields": fields}:
        return row
    row.level, row.fields, row.updated_by, row.updated_at = level, fields, who, utcnow()
    db.session.flush()
    record("sharing.change", row, before=before, after={"level": level, "fields": fields},
           summary=f"{partner.name}: {DIRECTION_WORDS[direction]} sharing set to {level}"
                   + (f" ({', '.join(fields)})" if fields else ""))
    return row


def request_data(partner: Partner, direction: str, requested_level: str, side: str, who: str,
                 message: str = "") -> DataRequest:
    """Ask the other side to share more in `direction`; one pending request per direction."""
    errors = {}
    if requested_level not in ("overlaps", "fields", "full"):
        errors["requested_level"] = "Ask for overlaps, fields or full."
    if len(message or "") > 500:
        errors["message"] = "Use at most 500 characters."
    if errors:
        raise InvalidInput(errors)
    pending = db.session.scalar(select(DataRequest).where(
        DataRequest.partner_id == partner.id, DataRequest.direction == direction, DataRequest.status == "pending"))
    if pending is not None:
        raise ConflictError("A request for more data is already waiting for an answer.")
    req = DataRequest(id=uuid.uuid4(), partner_id=partner.id, direction=direction,
                      requested_level=requested_level, requested_by_side=side, requested_by=who,
                      message=(message or "").strip(), status="pending")
    db.session.add(req)
    db.session.flush()
    record("sharing.request", req, after={"direction": direction, "requested_level": requested_level,
                                          "message": req.message},
           summary=f"{partner.name}: {side} asked for {requested_level} ({DIRECTION_WORDS[direction]})")
    return req


def decide_request(req: DataRequest, partner: Partner, accept: bool, who: str) -> DataRequest:
    """Accept (the level changes now) or decline a pending request."""
    if req.status != "pending":
        raise ConflictError("This request was already answered.")
    req.status = "accepted" if accept else "declined"
    req.decided_by, req.decided_at = who, utcnow()
    db.session.flush()
    record("sharing.request." + req.status, req, before={"status": "pending"}, after={"status": req.status},
           summary=f"{partner.name}: request for {req.requested_level} {req.status}")
    if accept:
        current = setting_for(partner.id, req.direction)
        fields = list(current.fields) if req.requested_level == "fields" and current.fields else (
            ["industry", "region", "segment"] if req.requested_level == "fields" else [])
        change_sharing(partner, req.direction, req.requested_level, fields, who)
    return req
