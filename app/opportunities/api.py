"""Opportunities, the pipeline and deal registrations in the JSON API (the same services and views
as the pages)."""
from __future__ import annotations

import uuid
from datetime import datetime

from flask import jsonify, request
from sqlalchemy import select

from app.api import bp
from app.api.helpers import actor, json_body, keyset_page
from app.api.openapi import documented
from app.auth.policies import is_vendor_admin, require
from app.core.errors import InvalidInput
from app.opportunities import rules
from app.opportunities.models import DealRegistration, Opportunity
from app.opportunities.schemas import (
    DecisionIn, ExtensionIn, OpportunityChange, OpportunityIn, OpportunityOut, OpportunityPage, OutcomeIn, PipelineOut,
    RegistrationIn, RegistrationOut, RegistrationPage, RejectionIn, ResolutionIn, SettingsIn, SettingsOut,
    SettingsRead,
)
from app.opportunities.policies import (
    can_create, can_decide, can_edit, can_record_outcome, can_register, get_opportunity_or_404,
    get_registration_or_404, registration_condition, scope_opportunities,
)
from app.opportunities.services import (
    approve, create_opportunity, extend, pipeline, record_outcome, register, register_new, reject, resolve,
    settings_of, update_opportunity, update_settings,
)
from app.opportunities.views import opportunity_view, opportunity_views, registration_view, registration_views
from app.partners.policies import get_partner_or_404

def _version(body: dict):
    version = body.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise InvalidInput({"version": "Send the version you read, as a whole number."})
    return version


def _cursor(v):
    return datetime.fromisoformat(v[0]), uuid.UUID(v[1])


@bp.get("/opportunities")
@documented(response=OpportunityPage)
def list_opportunities():
    """Opportunities you may see (?partner_id= one partnership), newest first by cursor."""
    current = actor()
    require(current.is_vendor or current.is_partner_side)
    stmt = scope_opportunities(current, select(Opportunity))
    if request.args.get("partner_id"):
        partner = get_partner_or_404(current, _path_uuid(request.args["partner_id"]))
        stmt = stmt.where(Opportunity.partner_id == partner.id)
    rows, cursor = keyset_page(stmt, (Opportunity.created_at, Opportunity.id),
                               lambda r: (r.created_at.isoformat(), str(r.id)), _cursor)
    return jsonify({"items": opportunity_views(current, rows), "next_cursor": cursor})


