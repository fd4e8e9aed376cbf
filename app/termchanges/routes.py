"""Term-change pages: a partnership's history, asking for a change, accepting, declining, countering."""
from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for

from app.auth.context import current_actor
from app.auth.policies import require
from app.core.errors import InvalidInput
from app.core.forms import require_csrf
from app.partners.policies import get_partner_or_404
from app.termchanges import bp
from app.termchanges.models import KIND_LABELS, KINDS
from app.termchanges.policies import can_act, can_answer, get_change_or_404, may_propose_any
from app.termchanges.services import (
    accept_change, counter_change, current_period, decline_change, history, propose_change,
)
from app.termchanges.views import describe
# Reading only: the terms in force and the choices the mechanisms accept.
from app.health.services import default_terms, in_force
from app.partners.services import channel_managers
from app.tiers.services import load_tiers


def _form_data() -> dict:
    data = {k: request.form.get(k, "") for k in ("kind", "period", "reason", "tier", "margin_pct",
                                                   "channel_manager_id")}
    rows = min(request.form.get("rows", 0, type=int) or 0, 50)
    data["metrics"] = [{f: request.form.get(f"{f}-{i}", "") for f in ("key", "direction", "target", "floor", "weight")}
                       for i in range(rows) if request.form.get(f"key-{i}")]
    return data


def _current_terms(partner) -> list[dict]:
    agreement = in_force(partner.id, current_period()) or in_force(partner.id)
    return agreement.terms if agreement else default_terms()


def _page(actor, partner, errors=None, data=None, status=200, answering=None):
    changes = history(partner.id)
    return render_template(
        "termchanges/partnership.html", partner=partner, changes=changes, describe=describe,
        kinds=[k for k in KINDS if can_act(actor, partner, k)], kind_labels=KIND_LABELS,
        may_answer={c.id: can_answer(actor, c, partner) for c in changes}, may_propose=may_propose_any(actor, partner),
        errors=errors or {}, data=data or {}, terms=_current_terms(partner), period=current_period(),
        tiers=[t.name for t in load_tiers()], managers=channel_managers(), answering=answering), status


def panel(actor, partner):
    """Recent term changes on the partner page and the partner home."""
    return render_template("termchanges/_panel.html", partner=partner, changes=history(partner.id, limit=5),
                           describe=describe, kind_labels=KIND_LABELS)


@bp.get("/partners/<uuid:partner_id>")
def partnership(partner_id: uuid.UUID):
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(actor.is_vendor or actor.is_partner_side)
    return _page(actor, partner)


@bp.post("/partners/<uuid:partner_id>")
def propose(partner_id: uuid.UUID):
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(may_propose_any(actor, partner))
    require_csrf()
    data = _form_data()
    if data["kind"] in KINDS:
        require(can_act(actor, partner, data["kind"]))
    try:
        propose_change(actor, partner, data)
    except InvalidInput as exc:
        return _page(actor, partner, exc.fields, data, 422)
    flash("Your request was sent to the other side.", "success")
    return redirect(url_for("termchanges.partnership", partner_id=partner.id))


@bp.post("/<uuid:change_id>/<any(accept, decline, counter):decision>")
def decide(change_id: uuid.UUID, decision: str):
    actor = current_actor()
    change, partner = get_change_or_404(actor, change_id)
    require(can_answer(actor, change, partner))
    require_csrf()
    version = request.form.get("version", type=int)
    try:
        if decision == "accept":
            accept_change(actor, change, partner, expected_version=version)
            flash("Accepted; the change applies now.", "success")
        elif decision == "decline":
            decline_change(actor, change, partner, request.form.get("decline_reason"), expected_version=version)
            flash("Declined; the other side sees your reason.", "success")
        else:
            counter_change(actor, change, partner, _form_data(), expected_version=version)
            flash("Your counter-proposal was sent.", "success")
    except InvalidInput as exc:
        return _page(actor, partner, exc.fields, _form_data(), 422, answering=change.id)
    return redirect(url_for("termchanges.partnership", partner_id=partner.id))
