"""The portfolio's counts and gaps, now GROUP BY aggregates, equal the former reading of every
assessment in Python, over several profile versions, unanswered criteria and superseded,
self and draft assessments that must not count."""
from __future__ import annotations

import random
import re
from decimal import ROUND_HALF_UP, Decimal
from html import unescape

from sqlalchemy import select

from app.extensions import db
from app.ipp import scoring, services
from app.ipp.models import IppAssessment, IppProfile
from app.partners.models import Partner
from app.tenancy import tenant_scope
from tests.conftest import login


def reference_gaps(limit: int = 5) -> list[tuple[str, str, str, int]]:
    """The former _gaps: every current vendor assessment's score map read and summed in Python."""
    rows = db.session.execute(
        select(IppAssessment.profile_id, IppAssessment.scores)
        .join(Partner, Partner.id == IppAssessment.partner_id)
        .where(IppAssessment.kind == "vendor", IppAssessment.is_current.is_(True))).all()
    criteria_of = dict(db.session.execute(select(IppProfile.id, IppProfile.criteria)).all())
    totals: dict[str, list] = {}
    for profile_id, scores in rows:
        for item in criteria_of[profile_id]:
            entry = totals.setdefault(item["key"], [Decimal(0), 0, 0])
            value = (scores or {}).get(item["key"])
            score = Decimal(str(value)) if value is not None else Decimal(0)
            entry[0] += score
            entry[1] += 1
            entry[2] += 1 if score < Decimal("0.5") else 0
    gaps = [(key, (total / n * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), n, low)
            for key, (total, n, low) in totals.items()]
    gaps.sort(key=lambda g: (g[1], -g[2], g[0]))
    return [(key, f"{average} %", f"{low} of {n}", n) for key, average, n, low in gaps[:limit]]


def shown_gaps(html: str) -> list[tuple[str, str, str]]:
    section = html.split("Gaps most partners share")[1]
    return [(key, unescape(avg).strip(), unescape(low).strip()) for key, avg, low in re.findall(
        r"<code>([a-z0-9_]+)</code></small></td><td>([^<]*)</td><td>([^<]*)</td>", section)]


def random_answers(rng: random.Random, criteria: list[dict]) -> dict:
    answers = {}
    for item in criteria:
        if rng.random() < 0.2:
            continue  # unanswered: scores 0 and lowers coverage
        if item["type"] == "boolean":
            answers[item["key"]] = rng.choice([True, False])
        elif item["type"] == "scale":
            answers[item["key"]] = rng.randint(1, 5)
        elif item["type"] == "number":
            answers[item["key"]] = rng.choice(["0", "1", "3", "7", "12.5", "19", "25"])
        else:
            answers[item["key"]] = rng.choice([o["value"] for o in item["options"]])
    return answers


def test_portfolio_aggregates_equal_the_python_reading(app, make):
    tenant = make.tenant("gaps")
    partners = [make.partner(tenant, f"Partner {i:02d}") for i in range(14)]
    make.partner(tenant, "Never assessed")
    rng = random.Random(15)
    with tenant_scope(tenant.id):
        first = db.session.scalar(select(IppProfile))
        # Version 2: one criterion more, one fewer, and a third of a point (inexact decimals).
        criteria = [c for c in scoring.default_template() if c["key"] != "segments"] + [
            {"key": "partner_nps", "type": "number", "weight": 1, "floor": 0, "target": 3,
             "question": "Partner NPS band?"}]
        second = services.create_profile("IPP", criteria, family_id=first.family_id)
        for i, partner in enumerate(partners):
            profile = first if i % 3 else second
            if i % 4 == 0:  # superseded: an earlier final assessment stays as history
                services.save_assessment(partner, first, "vendor", random_answers(rng, first.criteria), True, None)
            services.save_assessment(partner, profile, "vendor", random_answers(rng, profile.criteria), True, None)
            if i % 5 == 0:
                services.save_assessment(partner, first, "self", random_answers(rng, first.criteria), True, None)
                services.save_assessment(partner, first, "vendor", random_answers(rng, first.criteria), False, None)
        db.session.commit()
        expected = reference_gaps()
        bands = {}
        for band in db.session.scalars(select(IppAssessment.band).where(
                IppAssessment.kind == "vendor", IppAssessment.is_current.is_(True))):
            bands[band] = bands.get(band, 0) + 1
        every = reference_gaps(limit=50)
    # Each version's criteria count for its own partners only: partner_nps (version 2) for 5,
    # segments (version 1) for 9, the shared ones for all 14.
    assert {key: n for key, _, _, n in every} == {
        **{c["key"]: 14 for c in scoring.default_template()}, "segments": 9, "partner_nps": 5}
    client = app.test_client()
    login(client, "admin@gaps.example")
    html = client.get("/ipp/portfolio").get_data(as_text=True)
    assert shown_gaps(html) == [g[:3] for g in expected]
    with app.test_request_context(), tenant_scope(tenant.id):
        from app.ipp import routes
        counts, _, versions, per_score = routes.read_together(*routes._portfolio_selects())
        criteria_of = {v.id: v.criteria for v in versions}
        per_profile: dict = {}
        for _, _, profile_id, n in counts:
            per_profile[profile_id] = per_profile.get(profile_id, 0) + n
        assert [(g["key"], f"{g['average']} %", f"{g['below_half']} of {g['partners']}", g["partners"])
                for g in routes._gaps(criteria_of, per_profile, per_score, limit=50)] == every
    summary = ", ".join(f"{label} {bands.get(band, 0)}" for band, label in (
        ("ideal", "Ideal"), ("strong", "Strong"), ("developing", "Developing"), ("not_a_fit", "Not a fit")))
    assert f"{summary}, Not assessed 1" in html
