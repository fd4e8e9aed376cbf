"""Agreements, measurements, health and the metric catalogue in the JSON API."""
from __future__ import annotations

import uuid
from decimal import Decimal

from flask import jsonify

from app.api import bp
from app.api.contract import checked
from app.api.helpers import actor, json_body
from app.api.openapi import documented
from app.auth.policies import require
from app.core.errors import InvalidInput
from app.core.numbers import json_number as num
from app.health import services
from app.health.models import Agreement
from app.health.schemas import (
    AgreementIn, AgreementList, AgreementOut, HealthOut, MeasurementList, MeasurementsIn, MetricIn, MetricList,
    NewMetricOut, VersionIn,
)
from app.health.policies import (
    can_accept, can_manage_catalogue, can_negotiate, can_record_measurements, get_agreement_or_404,
)
from app.partners.policies import get_partner_or_404

def agreement_json(a: Agreement) -> dict:
    return {
        "id": str(a.id), "partner_id": str(a.partner_id), "period": a.period, "status": a.status,
        "proposed_by": a.proposed_by, "proposed_at": a.proposed_at.isoformat(),
        "accepted_at": a.accepted_at.isoformat() if a.accepted_at else None,
        "replaces_id": str(a.replaces_id) if a.replaces_id else None, "note": a.note, "version": a.version,
        "metrics": [{"key": t["key"], "direction": t["direction"], "target": num(Decimal(t["target"])),
                     "floor": num(Decimal(t["floor"])), "weight": num(Decimal(t["weight"]))} for t in a.terms],
    }


def health_json(a: Agreement) -> dict:
    result, measurements = services.agreement_health(a)
    terms = {t["key"]: t for t in a.terms}
    lines = []
    for line in result.metrics:
        m = measurements.get(line.key)
        lines.append({"key": line.key, "value": num(line.value), "attainment": num(line.attainment),
                      "missing": line.missing, "target": num(Decimal(terms[line.key]["target"])),
                      "floor": num(Decimal(terms[line.key]["floor"])),
                      "weight": num(Decimal(terms[line.key]["weight"])),
                      "source": m.source if m else None, "side": m.side if m else None})
    return {"agreement_id": str(a.id), "period": a.period, "status": a.status, "score": num(result.score),
            "color": result.color, "metrics": lines, "biggest_lever": services.lever(a, measurements)}


def _agreement_and_partner(agreement_id: uuid.UUID):
    current = actor()
    agreement = get_agreement_or_404(current, agreement_id)
    partner = get_partner_or_404(current, agreement.partner_id)
    return current, agreement, partner


@bp.get("/partners/<uuid:partner_id>/agreements")
@documented(response=AgreementList)
def list_agreements(partner_id: uuid.UUID):
    """Every proposal of the partnership (the history both sides see), newest first."""
    partner = get_partner_or_404(actor(), partner_id)
    return jsonify(checked(AgreementList, {"items": [agreement_json(a) for a in services.agreements_of(partner.id)]}))


