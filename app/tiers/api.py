"""Tier programme, quarter close, overrides, margin history and what-if in the JSON API."""
from __future__ import annotations

import uuid

from flask import jsonify, request

from app.api import bp
from app.api.contract import checked
from app.api.helpers import actor, json_body
from app.api.openapi import documented
from app.auth.policies import require
from app.core.errors import ConflictError, InvalidInput
from app.core.numbers import json_number as num
from app.health.periods import parse_period
from app.partners.policies import get_partner_or_404
from app.jobs.routes import view_for
from app.tiers import services
from app.tiers.jobs import start_close_all
from app.tiers.schemas import (
    CloseAllOut, CloseOut, CloseQueuedOut, MarginList, OverrideIn, ProgrammeIn, ProgrammeOut, WhatIfIn, WhatIfOut,
)
from app.tiers.policies import can_close, can_close_all, can_edit_programme, can_override


def programme_json() -> dict:
    programme = services.get_programme()
    return {"version": programme.version if programme else None,
            "tiers": [{"name": t.name, "min_score": num(t.min_score), "base_margin_pct": num(t.base_margin_pct),
                       "bonus_margin_pct": num(t.bonus_margin_pct)} for t in services.load_tiers(programme)]}


def close_json(c) -> dict:
    return {"partner_id": str(c.partner_id), "period": c.period, "health_score": num(c.health_score),
            "qualified_tier": c.qualified_tier, "assigned_tier": c.assigned_tier, "status": c.status,
            "margin_pct": num(c.margin_pct), "applies_to": c.applies_to,
            "tier": c.override_tier or c.assigned_tier,
            "effective_margin_pct": num(c.override_margin_pct if c.override_margin_pct is not None else c.margin_pct),
            "override_tier": c.override_tier, "override_margin_pct": num(c.override_margin_pct),
            "override_reason": c.override_reason}


def _period(value: str) -> str:
    try:
        return str(parse_period(value))
    except ValueError as exc:
        raise InvalidInput({"period": str(exc)}) from None


@bp.get("/tier-program")
@documented(response=ProgrammeOut)
def get_tier_program():
    """The tier programme, lowest tier first (everyone in the tenant may read it)."""
    actor()
    return jsonify(checked(ProgrammeOut, programme_json()))


@bp.put("/tier-program")
@documented(request=ProgrammeIn, response=ProgrammeOut)
def put_tier_program():
    """Replace the tier programme (vendor admin); send the version you read to guard against stale edits."""
    current = actor()
    require(can_edit_programme(current))
    data = json_body()
    version = data.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise InvalidInput({"version": "must be the integer version you read"})
    services.save_programme(data.get("tiers"), expected_version=version)
    return jsonify(checked(ProgrammeOut, programme_json()))


@bp.post("/partners/<uuid:partner_id>/quarters/<period>/close")
@documented(response=CloseOut)
def close_partner_quarter(partner_id: uuid.UUID, period: str):
    """Close a quarter for one partner (DESIGN section 6); re-running it changes nothing."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(can_close(current, partner))
    return jsonify(checked(CloseOut, close_json(services.close_one(partner, _period(period), current.membership))))


@bp.post("/quarters/<period>/close")
@documented(response=CloseQueuedOut, status=202)
def close_all_quarters(period: str):
    """Close a quarter for every partner that can close (a job; ?wait=true at once); the others are listed with the reason."""
    current = actor()
    require(can_close_all(current))
    wait = request.args.get("wait", "false")
    if wait not in ("true", "false"):
        raise InvalidInput({"wait": "Use true or false."})
    if wait == "false":
        job = start_close_all(period, current)
        return jsonify(checked(CloseQueuedOut, view_for(current, job))), 202, {"Location": f"/api/v1/jobs/{job.id}"}
    report = services.close_quarter(_period(period), None, current.membership)
    return jsonify(checked(CloseAllOut, {
        "period": report.period, "closed": len(report.closed), "changed": sum(1 for c in report.closed if c.changed),
        "skipped": [{"partner_id": str(pid), "reason": why} for pid, why in report.skipped.items()]}))


@bp.post("/partners/<uuid:partner_id>/quarters/<period>/override")
@documented(request=OverrideIn, response=CloseOut)
def override_quarter(partner_id: uuid.UUID, period: str):
    """Override the tier and/or margin of the latest closed quarter, with a written reason (vendor admin)."""
    current = actor()
    partner = get_partner_or_404(current, partner_id)
    require(can_override(current))
    data = json_body()
    row = services.override(partner, _period(period), data.get("tier"), data.get("margin_pct"), data.get("reason"),
                            current.membership)
    return jsonify(checked(CloseOut, close_json(row)))


@bp.get("/partners/<uuid:partner_id>/margins")
@documented(response=MarginList)
def partner_margins(partner_id: uuid.UUID):
    """The partner's margin history, newest first (both sides may read it)."""
    partner = get_partner_or_404(actor(), partner_id)
    return jsonify(checked(MarginList, {"items": [{
        "applies_to": c.applies_to, "period": c.period, "tier": c.effective_tier,
        "margin_pct": num(c.effective_margin), "status": c.status, "health_score": num(c.health_score),
        "computed_tier": c.assigned_tier, "computed_margin_pct": num(c.margin_pct),
        "override_reason": c.override_reason} for c in services.margin_history(partner.id)]}))


@bp.post("/partners/<uuid:partner_id>/what-if")
@documented(request=WhatIfIn, response=WhatIfOut)
def partner_what_if(partner_id: uuid.UUID):
    """Health, tier and margin that changed values or targets would give; nothing is saved."""
    partner = get_partner_or_404(actor(), partner_id)
    data = json_body()
    values, targets = data.get("values") or {}, data.get("targets") or {}
    if not isinstance(values, dict) or not isinstance(targets, dict):
        raise InvalidInput({"values": "must be an object of metric key to number"})
    view = services.what_if_for(partner, values, targets)
    if view is None:
        raise ConflictError("There is no accepted agreement to start from.")  # the state, not the input
    if view.result.errors:
        raise InvalidInput(view.result.errors)
    r = view.result
    return jsonify(checked(WhatIfOut, {
        "period": view.agreement.period, "score": num(r.health.score), "color": r.health.color,
        "qualified_tier": r.outcome.qualified_tier, "assigned_tier": r.outcome.assigned_tier,
        "status": r.outcome.status, "margin_pct": num(r.outcome.margin_pct),
        "metrics": [{"key": m.key, "value": num(m.value), "attainment": num(m.attainment), "missing": m.missing}
                    for m in r.health.metrics],
        "saved": False}))


