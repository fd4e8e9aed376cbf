"""The fit ranking's total and pages, now counts on indexes and pages read in the fit-score order,
equal the former single outer-join query for every filter and every page (the assessed part, the
page where the unassessed begin, the unassessed part)."""
from __future__ import annotations

import re
import uuid
from html import unescape

import pytest
from sqlalchemy import and_, func, select

from app.extensions import db
from app.ipp import routes, services
from app.ipp.models import IppAssessment, IppProfile
from app.partners.models import Partner
from app.tenancy import tenant_scope
from tests.conftest import login

ANSWERS = [  # a few distinct scores, each shared by several partners: ties order by name
    {"leadership_commitment": True, "cs_roi_expectation": 5, "services_core": True},
    {"leadership_commitment": True, "cs_roi_expectation": 3},
    {"leadership_commitment": False, "cs_roi_expectation": 4, "services_core": True},
]


def reference(band="", touch="", region="", manager=None) -> list[str]:
    """The former query: every partner outer-joined to its current vendor assessment."""
    stmt = select(Partner.name).outerjoin(IppAssessment, and_(
        IppAssessment.partner_id == Partner.id, IppAssessment.kind == "vendor",
        IppAssessment.is_current.is_(True)))
    if band == "unassessed":
        stmt = stmt.where(IppAssessment.id.is_(None))
    elif band:
        stmt = stmt.where(IppAssessment.band == band)
    if touch:
        stmt = stmt.where(IppAssessment.touch_model == touch)
    if region:
        stmt = stmt.where(Partner.region == region)
    if manager == "none":
        stmt = stmt.where(Partner.channel_manager_id.is_(None))
    elif manager:
        stmt = stmt.where(Partner.channel_manager_id == uuid.UUID(manager))
    return list(db.session.scalars(stmt.order_by(
        IppAssessment.fit_score.is_(None), IppAssessment.fit_score.desc(), func.lower(Partner.name),
        Partner.id)))


def shown(client, query: str) -> tuple[int, list[str]]:
    """The total and every page's partners, page after page."""
    names, page, total = [], 1, None
    while True:
        html = client.get(f"/ipp/ranking?{query}&page={page}").get_data(as_text=True)
        total = int(re.search(r'Partners by fit <small class="muted">(\d+)</small>', html).group(1))
        found = [unescape(n) for n in re.findall(r'#ipp">([^<]+)</a>', html)]
        names += found
        if not found or len(names) >= total:
            return total, names
        page += 1


@pytest.fixture
def ranked(app, make, monkeypatch):
    monkeypatch.setattr(routes, "PAGE_SIZE", 4)  # pages of 4, so 14 partners make four pages
    tenant = make.tenant("rank")
    manager = make.member(tenant, "channel_manager", email="cm@rank.example")
    names = ["delta", "Alpha", "charlie", "Bravo", "echo", "Foxtrot", "golf", "Hotel", "india",
             "Juliet", "kilo", "Lima", "mike", "November"]
    partners = [make.partner(tenant, f"{n} Partners", region=("emea", "na", None)[i % 3])
                for i, n in enumerate(names)]
    with tenant_scope(tenant.id):
        profile = db.session.scalar(select(IppProfile))
        for i, partner in enumerate(partners):
            partner = db.session.merge(partner)
            if i % 2:
                partner.channel_manager_id = manager.id
            if i < 10:  # four partners never assessed
                services.save_assessment(partner, profile, "vendor", ANSWERS[i % 3], True, None)
        services.save_assessment(partners[11], profile, "self", ANSWERS[0], True, None)
        db.session.commit()
    client = app.test_client()
    login(client, "admin@rank.example")
    return tenant, manager, client


def test_ranking_pages_equal_the_former_query(ranked):
    tenant, manager, client = ranked
    filters = [{}, {"band": "unassessed"}, {"region": "emea"}, {"manager": "none"},
               {"manager": str(manager.id)}, {"band": "unassessed", "region": "na"},
               {"band": "unassessed", "touch": "digital"}, {"region": "na", "manager": str(manager.id)}]
    with tenant_scope(tenant.id):
        for band in ("ideal", "strong", "developing", "not_a_fit"):
            filters.append({"band": band})
            filters.append({"band": band, "region": "emea"})
        for touch in ("strategic", "growth", "digital"):
            filters.append({"touch": touch})
        expected = [reference(**f) for f in filters]
    assert len(expected[0]) == 14 and len(expected[1]) == 4
    assert any(len(e) > 4 for e in expected[2:])  # some filtered list runs over one page
    for f, names in zip(filters, expected):
        query = "&".join(f"{'touch_model' if k == 'touch' else k}={v}" for k, v in f.items())
        assert shown(client, query) == (len(names), names), f


def test_ranking_sends_as_many_statements_on_every_page(ranked, app):
    from app.core.sqlcount import count_statements

    _, _, client = ranked
    counts = []
    for page in (1, 3, 4):  # assessed only, the page where they end, unassessed only
        with app.app_context():
            engine = db.engine
        with count_statements(engine) as counted:
            assert client.get(f"/ipp/ranking?page={page}").status_code == 200
        counts.append(counted.count - counted.rls_settings)
    assert len(set(counts)) == 1