@bp.post("/partners/<uuid:partner_id>/agreements")
@documented(request=AgreementIn, response=AgreementOut, status=201)
def propose_agreement(partner_id: uuid.UUID):
    """Propose metrics for a quarter (a counter-proposal is a new proposal)."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(can_negotiate(current, partner))
    data = json_body()
    agreement = services.propose(partner, data.get("period"), data.get("metrics"), current.membership,
                                 note=data.get("note", ""))
    return jsonify(checked(AgreementOut, agreement_json(agreement))), 201


@bp.get("/agreements/<uuid:agreement_id>")
@documented(response=AgreementOut)
def get_agreement(agreement_id: uuid.UUID):
    """One proposal or agreement."""
    _, agreement, _ = _agreement_and_partner(agreement_id)
    return jsonify(checked(AgreementOut, agreement_json(agreement)))


@bp.post("/agreements/<uuid:agreement_id>/accept")
@documented(request=VersionIn, response=AgreementOut, body_optional=True)
def accept_agreement(agreement_id: uuid.UUID):
    """Accept a proposal of the other side; the proposing side may not (403)."""
    current, agreement, partner = _agreement_and_partner(agreement_id)
    require(can_accept(current, agreement, partner))
    version = json_body(optional=True).get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise InvalidInput({"version": "must be the integer version you read"})
    services.accept(agreement, partner, current.membership, expected_version=version)
    return jsonify(checked(AgreementOut, agreement_json(agreement)))


@bp.post("/agreements/<uuid:agreement_id>/copy-forward")
@documented(response=AgreementOut, status=201)
def copy_agreement_forward(agreement_id: uuid.UUID):
    """Propose an accepted agreement again for the next quarter."""
    current, agreement, partner = _agreement_and_partner(agreement_id)
    require(can_negotiate(current, partner))
    new = services.copy_forward(agreement, partner, current.membership)
    return jsonify(checked(AgreementOut, agreement_json(new))), 201


def _measurements_json(agreement: Agreement) -> dict:
    rows = services.measurements_for(agreement.partner_id, agreement.period)
    keys = [t["key"] for t in agreement.terms]
    return {"period": agreement.period, "items": [
        {"key": k, "value": num(rows[k].value), "source": rows[k].source, "side": rows[k].side,
         "recorded_at": rows[k].recorded_at.isoformat()} for k in keys if k in rows]}


@bp.get("/agreements/<uuid:agreement_id>/measurements")
@documented(response=MeasurementList)
def list_measurements(agreement_id: uuid.UUID):
    """The quarter's measurements of the agreement's metrics, with source and side."""
    _, agreement, _ = _agreement_and_partner(agreement_id)
    return jsonify(checked(MeasurementList, _measurements_json(agreement)))


@bp.put("/agreements/<uuid:agreement_id>/measurements")
@documented(request=MeasurementsIn, response=MeasurementList)
def put_measurements(agreement_id: uuid.UUID):
    """Record values for the agreement's metrics (all or nothing)."""
    current, agreement, partner = _agreement_and_partner(agreement_id)
    require(can_record_measurements(current, partner))
    data = json_body()
    services.record_measurements(agreement, partner, data.get("values"), data.get("source"), current.membership)
    return jsonify(checked(MeasurementList, _measurements_json(agreement)))


@bp.get("/agreements/<uuid:agreement_id>/health")
@documented(response=HealthOut)
def agreement_health(agreement_id: uuid.UUID):
    """Health score, colour and per-metric attainment (DESIGN section 5)."""
    _, agreement, _ = _agreement_and_partner(agreement_id)
    return jsonify(checked(HealthOut, health_json(agreement)))


@bp.get("/metrics")
@documented(response=MetricList)
def list_metrics():
    """The tenant's metric catalogue."""
    actor()
    return jsonify(checked(MetricList, {"items": [
        {"key": m.key, "name": m.name, "direction": m.direction, "unit": m.unit, "target": num(m.default_target),
         "floor": num(m.default_floor), "weight": num(m.default_weight), "custom": m.custom,
         "description": m.description} for m in services.catalogue()]}))


@bp.post("/metrics")
@documented(request=MetricIn, response=NewMetricOut, status=201)
def add_metric():
    """Add a custom metric to the catalogue (vendor admin)."""
    current = actor()
    require(can_manage_catalogue(current))
    d = json_body()
    m = services.add_metric(d.get("key"), d.get("name"), d.get("direction"), d.get("unit", ""), d.get("target"),
                            d.get("floor"), d.get("weight"), d.get("description", ""))
    return jsonify(checked(NewMetricOut, {"key": m.key, "name": m.name, "direction": m.direction, "unit": m.unit,
                                          "target": num(m.default_target), "floor": num(m.default_floor),
                                          "weight": num(m.default_weight), "custom": m.custom})), 201
