"""IPP pages: the profile editor, assessment forms, an assessment, ranking and portfolio."""
from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import String, and_, column, func, select, true

from app.auth.context import current_actor
from app.auth.policies import require
from app.core.errors import InvalidInput
from app.core.registry import answer_suggestions
from app.core.together import read_together
from app.extensions import db
from app.ipp import bp, charts, forms, scoring, services
from app.ipp.models import IppAssessment, IppProfile
from app.ipp.panels import breakdown
from app.ipp.policies import (
    can_assess, can_change_sharing, can_edit_profiles, can_view_ranking, get_assessment_or_404,
    get_profile_or_404,
)
from app.partners.models import REGION_LABELS, Partner
from app.partners.policies import get_partner_or_404
from app.partners.services import channel_managers

BAND_LABELS = {"ideal": "Ideal", "strong": "Strong", "developing": "Developing",
               "not_a_fit": "Not a fit"}
PAGE_SIZE = 25


# --- profiles --------------------------------------------------------------------------------

@bp.get("/profiles")
def profiles():
    """Every profile family with its versions and how many assessments use each."""
    actor = current_actor()
    require(actor.is_vendor)
    counts = dict(db.session.execute(select(IppAssessment.profile_id, func.count())
                                     .group_by(IppAssessment.profile_id)).all())
    versions = db.session.scalars(select(IppProfile).order_by(IppProfile.number.desc())).all()
    families = []
    for latest in services.latest_versions():
        families.append({"latest": latest,
                         "versions": [v for v in versions if v.family_id == latest.family_id]})
    return render_template("ipp/profiles.html", families=families, counts=counts,
                           can_edit=can_edit_profiles(actor))


@bp.get("/profiles/<uuid:profile_id>")
def profile(profile_id: uuid.UUID):
    actor = current_actor()
    version = get_profile_or_404(profile_id)
    require(actor.is_vendor)
    latest = services.latest_in_family(version.family_id)
    return render_template("ipp/profile.html", profile=version, latest=latest,
                           criteria=services.criteria_of(version),
                           assessments=services.assessment_count(version),
                           can_edit=can_edit_profiles(actor) and latest.id == version.id)


def _editor(profile: IppProfile | None, rows: list[dict], name: str, general: dict, status: int):
    return render_template("ipp/editor.html", profile=profile, rows=rows, name=name,
                           general=general, types=scoring.CRITERION_TYPES,
                           has_assessments=bool(profile and services.assessment_count(profile))), status


def _save_editor(profile: IppProfile | None):
    """POST of the editor: add rows, or validate and save (422 keeps every input)."""
    actor = current_actor()
    rows = forms.rows_from_form(request.form)
    name = request.form.get("name", "")
    if request.form.get("action") == "add_rows":
        return _editor(profile, rows + [forms.blank_row() for _ in range(forms.BLANK_ROWS)], name, {}, 200)
    raw, index_of = forms.criteria_from_rows(rows)
    try:
        if profile is None:
            saved = services.create_profile(name, raw, author_id=actor.membership.id)
        else:
            lock = request.form.get("lock_version", "")
            saved = services.edit_profile(profile, name, raw, int(lock) if lock.isdigit() else None,
                                          author_id=actor.membership.id)
    except InvalidInput as exc:
        general = forms.attach_errors(rows, index_of, exc.fields)
        return _editor(profile, rows, name, general, 422)
    if profile is not None and saved.id != profile.id:
        flash(f"Version {profile.number} has assessments, so your changes are version {saved.number}. "
              "Earlier assessments keep their version and scores.", "success")
    else:
        flash("Profile saved.", "success")
    return redirect(url_for("ipp.profile", profile_id=saved.id))


@bp.route("/profiles/new", methods=["GET", "POST"])
def new_profile():
    actor = current_actor()
    require(can_edit_profiles(actor))
    if request.method == "POST":
        return _save_editor(None)
    return _editor(None, forms.rows_from_criteria([], blanks=4), "", {}, 200)


@bp.route("/profiles/<uuid:profile_id>/edit", methods=["GET", "POST"])
def edit_profile(profile_id: uuid.UUID):
    actor = current_actor()
    version = get_profile_or_404(profile_id)
    require(can_edit_profiles(actor))
    latest = services.latest_in_family(version.family_id)
    if latest.id != version.id:
        flash(f"Version {latest.number} is the newest; edit that one.", "error")
        return redirect(url_for("ipp.edit_profile", profile_id=latest.id))
    if request.method == "POST":
        return _save_editor(version)  # a stale lock_version raises ConflictError: 409
    return _editor(version, forms.rows_from_criteria(version.criteria), version.name, {}, 200)


