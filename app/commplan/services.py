"""Editing a partnership's communication plan (audited) and reading it with its sharing summary."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from app.audit.services import actor_of, record
from app.auth.context import Actor
from app.commplan.models import (
    CADENCES, CHANNELS, CONTACT_ROLES, MEETING_KINDS, CommContact, CommMeeting, CommPlan,
)
from app.commplan.policies import side_of
from app.commplan.rules import review_overdue
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.core.together import read_together
from app.extensions import db
from app.partners.models import Partner
from app.sharing.models import PARTNER_TO_VENDOR, VENDOR_TO_PARTNER
from app.sharing.policies import levels_select, remember_levels, setting_for
from app.sharing.words import describe_incoming, describe_outgoing

NOTE_MAX = 500


def _text(errors: dict, field: str, value: object, max_len: int, required: bool = False) -> str:
    if value is not None and not isinstance(value, str):
        errors[field] = "must be text"
        return ""
    text = (value or "").strip()
    if required and not text:
        errors[field] = "is required"
    elif len(text) > max_len:
        errors[field] = f"must be at most {max_len} characters"
    return text


def plan_of(partner: Partner) -> CommPlan | None:
    return db.session.scalar(select(CommPlan).where(CommPlan.partner_id == partner.id))


def _plan_for_write(partner: Partner) -> CommPlan:
    plan = plan_of(partner)
    if plan is None:
        plan = CommPlan(id=uuid.uuid4(), partner_id=partner.id, channels=[])
        db.session.add(plan)
        db.session.flush()
    return plan


def add_contact(actor: Actor, partner: Partner, data: dict) -> CommContact:
    """A contact on the actor's own side of the partnership."""
    errors: dict[str, str] = {}
    role = data.get("role")
    if role not in CONTACT_ROLES:
        errors["role"] = f"use one of: {', '.join(CONTACT_ROLES)}"
    name = _text(errors, "name", data.get("name"), 200, required=True)
    email = _text(errors, "email", data.get("email"), 254)
    if email and "email" not in errors and ("@" not in email or " " in email):
        errors["email"] = "is not an e-mail address"
    phone = _text(errors, "phone", data.get("phone"), 40)
    if errors:
        raise InvalidInput(errors)
    contact = CommContact(id=uuid.uuid4(), partner_id=partner.id, side=side_of(actor), role=role, name=name,
                          email=email, phone=phone)
    db.session.add(contact)
    db.session.flush()
    record("commplan.contact.add", contact, after={"side": contact.side, "role": role, "name": name, "email": email,
                                                  "phone": phone},
           summary=f"{partner.name}: {contact.side} contact {name} ({role}) added",
           actor=actor_of(actor.membership))
    return contact


def remove_contact(contact: CommContact, partner: Partner) -> None:
    before = {"side": contact.side, "role": contact.role, "name": contact.name, "email": contact.email}
    record("commplan.contact.remove", contact, before=before, summary=f"{partner.name}: contact {contact.name} removed")
    db.session.delete(contact)
    db.session.flush()


def _date(errors: dict, value: object) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors["next_date"] = "use a date like 2027-01-15"
        return None


def add_meeting(actor: Actor, partner: Partner, data: dict) -> CommMeeting:
    errors: dict[str, str] = {}
    kind = data.get("kind")
    if kind not in MEETING_KINDS:
        errors["kind"] = f"use one of: {', '.join(MEETING_KINDS)}"
    cadence = data.get("cadence")
    if cadence not in CADENCES:
        errors["cadence"] = f"use one of: {', '.join(CADENCES)}"
    next_date = _date(errors, data.get("next_date"))
    note = _text(errors, "note", data.get("note"), NOTE_MAX)
    if errors:
        raise InvalidInput(errors)
    meeting = CommMeeting(id=uuid.uuid4(), partner_id=partner.id, kind=kind, cadence=cadence, next_date=next_date,
                          note=note)
    db.session.add(meeting)
    db.session.flush()
    record("commplan.meeting.add", meeting, after={"kind": kind, "cadence": cadence, "next_date": next_date,
                                                  "note": note},
           summary=f"{partner.name}: {kind} meeting ({cadence}) added by the {side_of(actor)} side",
           actor=actor_of(actor.membership))
    return meeting


