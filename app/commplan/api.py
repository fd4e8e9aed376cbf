"""Communication plans in the JSON API."""
from __future__ import annotations

import uuid

from flask import jsonify

from app.api import bp
from app.api.contract import checked
from app.api.helpers import actor, json_body
from app.api.openapi import documented
from app.auth.policies import require
from app.commplan.models import CADENCES, CHANNELS, CONTACT_ROLES, MEETING_KINDS
from app.commplan.schemas import ChannelsIn, ContactIn, MeetingIn, PlanOut
from app.commplan.policies import can_edit, can_remove_contact, get_contact_or_404, get_meeting_or_404
from app.commplan.services import (
    add_contact, add_meeting, mark_reviewed, plan_view, remove_contact, remove_meeting, set_channels,
)
from app.core.errors import InvalidInput
from app.partners.policies import get_partner_or_404

def _editable(partner_id: uuid.UUID):
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(can_edit(current, partner))
    return current, partner


@bp.get("/partners/<uuid:partner_id>/communication-plan")
@documented(response=PlanOut)
def get_comm_plan(partner_id: uuid.UUID):
    """The partnership's communication plan, with its sharing summary written from the levels."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    return jsonify(checked(PlanOut, plan_view(current, partner)))


@bp.put("/partners/<uuid:partner_id>/communication-plan")
@documented(request=ChannelsIn, response=PlanOut)
def put_comm_plan(partner_id: uuid.UUID):
    """Set the preferred channels."""
    current, partner = _editable(partner_id)
    body = json_body()
    version = body.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise InvalidInput({"version": "Send the version you read, as a whole number."})
    set_channels(partner, body.get("channels"), version)
    return jsonify(checked(PlanOut, plan_view(current, partner)))


@bp.post("/partners/<uuid:partner_id>/communication-plan/contacts")
@documented(request=ContactIn, response=PlanOut, status=201)
def add_comm_contact(partner_id: uuid.UUID):
    """Add a contact on your own side."""
    current, partner = _editable(partner_id)
    add_contact(current, partner, json_body())
    return jsonify(checked(PlanOut, plan_view(current, partner))), 201


@bp.delete("/communication-plan/contacts/<uuid:contact_id>")
@documented(response=PlanOut)
def remove_comm_contact(contact_id: uuid.UUID):
    """Remove one of your side's contacts."""
    current = actor()
    contact, partner = get_contact_or_404(current, contact_id)
    require(can_remove_contact(current, contact, partner))
    remove_contact(contact, partner)
    return jsonify(checked(PlanOut, plan_view(current, partner)))


@bp.post("/partners/<uuid:partner_id>/communication-plan/meetings")
@documented(request=MeetingIn, response=PlanOut, status=201)
def add_comm_meeting(partner_id: uuid.UUID):
    """Add a meeting to the plan."""
    current, partner = _editable(partner_id)
    add_meeting(current, partner, json_body())
    return jsonify(checked(PlanOut, plan_view(current, partner))), 201


@bp.delete("/communication-plan/meetings/<uuid:meeting_id>")
@documented(response=PlanOut)
def remove_comm_meeting(meeting_id: uuid.UUID):
    """Remove a meeting from the plan."""
    current = actor()
    meeting, partner = get_meeting_or_404(current, meeting_id)
    require(can_edit(current, partner))
    remove_meeting(meeting, partner)
    return jsonify(checked(PlanOut, plan_view(current, partner)))


@bp.post("/partners/<uuid:partner_id>/communication-plan/review")
@documented(response=PlanOut)
def review_comm_plan(partner_id: uuid.UUID):
    """Mark the plan reviewed today (clears the two-quarter flag)."""
    current, partner = _editable(partner_id)
    mark_reviewed(current, partner)
    return jsonify(checked(PlanOut, plan_view(current, partner)))