# --- assessments -----------------------------------------------------------------------------

def _profile_for(partner: Partner, kind: str, draft: IppAssessment | None) -> IppProfile:
    """Which version a form assesses against: the draft's, a chosen one, or the newest."""
    if draft is not None:
        return db.session.get(IppProfile, (partner.tenant_id, draft.profile_id))
    chosen = request.values.get("profile_id", "")
    if chosen:
        try:
            return get_profile_or_404(uuid.UUID(chosen))
        except ValueError:
            abort(404)
    current = services.current_assessment(partner, kind)
    if current is not None:
        family = db.session.get(IppProfile, (partner.tenant_id, current.profile_id)).family_id
        return services.latest_in_family(family)
    latest = services.latest_versions()
    if not latest:
        abort(404)
    return latest[0]


def _assess(partner_id: uuid.UUID, kind: str):
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_assess(actor, partner, kind))
    draft = services.open_draft(partner, kind)
    version = _profile_for(partner, kind, draft)
    criteria = services.criteria_of(version)
    values = forms.answer_values(draft.answers if draft else {}, criteria)
    errors: dict[str, str] = {}
    status = 200
    # Facts other features hold (registry), shown beside their question; only the assessor's
    # "Use it" puts one into the form, and only saving the form changes the assessment.
    numbers = {c.key for c in criteria if c.type == "number"}
    suggestions = {k: v for k, v in answer_suggestions(partner).items() if k in numbers}
    accept = request.form.get("accept", "") if request.method == "POST" else ""
    if accept:
        values = forms.answer_inputs(request.form, criteria)
        if accept in suggestions:
            values[accept] = suggestions[accept][0]
    elif request.method == "POST":
        values = forms.answer_inputs(request.form, criteria)
        finalise = request.form.get("action") == "final"
        lock = request.form.get("lock_version", "")
        try:
            saved = services.save_assessment(partner, version, kind, values, finalise,
                                             author_id=actor.membership.id,
                                             expected_lock=int(lock) if lock.isdigit() else None)
        except InvalidInput as exc:
            errors = {name.removeprefix("answers."): message for name, message in exc.fields.items()}
            status = 422
        else:
            if finalise:
                flash(f"Assessment finished: fit score {saved.fit_score} ({BAND_LABELS[saved.band]}).", "success")
                return redirect(url_for("ipp.assessment", assessment_id=saved.id))
            flash("Draft saved. Finish it when you are ready.", "success")
            return redirect(request.path)
    preview = None
    if not errors:
        cleaned, problems = scoring.validate_answers(criteria, values)
        preview = scoring.fit_score(criteria, cleaned) if not problems else None
    families = services.latest_versions() if draft is None else []
    return render_template("ipp/assess.html", partner=partner, kind=kind, profile=version,
                           criteria=criteria, values=values, errors=errors, draft=draft,
                           preview=preview, families=families, band_labels=BAND_LABELS,
                           suggestions=suggestions), status


@bp.route("/partners/<uuid:partner_id>/assess", methods=["GET", "POST"])
def assess_vendor(partner_id: uuid.UUID):
    """The vendor's assessment of a partner (vendor admin, assigned channel manager)."""
    return _assess(partner_id, "vendor")


@bp.route("/partners/<uuid:partner_id>/self-assessment", methods=["GET", "POST"])
def assess_self(partner_id: uuid.UUID):
    """The partner's own assessment (its partner admin)."""
    return _assess(partner_id, "self")


@bp.get("/assessments/<uuid:assessment_id>")
def assessment(assessment_id: uuid.UUID):
    actor = current_actor()
    found = get_assessment_or_404(actor, assessment_id, services.shares_vendor_assessment)
    partner = get_partner_or_404(actor, found.partner_id)
    version = db.session.get(IppProfile, (found.tenant_id, found.profile_id))
    if found.kind == "vendor":
        rows = breakdown(version, found, None, True)
    else:
        rows = [dict(r, vendor_answer=r["self_answer"], vendor_score=r["self_score"], self_answer=None)
                for r in breakdown(version, None, found, True)]
    latest = services.latest_in_family(version.family_id)
    return render_template("ipp/assessment.html", a=found, partner=partner, profile=version,
                           latest=latest, rows=rows, band_labels=BAND_LABELS,
                           touch_models=scoring.TOUCH_MODELS)