def remove_meeting(meeting: CommMeeting, partner: Partner) -> None:
    record("commplan.meeting.remove", meeting, before={"kind": meeting.kind, "cadence": meeting.cadence,
                                                       "next_date": meeting.next_date},
           summary=f"{partner.name}: {meeting.kind} meeting removed")
    db.session.delete(meeting)
    db.session.flush()


def set_channels(partner: Partner, channels: object, expected_version: int | None = None) -> CommPlan:
    if not isinstance(channels, list) or any(c not in CHANNELS for c in channels):
        raise InvalidInput({"channels": f"send a list of: {', '.join(CHANNELS)}"})
    plan = plan_of(partner)
    if expected_version is not None and expected_version != (plan.version if plan else 0):
        raise ConflictError("Someone changed this plan first. Reload it and apply your change again.")
    plan = plan or _plan_for_write(partner)
    ordered = [c for c in CHANNELS if c in channels]
    if ordered != list(plan.channels or []):
        before = list(plan.channels or [])
        plan.channels = ordered
        db.session.flush()
        record("commplan.channels", plan, before={"channels": before}, after={"channels": ordered},
               summary=f"{partner.name}: preferred channels set to {', '.join(ordered) or 'none'}")
    return plan


def mark_reviewed(actor: Actor, partner: Partner) -> CommPlan:
    plan = _plan_for_write(partner)
    before = {"reviewed_at": plan.reviewed_at}
    plan.reviewed_at = utcnow()
    plan.reviewed_by_id = actor.membership.id
    db.session.flush()
    record("commplan.review", plan, before=before, after={"reviewed_at": plan.reviewed_at},
           summary=f"{partner.name}: communication plan reviewed by the {side_of(actor)} side",
           actor=actor_of(actor.membership))
    return plan


def sharing_summary(actor: Actor, partner: Partner) -> dict:
    """What each side shares, in the words of the sharing pages, from the levels in force right now."""
    other = partner.name if actor.is_vendor else actor.tenant.name
    you, them = ("vendor", "partner") if actor.is_vendor else ("partner", "vendor")
    out_dir, in_dir = (VENDOR_TO_PARTNER, PARTNER_TO_VENDOR) if actor.is_vendor else (PARTNER_TO_VENDOR, VENDOR_TO_PARTNER)
    out, inc = setting_for(partner.id, out_dir), setting_for(partner.id, in_dir)
    return {"you_share": describe_outgoing(out.level, out.fields, other, you),
            "you_see": describe_incoming(inc.level, inc.fields, other, them),
            "levels": {out_dir: out.level, in_dir: inc.level}}


def plan_view(actor: Actor, partner: Partner) -> dict:
    """The plan, its contacts and meetings, and both sharing levels, in one statement (the panel of
    the partner page and the partner home; the levels are remembered for the sharing panel)."""
    found, contacts, meetings, levels = read_together(
        select(CommPlan.channels, CommPlan.version, CommPlan.reviewed_at).where(CommPlan.partner_id == partner.id),
        select(CommContact.id, CommContact.side, CommContact.role, CommContact.name, CommContact.email,
               CommContact.phone).where(CommContact.partner_id == partner.id)
        .order_by(CommContact.side.desc(), CommContact.role, CommContact.name),
        select(CommMeeting.id, CommMeeting.kind, CommMeeting.cadence, CommMeeting.next_date, CommMeeting.note)
        .where(CommMeeting.partner_id == partner.id)
        .order_by(CommMeeting.next_date.is_(None), CommMeeting.next_date, CommMeeting.kind),
        levels_select(partner.id))
    remember_levels(partner.id, levels)
    plan = found[0] if found else None
    reviewed = plan.reviewed_at if plan else None
    return {"partner_id": str(partner.id), "version": plan.version if plan else 0,
            "channels": list(plan.channels or []) if plan else [],
            "reviewed_at": reviewed, "review_overdue": review_overdue(reviewed.date() if reviewed else None,
                                                                      utcnow().date()),
            "contacts": [{"id": str(c.id), "side": c.side, "role": c.role, "name": c.name, "email": c.email,
                          "phone": c.phone} for c in contacts],
            "meetings": [{"id": str(m.id), "kind": m.kind, "cadence": m.cadence, "next_date": m.next_date,
                          "note": m.note} for m in meetings],
            "sharing": sharing_summary(actor, partner)}
