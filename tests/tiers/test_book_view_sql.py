"""The cockpit's "book at a glance" is computed in SQL (issue 15): on generated data its colour
counts, tier mix, movers, not-placed list and fit/health points equal the Python computation it
replaced (every partner and its last two closes read and looped over), and the scatter of a large
book is a deterministic sample of at most SCATTER_LIMIT points."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import delete, func, select, update

from app.admin import benchdata
from app.core.registry import Book
from app.extensions import db
from app.health.charts import colour_of
from app.ipp.models import IppAssessment
from app.partners.models import Partner
from app.partners.policies import in_book
from app.tenancy import tenant_scope
from app.tiers import work
from app.tiers.models import QuarterClose
from app.tiers.services.programme import load_tiers


def _python_view(book: Book) -> dict:
    """The computation before issue 15's slice, kept here as the reference (every partner, every close)."""
    found = db.session.execute(in_book(
        select(Partner.id, Partner.name, Partner.tier, IppAssessment.fit_score)
        .outerjoin(IppAssessment, (IppAssessment.partner_id == Partner.id) & IppAssessment.is_current.is_(True)
                   & (IppAssessment.kind == "vendor"))
        .order_by(Partner.name), book)).all()
    fits = {pid: fit for pid, _, _, fit in found if fit is not None}
    history = work._closes(book)
    periods = sorted({c.period for cs in history.values() for c in cs})
    this_q = periods[-1] if periods else None
    last_q = periods[-2] if len(periods) >= 2 else None
    colours: dict = {k: 0 for k in ("green", "yellow", "red", None)}
    points, movers, not_placed = [], [], []
    mix: dict = {q: defaultdict(lambda: [0, Decimal(0)]) for q in (this_q, last_q) if q}
    for pid, name, tier, _ in found:
        closes = history.get(pid, [])
        by_period = {c.period: c for c in closes}
        latest = closes[-1] if closes else None
        score = Decimal(str(latest.health_score)) if latest else None
        colours[colour_of(score)] += 1
        if fits.get(pid) is not None and score is not None:
            points.append((name, Decimal(fits[pid]), score))
        for q in mix:
            c = by_period.get(q)
            if c is not None:
                mix[q][c.effective_tier][0] += 1
                mix[q][c.effective_tier][1] += Decimal(str(c.effective_margin))
        if len(closes) >= 2:
            movers.append((score - Decimal(str(closes[-2].health_score)), name, pid, closes[-2].period,
                           latest.period, score))
        if latest is None and not tier:
            not_placed.append((pid, name))
    movers.sort(key=lambda m: (-abs(m[0]), m[1]))
    tier_names = [t.name for t in reversed(load_tiers())]
    extra = sorted({t for q in mix.values() for t in q} - set(tier_names))
    mix_rows = []
    for t in tier_names + extra:
        cells = []
        for q in (this_q, last_q):
            n, total = mix[q][t] if q and t in mix[q] else (0, Decimal(0))
            cells.append({"n": n, "margin": (total / n).quantize(Decimal("0.01")) if n else None})
        mix_rows.append({"tier": t, "this": cells[0], "last": cells[1]})
    return {"total": len(found), "colours": colours, "this_q": this_q, "last_q": last_q, "mix_rows": mix_rows,
            "points": points, "movers": movers[:work.MOVERS_SHOWN], "not_placed": not_placed}


