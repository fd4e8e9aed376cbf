"""The health dashboard sorts and pages in SQL in the order the former in-memory sort gave."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.admin import benchdata
from app.extensions import db
from app.partners.models import Partner
from app.tenancy import tenant_scope
from app.tiers.models import QuarterClose
from app.tiers.panels import DASHBOARD_PAGE
from app.tiers.services import load_tiers
from tests.conftest import login

COLOUR_RANK = {"red": 0, "yellow": 1, "green": 2, None: 3}


def _reference(sort: str, descending: bool) -> list[str]:
    """The dashboard's order as it was computed before: every partner in memory, Python's sort."""
    partners = db.session.scalars(select(Partner).order_by(Partner.name)).all()
    history = {}
    for c in db.session.scalars(select(QuarterClose).order_by(QuarterClose.period)):
        history.setdefault(c.partner_id, []).append(c)
    tier_rank = {t.name: i for i, t in enumerate(load_tiers())}
    rows = []
    for p in partners:
        last = history.get(p.id, [None])[-1]
        score = Decimal(last.health_score) if last else None
        colour = None if score is None else ("green" if score >= 75 else "yellow" if score >= 50 else "red")
        rows.append({"name": p.name, "score": score, "colour": colour,
                     "at_risk": bool(last and last.status == "at_risk"),
                     "tier": last.effective_tier if last else p.tier,
                     "margin": last.effective_margin if last else None})
    keys = {
        "risk": lambda r: (not r["at_risk"], COLOUR_RANK[r["colour"]], r["score"] if r["score"] is not None else 101,
                           r["name"].lower()),
        "name": lambda r: r["name"].lower(),
        "health": lambda r: (r["score"] is None, r["score"] or 0),
        "tier": lambda r: (tier_rank.get(r["tier"], -1), r["name"].lower()),
        "margin": lambda r: (r["margin"] is None, r["margin"] or 0),
    }
    rows.sort(key=keys[sort], reverse=descending)
    return [r["name"] for r in rows]


@pytest.mark.parametrize("sort", ["risk", "name", "health", "tier", "margin"])
def test_dashboard_pages_follow_the_reference_order(app, client, sort):
    made = benchdata.generate(DASHBOARD_PAGE + 30, 200, 11, slug=f"dash-{sort}")
    db.session.commit()
    login(client, made.admin_email, password=benchdata.PASSWORD)
    for descending in (False, True):
        shown = []
        for page in (1, 2, 3):
            html = client.get(f"/health/?sort={sort}&dir={'desc' if descending else 'asc'}&page={page}")
            assert html.status_code == 200
            shown += re.findall(r">(Bench Partner \d+)</a>", html.get_data(as_text=True))
        with tenant_scope(made.tenant_id):
            expected = _reference(sort, descending)
        assert len(shown) == DASHBOARD_PAGE + 30
        if sort in ("risk", "name", "tier"):  # total orders (they end with the name)
            assert shown == expected
        else:  # equal keys may come in either order; the keys' sequence must match
            assert sorted(shown) == sorted(expected)
            key = {"health": "score", "margin": "margin"}[sort]
            with tenant_scope(made.tenant_id):
                value = {r: v for r, v in _values(key)}
            assert [value[n] for n in shown] == [value[n] for n in expected]


def _values(key: str):
    latest = {}
    for c in db.session.scalars(select(QuarterClose).order_by(QuarterClose.period)):
        latest[c.partner_id] = c
    for p in db.session.scalars(select(Partner)):
        c = latest.get(p.id)
        yield p.name, (None if c is None else (Decimal(c.health_score) if key == "score" else c.effective_margin))
