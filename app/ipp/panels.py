"""The IPP sections of the partner page (vendor side) and the partner home (partner side)."""
from __future__ import annotations

from decimal import Decimal

from flask import render_template
from sqlalchemy import and_, or_, select

from app.auth.context import Actor
from app.extensions import db
from app.ipp import charts, scoring, services
from app.ipp.forms import display_answer
from app.ipp.models import IppAssessment, IppPartnerSettings, IppProfile
from app.ipp.policies import (
    assessment_scope, can_assess_self, can_assess_vendor, can_change_sharing, scope_assessments, sees_vendor_detail,
)
from app.partners.models import Partner


def _score(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def breakdown(profile: IppProfile, vendor: IppAssessment | None, own: IppAssessment | None,
              show_vendor: bool) -> list[dict]:
    """Per criterion of `profile`: both sides' answers and scores, and whether they differ."""
    criteria = services.criteria_of(profile)
    vendor_answers = (vendor.answers if vendor and show_vendor else {}) or {}
    self_answers = (own.answers if own else {}) or {}
    differing = ({d.key for d in scoring.compare_answers(criteria, vendor_answers, self_answers)}
                 if vendor is not None and own is not None and show_vendor else set())
    rows = []
    for c in criteria:
        v_value, s_value = vendor_answers.get(c.key), self_answers.get(c.key)
        rows.append({
            "criterion": c,
            "vendor_answer": display_answer(c, v_value),
            "vendor_score": _safe(c, v_value),
            "self_answer": display_answer(c, s_value) if own else None,
            "self_score": _safe(c, s_value) if own else None,
            "differs": c.key in differing,
            "knockout_failed": bool(vendor and show_vendor and c.key in (vendor.knockout_failed or [])),
        })
    return rows


def _safe(c: scoring.Criterion, value) -> Decimal | None:
    try:
        return scoring.score_criterion(c, value)
    except ValueError:
        return None


def history(actor: Actor, partner: Partner, show_vendor: bool) -> tuple[list[dict], object]:
    """Final assessments the actor may see in full, oldest first, with the chart geometry."""
    stmt = scope_assessments(actor, select(IppAssessment, IppProfile)
                             .join(IppProfile, (IppProfile.id == IppAssessment.profile_id)
                                   & (IppProfile.tenant_id == IppAssessment.tenant_id))
                             .where(IppAssessment.partner_id == partner.id,
                                    IppAssessment.status == "final"), show_vendor)
    if not show_vendor:
        stmt = stmt.where(IppAssessment.kind == "self")
    rows = db.session.execute(stmt.order_by(IppAssessment.finalised_at, IppAssessment.id)).all()
    entries = [{"assessment": a, "profile": p, "kind": a.kind, "fit_score": _score(a.fit_score),
                "label": f"{a.finalised_at:%Y-%m-%d} v{p.number}"} for a, p in rows]
    chart = charts.history_chart(entries) if entries else None
    return entries, chart


def _panel_rows(actor: Actor, partner: Partner) -> tuple[bool, list[tuple[IppAssessment, IppProfile]]]:
    """Whether the vendor shares its assessment, and the partner's assessments the actor may list
    that the section shows (current, open drafts, final ones for the history) with their profiles,
    in one statement: the partner row anchors it, so the setting comes back with no assessment."""
    shared = (select(IppPartnerSettings.share_vendor_assessment)
              .where(IppPartnerSettings.partner_id == partner.id).scalar_subquery())
    # The listing policy (scope_assessments) sits in the outer join's condition, so the anchor row stays.
    shown = and_(IppAssessment.tenant_id == Partner.tenant_id, IppAssessment.partner_id == Partner.id,
                 or_(IppAssessment.is_current.is_(True), IppAssessment.status.in_(("draft", "final"))),
                 assessment_scope(actor))
    rows = db.session.execute(
        select(Partner.id, shared.label("shared"), IppAssessment, IppProfile)
        .select_from(Partner).outerjoin(IppAssessment, shown)
        .outerjoin(IppProfile, (IppProfile.id == IppAssessment.profile_id)
                   & (IppProfile.tenant_id == IppAssessment.tenant_id))
        .where(Partner.id == partner.id)).all()
    return bool(rows and rows[0].shared), [(r.IppAssessment, r.IppProfile) for r in rows
                                           if r.IppAssessment is not None]


def partner_view(actor: Actor, partner: Partner) -> dict:
    """Everything the IPP section of a partner shows to this actor (one statement, _panel_rows)."""
    shared, found_rows = _panel_rows(actor, partner)
    show_vendor = sees_vendor_detail(actor, shared)
    # The current assessments and open drafts of both kinds.
    found = {(a.kind, a.is_current): a for a, _ in found_rows if a.is_current or a.status == "draft"}
    vendor, own = found.get(("vendor", True)), found.get(("self", True))
    # The history: final assessments the actor may see in full, oldest first.
    finals = sorted(((a, p) for a, p in found_rows if a.status == "final" and p is not None
                     and (show_vendor or a.kind == "self")),
                    key=lambda ap: (ap[0].finalised_at, ap[0].id))
    entries = [{"assessment": a, "profile": p, "kind": a.kind, "fit_score": _score(a.fit_score),
                "label": f"{a.finalised_at:%Y-%m-%d} v{p.number}"} for a, p in finals]
    chart = charts.history_chart(entries) if entries else None
    profile = None
    if vendor is not None and show_vendor:
        profile = db.session.get(IppProfile, (partner.tenant_id, vendor.profile_id))
    elif own is not None:
        profile = db.session.get(IppProfile, (partner.tenant_id, own.profile_id))
    return {
        "partner": partner, "shared": shared, "show_vendor": show_vendor,
        "vendor": vendor, "own": own, "profile": profile,
        "rows": breakdown(profile, vendor, own, show_vendor) if profile is not None else [],
        "entries": entries, "chart": chart,
        "vendor_draft": found.get(("vendor", False)) if actor.is_vendor else None,
        "self_draft": found.get(("self", False)) if actor.is_partner_side else None,
        "can_assess_vendor": can_assess_vendor(actor, partner),
        "can_assess_self": can_assess_self(actor, partner),
        "can_change_sharing": can_change_sharing(actor, partner),
        "touch_models": scoring.TOUCH_MODELS,
    }


def partner_panel(actor: Actor, partner: Partner):
    """Vendor-side partner page section (partner staff viewing their own page get their view)."""
    return render_template("ipp/_partner_panel.html", v=partner_view(actor, partner))


def partner_home_panel(actor: Actor, partner: Partner):
    return render_template("ipp/_partner_panel.html", v=partner_view(actor, partner))
