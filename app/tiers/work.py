"""Tiers' part of the cockpits: the work queue's closable quarters and at-risk partners, and the
"my book" sections (health distribution, tier mix and margin, fit vs health, movers, and for the
programme view margin by tier and quarter and agreement coverage).

Registered through `app.core.registry` (app/tiers/__init__.py), so home never imports tiers. Every
function reads a fixed number of set-based statements, whatever the number of partners in the book.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from types import SimpleNamespace
from decimal import Decimal

from flask import g, render_template, url_for
from sqlalchemy import Integer, case, func, or_, select
from sqlalchemy.orm import aliased

from app.auth import roles
from app.core.db import utcnow
from app.core.registry import Book, WorkItem, locked_partner_ids
from app.core.requestcache import per_request
from app.core.together import read_together
from app.extensions import db
from app.health.charts import bar_chart, colour_of, scatter_chart
from app.health.models import Agreement, Measurement, MetricDefinition
from app.health.periods import parse_period, period_for
from app.health.scoring import biggest_lever, terms_of
from app.ipp.models import IppAssessment
from app.partners.models import Partner
from app.partners.policies import in_book, partners_by_status
from app.tiers.models import QuarterClose, TierProgram
from app.tiers.services.programme import load_tiers

# The biggest lever is named for the lowest scores only: the queue shows the first eight of a kind,
# and reading every at-risk partner's terms and measurements cost a third of a 2,000-partner page.
LEVER_LIMIT = 10
# Links of many items are built from one url_for (a few thousand url_for calls cost a tenth of a second).
_PLACEHOLDER = uuid.UUID(int=0)
# The book's sections are bounded: a 2,000-partner book drew 2,000 points and a 2,000-row table.
SCATTER_LIMIT = 50  # points drawn and listed at most; a larger book shows every k-th partner by name
MOVERS_SHOWN = 5
NOT_PLACED_SHOWN = 25
COLOUR_LABELS = {"green": "Healthy (75+)", "yellow": "Watch (50-74)", "red": "At risk (<50)", None: "No close yet"}


def _acting_book(actor, book: Book) -> Book | None:
    """The part of the book this person may close or act on (tiers.policies.can_close), or None."""
    if actor.is_vendor and actor.role == roles.VENDOR_ADMIN:
        return book
    if actor.is_vendor and actor.role == roles.CHANNEL_MANAGER:
        return Book(manager_id=actor.membership.id, partner_id=book.partner_id)
    return None


def _ranked_closes(book: Book):
    """Each close of the book with its rank from the latest (1) back, as a subquery."""
    ranked = (select(QuarterClose.partner_id, QuarterClose.period, QuarterClose.health_score, QuarterClose.status,
                     QuarterClose.agreement_id, QuarterClose.applies_to, QuarterClose.override_reason,
                     func.coalesce(QuarterClose.override_tier, QuarterClose.assigned_tier).label("effective_tier"),
                     func.coalesce(QuarterClose.override_margin_pct, QuarterClose.margin_pct)
                     .label("effective_margin"), Partner.name.label("partner_name"),
                     func.row_number(type_=Integer()).over(partition_by=QuarterClose.partner_id,
                                            order_by=QuarterClose.period.desc()).label("recent"))
              .join(Partner, Partner.id == QuarterClose.partner_id))
    return in_book(ranked, book).subquery()


def _closes_select(ranked):
    return select(ranked).where(ranked.c.recent <= 2).order_by(ranked.c.partner_id, ranked.c.period)


def _closes_key(book: Book) -> tuple:
    return ("tiers.work.closes", book)


def _remember_closes(book: Book, rows) -> dict:
    history: dict = defaultdict(list)
    for c in rows:
        history[c.partner_id].append(c)
    cached = g.get("_cockpit_cache", {})
    cached[_closes_key(book)] = history
    g._cockpit_cache = cached
    return history


def _closes(book: Book) -> dict:
    """partner id -> its last two closes, oldest first (one statement, read once per request).

    Plain rows, not ORM objects, and only two quarters per partner (a window function): the
    cockpit needs the latest close and the one before it, for every partner of the book; the
    health panel of a partner's pages reads its latest close here too (Book(partner_id=...)).
    On the partner home `at_risk_partners`, the first source of its work queue, reads them with
    its levers and the tier programme in one statement (_closes_with_levers)."""
    cached = g.get("_cockpit_cache", {})
    if _closes_key(book) in cached:
        return cached[_closes_key(book)]
    return _remember_closes(book, db.session.execute(_closes_select(_ranked_closes(book))))


def recent_closes(book: Book) -> dict:
    """partner id -> its last two closes, oldest first (`_closes`: one statement, once per request)."""
    return _closes(book)


def _accepted_after_close(book: Book, current: str):
    """Accepted agreements of ended quarters, whether they have measurements, and the partner's latest
    closed quarter, narrowed in SQL to the quarters after each partner's latest close (every
    accepted quarter of a partner never closed): a join on the latest close per partner (a grouped
    subquery), not every agreement of the book; an EXISTS probe, not a count of the measurements."""
    latest = (select(QuarterClose.partner_id, func.max(QuarterClose.period).label("period"))
              .group_by(QuarterClose.partner_id).subquery())
    measured = (select(Measurement.id).where(Measurement.partner_id == Agreement.partner_id,
                                             Measurement.period == Agreement.period).exists())
    return in_book(
        select(Agreement.partner_id, Agreement.period, Partner.name, measured.label("measured"),
               latest.c.period.label("closed"))
        .join(Partner, Partner.id == Agreement.partner_id)
        .outerjoin(latest, latest.c.partner_id == Agreement.partner_id)
        .where(Agreement.status == "accepted", Agreement.period < current,
               or_(latest.c.period.is_(None), Agreement.period > latest.c.period))
        .order_by(Agreement.partner_id, Agreement.period), book)


def closable_candidates(book: Book, accepted=None) -> dict:
    """partner id -> (the quarter it can close next, its name), before the locks: the quarter after
    its latest close (or its first measured accepted one), ended, accepted and measured. `accepted`:
    rows (partner id, period, name, measurements) of every accepted agreement, each partner's latest
    close then read from `_closes` (a test passes the unnarrowed read to compare); without it, one
    statement reads the agreements after each partner's latest close with that close's quarter."""
    if accepted is None:
        current = str(period_for(utcnow().date()))
        accepted = db.session.execute(_accepted_after_close(book, current)).all()
    else:
        last = {pid: cs[-1].period for pid, cs in _closes(book).items() if cs}
        accepted = [(pid, period, name, measured, last.get(pid)) for pid, period, name, measured in accepted]
    candidates = {}
    following: dict = {}  # a quarter -> the one after it (a few distinct quarters, parsed once each)
    for partner_id, period, name, measured, closed in accepted:
        if partner_id in candidates or (closed is not None and period <= closed):
            continue
        if closed is not None:
            if closed not in following:
                following[closed] = str(parse_period(closed).next())
            if period != following[closed]:
                continue
        if measured:
            candidates[partner_id] = (period, name)
    return candidates


def closable_quarters(actor, book: Book) -> list[WorkItem]:
    """Partners whose next quarter can be closed: it has ended, its agreement is accepted and has
    measurements, the quarter before is closed (quarters close in order) and it is not locked."""
    mine = _acting_book(actor, book)
    if mine is None:
        return []
    candidates = closable_candidates(mine)
    periods = {period for period, _ in candidates.values()}
    locked = {p: locked_partner_ids(p) for p in periods}
    due = {p: parse_period(p).end_date() for p in periods}
    link = url_for("health.partner_page", partner_id=_PLACEHOLDER)
    return [WorkItem(kind="quarter_to_close", partner_id=pid, title=f"Close {period} for {name}",
                     detail="agreement accepted and measured; the quarter has ended",
                     due=due[period], link=link.replace(str(_PLACEHOLDER), str(pid)))
            for pid, (period, name) in candidates.items() if pid not in locked[period]]


def at_risk_partners(actor, book: Book) -> list[WorkItem]:
    """Partners whose latest close left them at risk of demotion, with their health, its trend and
    the score their tier needs; the link is the what-if page (what would keep them in tier)."""
    if actor.is_partner_side:
        mine = Book(partner_id=actor.partner_id)
    else:
        mine = _acting_book(actor, book)
        if mine is None:
            return []
    # A whole book (the cockpit): only the at-risk partners' last two closes, with the levers of the
    # worst, in one statement. One partner's book (the partner home): its closes (which its health
    # panel reads too), levers and the programme in one statement.
    if mine.partner_id is None:
        at_risk, levers = _at_risk_with_levers(mine)
        worst_first = _worst_first(at_risk)
        tiers = load_tiers()
    elif _closes_key(mine) in g.get("_cockpit_cache", {}):
        history = _closes(mine)
        at_risk = {pid: cs for pid, cs in history.items() if cs[-1].status == "at_risk"}
        worst_first = _worst_first(at_risk)
        levers = _levers([at_risk[pid][-1] for pid in worst_first[:LEVER_LIMIT]])
        tiers = load_tiers()
    else:
        history, levers, tiers = _closes_with_levers(mine)
        at_risk = {pid: cs for pid, cs in history.items() if cs[-1].status == "at_risk"}
        worst_first = _worst_first(at_risk)
    # No early return when nobody is at risk: the same statements run (empty IN lists), so the
    # cockpit's statement count does not depend on the data (tests/admin/test_bench_data.py).
    # The names come with the closes (one statement fewer per cockpit).
    names = {pid: cs[-1].partner_name for pid, cs in at_risk.items()}
    minimum = {t.name: t.min_score for t in tiers}
    what_if = url_for("tiers.what_if", partner_id=_PLACEHOLDER)
    items = []
    for pid in worst_first:
        closes = at_risk[pid]
        last = closes[-1]
        score = Decimal(str(last.health_score))
        trend = ""
        if len(closes) >= 2:
            delta = score - Decimal(str(closes[-2].health_score))
            trend = f", {'up' if delta > 0 else 'down' if delta < 0 else 'flat'} {abs(delta)} on {closes[-2].period}"
        need = minimum.get(last.effective_tier)
        keep = f"; {last.effective_tier} needs {need}" if need is not None else ""
        if levers.get(pid):
            keep += f"; biggest lever: {levers[pid]}"
        who = names.get(pid, "Your partnership") if actor.is_vendor else "Your partnership"
        items.append(WorkItem(
            kind="partner_at_risk", partner_id=pid, urgent=True,
            title=f"{who} is at risk in {last.effective_tier}: a second quarter below demotes",
            detail=f"health {score} in {last.period}{trend}{keep}",
            link=what_if.replace(str(_PLACEHOLDER), str(pid))))
    return items


def _worst_first(at_risk: dict) -> list:
    """At-risk partners, lowest health first, then by name (ties: by partner id, the closes' order)."""
    return sorted(at_risk, key=lambda pid: (Decimal(str(at_risk[pid][-1].health_score)), at_risk[pid][-1].partner_name))


def _measured_select(agreement_ids):
    """Each closed agreement with its quarter's measurements (an outer join: an agreement without
    measurements still comes back, with its terms)."""
    return (select(Agreement.id.label("agreement_id"), Agreement.terms.label("terms"),
                   Measurement.partner_id.label("partner_id"), Measurement.metric_key.label("key"),
                   Measurement.value.label("value"))
            .outerjoin(Measurement, (Measurement.partner_id == Agreement.partner_id)
                       & (Measurement.period == Agreement.period))
            .where(Agreement.id.in_(agreement_ids)))


def _levers_from(closes: list, measured, catalogue) -> dict:
    agreements: dict = {}
    values: dict = defaultdict(dict)
    names = {key: name for key, name in catalogue}
    for agreement_id, terms, pid, key, value in measured:
        agreements[agreement_id] = terms
        if pid is not None:
            values[pid][key] = Decimal(value)
    out = {}
    for c in closes:
        terms = agreements.get(c.agreement_id)
        key = biggest_lever(terms_of(terms), values.get(c.partner_id, {})) if terms else None
        if key:
            out[c.partner_id] = names.get(key, key.replace("_", " "))
    return out


def _closes_with_levers(book: Book) -> tuple[dict, dict, list]:
    """The book's last two closes per partner (kept as `_closes` keeps them), the levers of the
    LEVER_LIMIT lowest at-risk partners and the tier programme's tiers, in one statement
    (app.core.together): the worst at-risk closes are picked in SQL, in `_worst_first`'s order."""
    ranked = _ranked_closes(book)
    worst = (select(ranked.c.agreement_id).where(ranked.c.recent == 1, ranked.c.status == "at_risk")
             .order_by(ranked.c.health_score, ranked.c.partner_name, ranked.c.partner_id).limit(LEVER_LIMIT))
    closes, measured, catalogue, programme = read_together(
        _closes_select(ranked), _measured_select(worst), select(MetricDefinition.key, MetricDefinition.name),
        select(TierProgram.tiers))
    history = _remember_closes(book, closes)
    at_risk = {pid: cs for pid, cs in history.items() if cs[-1].status == "at_risk"}
    lowest = [at_risk[pid][-1] for pid in _worst_first(at_risk)[:LEVER_LIMIT]]
    tiers = load_tiers(SimpleNamespace(tiers=programme[0].tiers)) if programme else []
    return history, _levers_from(lowest, measured, catalogue), tiers


def _at_risk_selects(two) -> tuple:
    """Over the last two closes (`_latest_two`): those of the partners whose latest close left them
    at risk, the measurements of the LEVER_LIMIT lowest of them (in `_worst_first`'s order) and the
    metric catalogue; the other partners' closes are never read."""
    latest_at_risk = (two.c.recent == 1) & (two.c.status == "at_risk")
    closes = (select(two).where(two.c.partner_id.in_(select(two.c.partner_id).where(latest_at_risk)))
              .order_by(two.c.partner_id, two.c.period))
    worst = (select(two.c.agreement_id).where(latest_at_risk)
             .order_by(two.c.health_score, two.c.partner_name, two.c.partner_id).limit(LEVER_LIMIT))
    return closes, _measured_select(worst), select(MetricDefinition.key, MetricDefinition.name)


def _at_risk_with_levers(book: Book) -> tuple[dict, dict]:
    """partner id -> its last two closes (oldest first) for the partners of the book whose latest
    close left them at risk, and the levers of the LEVER_LIMIT lowest of them (from `_book_reads`)."""
    rows, measured, catalogue = _book_reads(book)[5:]
    at_risk: dict = defaultdict(list)
    for c in rows:
        at_risk[c.partner_id].append(c)
    lowest = [at_risk[pid][-1] for pid in _worst_first(at_risk)[:LEVER_LIMIT]]
    return dict(at_risk), _levers_from(lowest, measured, catalogue)


def _levers(closes: list) -> dict:
    """partner id -> the metric whose shortfall cost the closed quarter most health (health.scoring's
    biggest_lever), named as the catalogue names it; one statement for every partner at once."""
    # The catalogue's metric names as a second branch of the same statement (app.core.together).
    measured, catalogue = read_together(_measured_select([c.agreement_id for c in closes]),
                                        select(MetricDefinition.key, MetricDefinition.name))
    return _levers_from(closes, measured, catalogue)


def _score(close) -> Decimal | None:
    return Decimal(str(close.health_score)) if close is not None else None


def _why_not_placed(partner_ids: list) -> list[str]:
    """Why each partner has no tier yet, from its latest agreement (one statement; none when all are placed)."""
    if not partner_ids:
        return []
    latest: dict = {}
    for pid, period, status, side in db.session.execute(
            select(Agreement.partner_id, Agreement.period, Agreement.status, Agreement.proposed_by)
            .where(Agreement.partner_id.in_(partner_ids), Agreement.status != "superseded")
            .order_by(Agreement.period, Agreement.proposed_at)):
        latest[pid] = (period, status, side)
    reasons = []
    for pid in partner_ids:
        if pid not in latest:
            reasons.append("no agreement proposed yet")
            continue
        period, status, side = latest[pid]
        if status == "proposed":
            answerer = "partner" if side == "vendor" else "vendor"
            reasons.append(f"its {period} proposal waits for the {answerer}'s answer")
        else:
            reasons.append(f"{period} is accepted; it is placed when that quarter closes")
    return reasons


def _latest_two(book: Book):
    """Each partner's last two closes (recent 1 = the latest) with its name, as a CTE: the branches of
    `_book_reads`' one statement share it (SQLite and PostgreSQL both materialise a CTE used more
    than once). The latest quarter per partner is a grouped MAX and the one before a correlated
    MAX, both from the (tenant, partner, period) key; a row_number window over every close of the
    book was about three times slower at 2,000 partners on SQLite."""
    latest = (select(QuarterClose.partner_id, func.max(QuarterClose.period).label("period"))
              .group_by(QuarterClose.partner_id).subquery("latest"))
    before = aliased(QuarterClose)
    previous = (select(func.max(before.period))
                .where(before.partner_id == latest.c.partner_id, before.period < latest.c.period)
                .correlate(latest).scalar_subquery())
    return in_book(
        select(QuarterClose.partner_id, Partner.name.label("partner_name"), QuarterClose.period,
               QuarterClose.health_score, QuarterClose.status, QuarterClose.agreement_id,
               func.coalesce(QuarterClose.override_tier, QuarterClose.assigned_tier).label("effective_tier"),
               func.coalesce(QuarterClose.override_margin_pct, QuarterClose.margin_pct).label("effective_margin"),
               case((QuarterClose.period == latest.c.period, 1), else_=2).label("recent"))
        .select_from(latest)
        .join(QuarterClose, (QuarterClose.partner_id == latest.c.partner_id)
              & (QuarterClose.period >= func.coalesce(previous, latest.c.period)))
        .join(Partner, Partner.id == QuarterClose.partner_id), book).cte("latest_two")


def _book_reads(book: Book) -> list[list]:
    """The cockpit's reads of a whole book's last two closes, in one statement, once per request:
    book_view's aggregates (`_book_selects`) and at_risk_partners' closes and levers
    (`_at_risk_selects`), so the closes' window runs once for both (it was two statements and
    two windows, and before that every partner's closes were read into Python)."""
    def read() -> list[list]:
        c = _latest_two(book)
        return read_together(*_book_selects(book, c), *_at_risk_selects(c))
    return per_request(("tiers.book_reads", book), read)


def _book_selects(book: Book, c) -> tuple:
    """The "my book" aggregates as selects (colour counts, tier mix, movers, scatter sample, not
    placed) over `c`, the last two closes (`_latest_two`)."""
    # Colour of each latest close; grouped outside, so PostgreSQL groups by a column, not by an
    # expression whose literals are bound parameters.
    coloured = (select(case((c.c.health_score >= 75, "green"), (c.c.health_score >= 50, "yellow"),
                            else_="red").label("colour"))
                .where(c.c.recent == 1).subquery())
    colours = select(coloured.c.colour, func.count().label("n")).group_by(coloured.c.colour)
    # The tier mix of the book's last two closed quarters (every close of those quarters is among
    # its partner's last two: nothing of the book was closed in between).
    this_q = select(func.max(c.c.period)).scalar_subquery()
    last_q = select(func.max(c.c.period)).where(c.c.period < this_q).scalar_subquery()
    mix = (select(c.c.period.label("period"), c.c.effective_tier.label("tier"), func.count().label("n"),
                  func.sum(c.c.effective_margin).label("margin"))
           .where(or_(c.c.period == this_q, c.c.period == last_q))
           .group_by(c.c.period, c.c.effective_tier))
    # Movers: latest against the close before, biggest change first (rounded as scores are, so
    # SQLite's floating point does not reorder equal changes), then by name.
    pair = (select(c.c.partner_id, c.c.partner_name,
                   func.max(case((c.c.recent == 1, c.c.health_score))).label("score"),
                   func.max(case((c.c.recent == 2, c.c.health_score))).label("before_score"),
                   func.max(case((c.c.recent == 1, c.c.period))).label("after"),
                   func.max(case((c.c.recent == 2, c.c.period))).label("before"))
            .group_by(c.c.partner_id, c.c.partner_name).having(func.count() == 2).subquery())
    movers = (select(pair.c.partner_id, pair.c.partner_name, pair.c.score, pair.c.before_score,
                     pair.c.after, pair.c.before)
              .order_by(func.round(func.abs(pair.c.score - pair.c.before_score), 1).desc(),
                        pair.c.partner_name, pair.c.partner_id).limit(MOVERS_SHOWN))
    # Fit against health: partners with a current vendor fit and a close, every k-th by name so
    # that at most SCATTER_LIMIT are drawn (all of them in a smaller book).
    fitted = (select(c.c.partner_name.label("name"), IppAssessment.fit_score.label("fit"),
                     c.c.health_score.label("score"),
                     func.row_number(type_=Integer()).over(order_by=(c.c.partner_name, c.c.partner_id)).label("rn"),
                     func.count(type_=Integer()).over().label("n"))
              .join(IppAssessment, (IppAssessment.partner_id == c.c.partner_id)
                    & IppAssessment.is_current.is_(True) & (IppAssessment.kind == "vendor"))
              .where(c.c.recent == 1).subquery())
    step = (fitted.c.n + (SCATTER_LIMIT - 1)) // SCATTER_LIMIT
    points = (select(fitted.c.name, fitted.c.fit, fitted.c.score, fitted.c.n.label("of"))
              .where((fitted.c.rn - 1) % step == 0).order_by(fitted.c.rn))
    # Not placed: no close and no tier set by hand; the first NOT_PLACED_SHOWN by name, and how many.
    not_placed = in_book(
        select(Partner.id.label("partner_id"), Partner.name.label("name"),
               func.count(type_=Integer()).over().label("of"))
        .where(or_(Partner.tier.is_(None), Partner.tier == ""),
               ~select(QuarterClose.id).where(QuarterClose.partner_id == Partner.id).exists())
        .order_by(Partner.name, Partner.id).limit(NOT_PLACED_SHOWN), book)
    return colours, mix, movers, points, not_placed


def book_view(book: Book) -> dict:
    """Everything the "my book" sections show, from one statement (and a second naming why the
    partners not placed yet are not): aggregates in SQL, not every partner and close in Python."""
    colour_rows, mix_found, mover_rows, point_rows, unplaced = _book_reads(book)[:5]
    total = sum(partners_by_status(book).values())  # the cockpit's header counted them already
    tiers = load_tiers()
    colours: dict = {k: 0 for k in ("green", "yellow", "red", None)}
    for colour, n in colour_rows:
        colours[colour] = n
    colours[None] = total - sum(n for k, n in colours.items() if k is not None)
    periods = sorted({r.period for r in mix_found}, reverse=True)
    this_q = periods[0] if periods else None
    last_q = periods[1] if len(periods) >= 2 else None
    mix = {q: {r.tier: (r.n, Decimal(str(r.margin))) for r in mix_found if r.period == q} for q in (this_q, last_q) if q}
    tier_names = [t.name for t in reversed(tiers)]
    extra = sorted({t for q in mix.values() for t in q} - set(tier_names))
    mix_rows = []
    for t in tier_names + extra:
        cells = []
        for q in (this_q, last_q):
            n, total_margin = mix[q][t] if q and t in mix[q] else (0, Decimal(0))
            cells.append({"n": n, "margin": (total_margin / n).quantize(Decimal("0.01")) if n else None})
        mix_rows.append({"tier": t, "this": cells[0], "last": cells[1]})
    movers = []
    for r in mover_rows:
        score = Decimal(str(r.score))
        movers.append((score - Decimal(str(r.before_score)), r.partner_name, r.partner_id, r.before, r.after, score))
    points = [(r.name, Decimal(str(r.fit)), Decimal(str(r.score))) for r in point_rows]
    fitted = point_rows[0].of if point_rows else 0
    scatter_title = "Fit score against health score per partner"
    if fitted > len(points):
        scatter_title += (f" (a sample: {len(points)} of the {fitted} partners with both, "
                          f"one in every {(fitted + SCATTER_LIMIT - 1) // SCATTER_LIMIT} by name)")
    placed_out = unplaced[0].of if unplaced else 0
    not_placed = [(r.partner_id, r.name, why)
                  for r, why in zip(unplaced, _why_not_placed([r.partner_id for r in unplaced]))]
    distribution = [(COLOUR_LABELS[k], n, k or "#90a4ae") for k, n in colours.items()]
    return {
        "total": total, "colours": colours, "colour_labels": COLOUR_LABELS,
        "distribution_chart": bar_chart(distribution, "Partners by health colour at their latest close",
                                        "chart-distribution"),
        "this_q": this_q, "last_q": last_q, "mix_rows": mix_rows,
        "mix_chart": bar_chart([(r["tier"], r["this"]["n"], "#546e7a") for r in mix_rows],
                               f"Partners per tier after the {this_q} close" if this_q else "Partners per tier",
                               "chart-tiers") if this_q else None,
        "scatter": scatter_chart(points, scatter_title, "chart-fit-health"),
        "points": points, "fitted": fitted, "movers": movers, "not_placed": not_placed,
        "not_placed_total": placed_out,
    }


def programme_view(book: Book) -> dict:
    """Programme level: margin by tier and quarter, and agreement coverage this quarter (two statements)."""
    current = str(period_for(utcnow().date()))
    # Only the book's last four closed quarters are shown: the fourth latest quarter closed in the
    # book bounds the read, not every close. For the whole programme it comes from the (tenant,
    # period) index alone (every close has its partner); a narrower book joins its partners.
    quarters = select(QuarterClose.period)
    if book != Book():
        quarters = in_book(quarters.join(Partner, Partner.id == QuarterClose.partner_id), book)
    fourth = quarters.distinct().order_by(QuarterClose.period.desc()).limit(1).offset(3).scalar_subquery()
    by_tier = db.session.execute(in_book(
        select(QuarterClose.period, func.coalesce(QuarterClose.override_tier, QuarterClose.assigned_tier),
               func.count(), func.avg(func.coalesce(QuarterClose.override_margin_pct, QuarterClose.margin_pct)))
        .join(Partner, Partner.id == QuarterClose.partner_id)
        .where(QuarterClose.period >= func.coalesce(fourth, ""))
        .group_by(QuarterClose.period, func.coalesce(QuarterClose.override_tier, QuarterClose.assigned_tier))
        .order_by(QuarterClose.period), book)).all()
    periods = sorted({p for p, *_ in by_tier})[-4:]
    table: dict = defaultdict(dict)
    for period, tier, n, avg in by_tier:
        if period in periods:
            table[tier][period] = (n, Decimal(str(avg)).quantize(Decimal("0.01")))
    order = [t.name for t in reversed(load_tiers())]
    tiers = [t for t in order if t in table] + sorted(set(table) - set(order))
    total = sum(partners_by_status(book).values())  # the cockpit's header counted them already
    covered = db.session.scalar(in_book(
        select(func.count(func.distinct(Agreement.partner_id))).join(Partner, Partner.id == Agreement.partner_id)
        .where(Agreement.period == current, Agreement.status == "accepted"), book)) or 0
    return {"periods": periods, "tiers": tiers, "table": table, "current": current, "covered": covered,
            "total": total, "share": round(100 * covered / total) if total else None}


def book_panel(actor, book: Book) -> str | None:
    if not actor.is_vendor:
        return None
    return render_template("tiers/_cockpit_book.html", view=book_view(book))


def programme_panel(actor, book: Book) -> str | None:
    """Vendor admins and viewers looking at the whole programme (no manager filter)."""
    if (not actor.is_vendor or actor.role == roles.CHANNEL_MANAGER or book.manager_id is not None
            or book.regions is not None):
        return None
    return render_template("tiers/_cockpit_programme.html", view=programme_view(book))