@bp.post("/partners/<uuid:partner_id>/sharing")
def sharing(partner_id: uuid.UUID):
    """Share (or stop sharing) the vendor's full assessment with the partner."""
    actor = current_actor()
    partner = get_partner_or_404(actor, partner_id)
    require(can_change_sharing(actor, partner))
    share = request.form.get("share_vendor_assessment") == "y"
    services.set_sharing(partner, share)
    flash(f"{partner.name} {'now sees' if share else 'no longer sees'} your full assessment.", "success")
    return redirect(url_for("partners.detail", partner_id=partner.id))


# --- ranking and portfolio -------------------------------------------------------------------

def _current_join():
    return and_(IppAssessment.tenant_id == Partner.tenant_id, IppAssessment.partner_id == Partner.id,
                IppAssessment.kind == "vendor", IppAssessment.is_current.is_(True))


@bp.get("/ranking")
def ranking():
    """Partners by their current vendor fit score, best first; filter and page."""
    actor = current_actor()
    require(can_view_ranking(actor))
    band = request.args.get("band", "")
    touch = request.args.get("touch_model", "")
    region = request.args.get("region", "")
    manager = request.args.get("manager", "")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    on_partner, on_assessment = [], []
    if band in BAND_LABELS:
        on_assessment.append(IppAssessment.band == band)
    if touch in scoring.TOUCH_MODELS:
        on_assessment.append(IppAssessment.touch_model == touch)
    if region in REGION_LABELS:
        on_partner.append(Partner.region == region)
    if manager == "none":
        on_partner.append(Partner.channel_manager_id.is_(None))
    elif manager:
        try:
            on_partner.append(Partner.channel_manager_id == uuid.UUID(manager))
        except ValueError:
            manager = ""
    total, rows = _ranking_page(on_partner, on_assessment, unassessed_only=band == "unassessed",
                                offset=(page - 1) * PAGE_SIZE)
    managers = {m.id: (u.name or u.email) for m, u in channel_managers()}
    return render_template("ipp/ranking.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), band=band, touch=touch, region=region,
                           manager=manager, managers=managers, regions=REGION_LABELS,
                           band_labels=BAND_LABELS, touch_models=scoring.TOUCH_MODELS,
                           offset=(page - 1) * PAGE_SIZE)


def _ranking_page(on_partner: list, on_assessment: list, unassessed_only: bool,
                  offset: int) -> tuple[int, list]:
    """The total and one page of (partner, current vendor assessment or None), best fit first,
    then the unassessed by name. Two statements, neither reading every partner's row: the total
    is counts on indexes (current vendor assessments, partners; a partner has at most one current
    vendor assessment, so the unassessed are the difference), and a page inside the assessed
    part is read in the fit-score index's order and stops after PAGE_SIZE rows."""
    assessed = select(func.count()).select_from(IppAssessment).where(
        IppAssessment.kind == "vendor", IppAssessment.is_current.is_(True), *on_assessment)
    if on_partner:
        assessed = assessed.join(Partner, _current_join()).where(*on_partner)
    partners = select(func.count()).select_from(Partner).where(*on_partner)
    counted, everyone = db.session.execute(
        select(assessed.scalar_subquery(), partners.scalar_subquery())).one()
    unassessed = 0 if on_assessment else everyone - counted
    if unassessed_only:  # (an assessment filter beside it matches no one, as before)
        counted = 0
    total = counted + unassessed
    name = func.lower(Partner.name)
    if offset + PAGE_SIZE <= counted:  # only assessed partners on this page
        stmt = (select(Partner, IppAssessment).join(IppAssessment, _current_join())
                .where(*on_partner, *on_assessment)
                .order_by(IppAssessment.fit_score.desc(), name, Partner.id)
                .offset(offset))
    elif offset >= counted:  # only unassessed ones
        stmt = (select(Partner, IppAssessment).outerjoin(IppAssessment, _current_join())
                .where(IppAssessment.id.is_(None), *on_partner, *on_assessment)
                .order_by(name, Partner.id).offset(offset - counted))
    else:  # the one page where the assessed end and the unassessed begin
        stmt = (select(Partner, IppAssessment).outerjoin(IppAssessment, _current_join())
                .where(*on_partner, *on_assessment)
                .order_by(IppAssessment.fit_score.is_(None), IppAssessment.fit_score.desc(), name,
                          Partner.id)
                .offset(offset))
    return total, db.session.execute(stmt.limit(PAGE_SIZE)).all()