def _compare(app, book: Book) -> dict:
    db.session.expire_all()
    from flask import g
    g.pop("_cockpit_cache", None)
    with app.test_request_context():  # a new request: its reads are not the last request's
        new = work.book_view(book)
        old = _python_view(book)
    for key in ("total", "colours", "this_q", "last_q", "mix_rows", "movers"):
        assert new[key] == old[key], (key, new[key], old[key])
    step = -(-len(old["points"]) // work.SCATTER_LIMIT) or 1
    assert new["points"] == old["points"][::step]
    assert new["fitted"] == len(old["points"])
    assert len(new["points"]) <= work.SCATTER_LIMIT
    assert [(pid, name) for pid, name, _ in new["not_placed"]] == old["not_placed"][:work.NOT_PLACED_SHOWN]
    assert new["not_placed_total"] == len(old["not_placed"])
    return new


def test_book_aggregates_equal_the_python_computation(app):
    made = benchdata.generate(130, 400, 5, slug="bench-book-view")
    other = benchdata.generate(20, 100, 6, slug="bench-book-other")  # another tenant: never counted
    db.session.commit()
    with app.test_request_context(), tenant_scope(made.tenant_id):
        ids = made.partner_ids
        # Variety: partners never closed (some with a tier set by hand, so placed), one close only,
        # the same change in health for several partners (ties ordered by name), overrides.
        db.session.execute(delete(QuarterClose).where(QuarterClose.partner_id.in_(ids[:40])))
        db.session.execute(update(Partner).where(Partner.id.in_(ids[5:40])).values(tier=None))
        db.session.execute(update(Partner).where(Partner.id.in_(ids[:5])).values(tier="Gold"))
        last = db.session.scalars(select(QuarterClose.period).distinct().order_by(QuarterClose.period.desc())).all()
        db.session.execute(delete(QuarterClose).where(QuarterClose.partner_id.in_(ids[40:45]),
                                                      QuarterClose.period != last[-1]))
        for pid in ids[45:50]:
            db.session.execute(update(QuarterClose).where(QuarterClose.partner_id == pid, QuarterClose.period == last[0])
                               .values(health_score=Decimal("80.1")))
            db.session.execute(update(QuarterClose).where(QuarterClose.partner_id == pid, QuarterClose.period == last[1])
                               .values(health_score=Decimal("10.0")))
        db.session.execute(update(QuarterClose).where(QuarterClose.partner_id.in_(ids[50:60]), QuarterClose.period == last[0])
                           .values(override_tier="Platinum", override_margin_pct=Decimal("21.37")))
        db.session.commit()
        view = _compare(app, Book())
        assert view["total"] == 130 and view["colours"][None] == 40
        assert view["fitted"] > work.SCATTER_LIMIT and len(view["points"]) < view["fitted"]  # sampled
        assert "a sample" in str(view["scatter"])
        assert view["not_placed_total"] == 35 and len(view["not_placed"]) == work.NOT_PLACED_SHOWN
        assert {m[1] for m in view["movers"]} == {f"Bench Partner {i + 1:05d}" for i in range(45, 50)}
        assert any(r["tier"] == "Platinum" and r["this"]["margin"] == Decimal("21.37") for r in view["mix_rows"])
        # A channel manager's book: the same computation narrowed to their partners (a small book: not sampled).
        manager = db.session.scalar(select(Partner.channel_manager_id).where(Partner.channel_manager_id.is_not(None)))
        small = _compare(app, Book(manager_id=manager))
        assert small["total"] < 130
        # Nothing closed at all: empty sections, every partner not placed.
        db.session.execute(delete(QuarterClose))
        db.session.execute(update(Partner).values(tier=None))
        db.session.commit()
        empty = _compare(app, Book())
        assert empty["this_q"] is None and empty["movers"] == [] and empty["points"] == []
        assert empty["not_placed_total"] == 130 and empty["colours"] == {"green": 0, "yellow": 0, "red": 0, None: 130}
    assert other.tenant_id != made.tenant_id


def _shape(close) -> tuple:
    return (close.partner_id, close.period, Decimal(str(close.health_score)), close.status, close.effective_tier,
            close.partner_name, close.agreement_id)


def test_at_risk_partners_of_a_book_equal_the_read_of_every_close(app):
    """The cockpit's at-risk source reads only the at-risk partners' closes (filtered and ranked in
    SQL); on generated data it finds the same partners, closes and levers as reading every close."""
    from flask import g, request

    from app.auth.context import actor_for_email

    made = benchdata.generate(130, 400, 7, slug="bench-at-risk")
    db.session.commit()
    with app.test_request_context(), tenant_scope(made.tenant_id):
        # More at risk than the levers are named for, with equal scores (ordered by name in SQL as in Python).
        latest = db.session.scalar(select(func.max(QuarterClose.period)))
        for i, pid in enumerate(made.partner_ids[:30]):
            db.session.execute(update(QuarterClose).where(QuarterClose.partner_id == pid, QuarterClose.period == latest)
                               .values(status="at_risk", health_score=Decimal("40.0") + i % 4))
        db.session.commit()
        for book in (Book(), Book(manager_id=db.session.scalar(
                select(Partner.channel_manager_id).where(Partner.channel_manager_id.is_not(None))))):
            g.pop("_cockpit_cache", None)
            request_cache = getattr(request, "_tandem_per_request", {})
            request_cache.clear()
            history = work._closes(book)
            old = {pid: cs for pid, cs in history.items() if cs[-1].status == "at_risk"}
            old_levers = work._levers([old[pid][-1] for pid in work._worst_first(old)[:work.LEVER_LIMIT]])
            new, levers = work._at_risk_with_levers(book)
            assert {pid: [_shape(c) for c in cs] for pid, cs in new.items()} == \
                {pid: [_shape(c) for c in cs] for pid, cs in old.items()}
            assert levers == old_levers
            if book.manager_id is None:
                assert len(old) > work.LEVER_LIMIT and 0 < len(levers) <= work.LEVER_LIMIT  # the limit matters here
        from app.tenants.models import Tenant
        actor = actor_for_email(db.session.get(Tenant, made.tenant_id), made.admin_email)
        items = work.at_risk_partners(actor, Book())
        assert len(items) == len(work._at_risk_with_levers(Book())[0])
        assert all(str(i.partner_id) in i.link for i in items)


def test_programme_view_reads_only_the_last_four_quarters_and_shows_the_same(app):
    """The programme's margin table is bounded in SQL to the last four closed quarters; on generated
    data (seven closed quarters) it equals grouping every close and keeping the last four."""
    made = benchdata.generate(40, 200, 9, slug="bench-programme")
    db.session.commit()
    with app.test_request_context(), tenant_scope(made.tenant_id):
        effective = func.coalesce(QuarterClose.override_tier, QuarterClose.assigned_tier)
        every = db.session.execute(
            select(QuarterClose.period, effective, func.count(),
                   func.avg(func.coalesce(QuarterClose.override_margin_pct, QuarterClose.margin_pct)))
            .group_by(QuarterClose.period, effective)).all()
        periods = sorted({p for p, *_ in every})
        assert len(periods) > 4
        expected: dict = defaultdict(dict)
        for period, tier, n, avg in every:
            if period in periods[-4:]:
                expected[tier][period] = (n, Decimal(str(avg)).quantize(Decimal("0.01")))
        view = work.programme_view(Book())
        assert view["periods"] == periods[-4:]
        assert dict(view["table"]) == dict(expected)