def _path_uuid(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise InvalidInput({"partner_id": "Use a partner id."}) from None


@bp.post("/opportunities")
@documented(request=OpportunityIn, response=OpportunityOut, status=201)
def create_opportunity_api():
    """Either side adds an opportunity on an account it may see (another's account answers 404)."""
    current = actor()
    require(can_create(current))
    opp = create_opportunity(current, json_body())
    return jsonify(opportunity_view(current, opp)), 201


@bp.get("/opportunities/<uuid:opportunity_id>")
@documented(response=OpportunityOut)
def get_opportunity(opportunity_id: uuid.UUID):
    current = actor()
    return jsonify(opportunity_view(current, get_opportunity_or_404(current, opportunity_id)))


@bp.patch("/opportunities/<uuid:opportunity_id>")
@documented(request=OpportunityChange, response=OpportunityOut)
def update_opportunity_api(opportunity_id: uuid.UUID):
    """The creating side updates stage, next step, amount...; send the version you read."""
    current = actor()
    opp = get_opportunity_or_404(current, opportunity_id)
    require(can_edit(current, opp))
    body = json_body()
    update_opportunity(current, opp, {k: v for k, v in body.items() if k != "version"}, _version(body))
    return jsonify(opportunity_view(current, opp))


@bp.post("/opportunities/<uuid:opportunity_id>/registration")
@documented(response=RegistrationOut, status=201)
def register_opportunity(opportunity_id: uuid.UUID):
    """A partner registers its opportunity; checked at once (a second registration answers 409)."""
    current = actor()
    opp = get_opportunity_or_404(current, opportunity_id)
    require(can_register(current, opp))
    reg = register(current, opp)
    return jsonify(registration_view(current, reg)), 201


@bp.get("/pipeline")
@documented(response=PipelineOut)
def get_pipeline():
    """Open opportunities summed by stage, quarter and kind per currency (vendor-wide for vendor
    staff, your partnership for partner staff), and what was won."""
    current = actor()
    require(current.is_vendor or current.is_partner_side)
    return jsonify(pipeline(current, None if current.is_vendor else current.partner_id))


@bp.get("/partners/<uuid:partner_id>/pipeline")
@documented(response=PipelineOut)
def get_partner_pipeline(partner_id: uuid.UUID):
    """One partnership's pipeline, as the caller may see it."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    return jsonify(pipeline(current, partner.id))


@bp.get("/opportunity-settings")
@documented(response=SettingsRead)
def get_opportunity_settings():
    """The workspace's stage list, registration SLA (business days) and protection period (days)."""
    current = actor()
    require(current.is_vendor or current.is_partner_side)
    return jsonify({**settings_of(current.tenant).as_json(), "version": current.tenant.version})


@bp.put("/opportunity-settings")
@documented(request=SettingsIn, response=SettingsOut)
def put_opportunity_settings():
    """Vendor admins change the stages, the SLA and the protection period."""
    current = actor()
    require(is_vendor_admin(current))
    body = json_body()
    saved = update_settings(current.tenant, {k: v for k, v in body.items() if k != "version"}, _version(body))
    return jsonify(saved.as_json())


@bp.get("/registrations")
@documented(response=RegistrationPage)
def list_registrations():
    """Deal registrations you may see (?status=), newest first by cursor."""
    current = actor()
    require(current.is_vendor or current.is_partner_side)
    stmt = select(DealRegistration).where(registration_condition(current))
    status = request.args.get("status")
    if status:
        if status not in rules.REG_STATUSES:
            raise InvalidInput({"status": f"Use one of: {', '.join(rules.REG_STATUSES)}."})
        stmt = stmt.where(DealRegistration.status == status)
    rows, cursor = keyset_page(stmt, (DealRegistration.created_at, DealRegistration.id),
                               lambda r: (r.created_at.isoformat(), str(r.id)), _cursor)
    return jsonify({"items": registration_views(current, rows), "next_cursor": cursor})


@bp.post("/registrations")
@documented(request=RegistrationIn, response=RegistrationOut, status=201)
def create_registration():
    """A partner registers a deal: an existing opportunity, or a new one with its fields."""
    current = actor()
    require(current.is_partner_side)
    body = json_body()
    if body.get("opportunity_id") is not None:
        try:
            opp_id = uuid.UUID(str(body["opportunity_id"]))
        except ValueError:
            raise InvalidInput({"opportunity_id": "Use the id of one of your opportunities."}) from None
        opp = get_opportunity_or_404(current, opp_id)
        require(can_register(current, opp))
        reg = register(current, opp)
    else:
        reg = register_new(current, body)
    return jsonify(registration_view(current, reg)), 201


@bp.get("/registrations/<uuid:registration_id>")
@documented(response=RegistrationOut)
def get_registration(registration_id: uuid.UUID):
    current = actor()
    return jsonify(registration_view(current, get_registration_or_404(current, registration_id)))


@bp.post("/registrations/<uuid:registration_id>/approve")
@documented(request=DecisionIn, response=RegistrationOut, body_optional=True)
def approve_registration(registration_id: uuid.UUID):
    """The partner's channel manager or a vendor admin approves (a conflict must be resolved first: 409)."""
    current = actor()
    reg = get_registration_or_404(current, registration_id)
    require(can_decide(current, reg))
    body = json_body(optional=True)
    approve(current, reg, body.get("note") or "", expected_version=_version(body))
    return jsonify(registration_view(current, reg))


@bp.post("/registrations/<uuid:registration_id>/reject")
@documented(request=RejectionIn, response=RegistrationOut)
def reject_registration(registration_id: uuid.UUID):
    """Reject with a reason the partner reads."""
    current = actor()
    reg = get_registration_or_404(current, registration_id)
    require(can_decide(current, reg))
    body = json_body()
    reject(current, reg, body.get("note"), expected_version=_version(body))
    return jsonify(registration_view(current, reg))


@bp.post("/registrations/<uuid:registration_id>/resolve")
@documented(request=ResolutionIn, response=RegistrationOut)
def resolve_registration(registration_id: uuid.UUID):
    """Resolve the account's ownership (the channel-conflict resolution) and check again."""
    current = actor()
    reg = get_registration_or_404(current, registration_id)
    require(can_decide(current, reg))
    body = json_body()
    resolve(current, reg, body.get("resolution"), body.get("note") or "")
    return jsonify(registration_view(current, reg))


@bp.post("/registrations/<uuid:registration_id>/extend")
@documented(request=ExtensionIn, response=RegistrationOut, body_optional=True)
def extend_registration(registration_id: uuid.UUID):
    """Extend an approved registration's protection once."""
    current = actor()
    reg = get_registration_or_404(current, registration_id)
    require(can_decide(current, reg))
    body = json_body(optional=True)
    extend(current, reg, expected_version=_version(body))
    return jsonify(registration_view(current, reg))


@bp.post("/registrations/<uuid:registration_id>/outcome")
@documented(request=OutcomeIn, response=RegistrationOut)
def record_registration_outcome(registration_id: uuid.UUID):
    """Record a win (adds a renewal link to the account's success chain) or a loss."""
    current = actor()
    reg = get_registration_or_404(current, registration_id)
    require(can_record_outcome(current, reg))
    record_outcome(current, reg, json_body().get("outcome"))
    return jsonify(registration_view(current, reg))