@bp.get("/portfolio")
def portfolio():
    """Partners per band and touch model, and the gaps most partners share."""
    actor = current_actor()
    require(can_view_ranking(actor))
    # One statement whatever the tenant's size: every count the page shows as GROUP BY aggregates
    # (no row per partner) and the profile versions' criteria, in one UNION ALL.
    counts, total, versions, per_score = read_together(*_portfolio_selects())
    criteria_of = {v.id: v.criteria for v in versions}
    per_profile: dict[uuid.UUID, int] = {}
    for _, _, profile_id, n in counts:
        per_profile[profile_id] = per_profile.get(profile_id, 0) + n
    assessed = sum(per_profile.values())
    partners = total[0].partners if total else 0
    by_band = {band: 0 for band in BAND_LABELS}
    cells = {}
    for band, touch, _, n in counts:
        by_band[band] = by_band.get(band, 0) + n
        cells[(band, touch)] = cells.get((band, touch), 0) + n
    chart_rows = [(BAND_LABELS[b], scoring.TOUCH_BY_BAND[b], by_band[b], b) for b in BAND_LABELS]
    chart_rows.append(("Not assessed", "—", partners - assessed, "unassessed"))
    width, height, bars = charts.bar_chart(chart_rows)
    return render_template("ipp/portfolio.html", cells=cells, by_band=by_band, assessed=assessed,
                           partners=partners, bars=bars, width=width, height=height,
                           gaps=_gaps(criteria_of, per_profile, per_score), band_labels=BAND_LABELS,
                           touch_models=scoring.TOUCH_MODELS)


def _current_vendor(stmt):
    """Current vendor assessments (no join to partners: the foreign key, enforced on both backends,
    deletes an assessment with its partner)."""
    return stmt.where(IppAssessment.kind == "vendor", IppAssessment.is_current.is_(True))


def _portfolio_selects() -> list:
    """Counts by band, touch model and version; all partners; every version's criteria, newest
    first (a handful); scores per version, criterion and value."""
    return [_current_vendor(
                select(IppAssessment.band.label("band"), IppAssessment.touch_model.label("touch"),
                       IppAssessment.profile_id.label("profile_id"), func.count().label("n")))
            .group_by(IppAssessment.band, IppAssessment.touch_model, IppAssessment.profile_id),
            select(func.count().label("partners")).select_from(Partner),
            select(IppProfile.id.label("id"), IppProfile.criteria.label("criteria"))
            .order_by(IppProfile.created_at.desc(), IppProfile.id),
            _score_counts()]


def _score_counts():
    """Current vendor assessments counted by profile version, criterion key and stored score, in
    one pass over their score maps (JSON): a few distinct scores per criterion however many
    partners, so the sums are exact in Python over a handful of rows."""
    name = "json_each_text" if db.session.get_bind().dialect.name == "postgresql" else "json_each"
    each = getattr(func, name)(IppAssessment.scores).table_valued(
        column("key", String), column("value", String)).alias("score_entry")
    return _current_vendor(
        select(IppAssessment.profile_id.label("profile_id"), each.c.key.label("key"),
               each.c.value.label("score"), func.count().label("n"))
        .select_from(IppAssessment).join(each, true())
        .group_by(IppAssessment.profile_id, each.c.key, each.c.value))


def _gaps(criteria_of: dict[uuid.UUID, list[dict]], assessed: dict[uuid.UUID, int], per_score: list,
          limit: int = 5) -> list[dict]:
    """Criteria with the lowest average score over current vendor assessments (unanswered = 0)."""
    found: dict[tuple, list[tuple[Decimal, int]]] = {}
    for profile_id, key, value, n in per_score:
        if value is not None:  # a stored null is unanswered: counted with the missing below
            found.setdefault((profile_id, key), []).append((Decimal(str(value)), n))
    totals: dict[str, list] = {}
    for profile_id, criteria in criteria_of.items():
        if profile_id not in assessed:
            continue  # a version no current vendor assessment uses
        for item in criteria:
            scored = found.get((profile_id, item["key"]), [])
            unanswered = assessed.get(profile_id, 0) - sum(n for _, n in scored)
            entry = totals.setdefault(item["key"], [item["question"], Decimal(0), 0, 0])
            entry[1] += sum((score * n for score, n in scored), Decimal(0))
            entry[2] += assessed.get(profile_id, 0)
            entry[3] += unanswered + sum(n for score, n in scored if score < Decimal("0.5"))
    gaps = [{"key": key, "question": q, "average": (total / n * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
             "partners": n, "below_half": low}
            for key, (q, total, n, low) in totals.items()]
    gaps.sort(key=lambda g: (g["average"], -g["partners"], g["key"]))
    return gaps[:limit]
