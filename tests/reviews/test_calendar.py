"""The review calendar is paged: its per-state counts cover every partnership, its rows one page, in SQL."""
from __future__ import annotations

import re
import uuid
from datetime import date

from app.core.db import utcnow
from app.extensions import db
from app.partners.models import Partner
from app.reviews import rules
from app.reviews.calendar import CALENDAR_PAGE, calendar
from app.reviews.models import Review
from app.health.periods import parse_period
from app.tenancy import tenant_scope
from tests.conftest import login

ROW = re.compile(r"<tr><td>(Cal Partner \d+)</td>")


def _world(make, partners: int, period: str):
    """`partners` partners; partner i has no review (i % 4 == 0), an open one (1), one signed by the vendor
    (2) or by both (3); every third is the manager's. Returns tenant, manager membership, {name: flags}."""
    tenant = make.tenant()
    manager = make.member(tenant, "channel_manager")
    flags = {}
    for i in range(partners):
        partner = make.partner(tenant, f"Cal Partner {i:03d}")
        kind = i % 4
        with tenant_scope(tenant.id):
            row = db.session.get(Partner, (tenant.id, partner.id))
            if i % 3 == 0:
                row.channel_manager_id = manager.id
            if kind:
                now = utcnow()
                db.session.add(Review(id=uuid.uuid4(), partner_id=partner.id, period=period, settlements={},
                                      vendor_signed_at=now if kind >= 2 else None, vendor_signed_by="V" if kind >= 2 else "",
                                      partner_signed_at=now if kind == 3 else None,
                                      partner_signed_by="P" if kind == 3 else ""))
            db.session.commit()
        flags[f"Cal Partner {i:03d}"] = (kind > 0, kind >= 2, kind == 3, i % 3 == 0)
    return tenant, manager, flags


def _expected(flags, period: str, today: date, mine=False):
    end = parse_period(period).end_date()
    return {name: rules.quarter_state(o, v, p, end, today) for name, (o, v, p, m) in flags.items() if m or not mine}


def test_counts_cover_everyone_and_pages_hold_the_rest_in_name_order(app, make):
    period = "2026-Q4"
    tenant, manager, flags = _world(make, CALENDAR_PAGE + 12, period)
    for today in (date(2026, 12, 1), date(2027, 3, 1)):  # inside the quarter; long after it (overdue)
        expected = _expected(flags, period, today)
        with app.test_request_context(), tenant_scope(tenant.id):
            first, counts = calendar(parse_period(period), today=today)
            second, again = calendar(parse_period(period), today=today, page=2)
            assert counts == again == {s: sum(1 for x in expected.values() if x == s) for s in rules.STATE_LABELS}
            assert len(first) == CALENDAR_PAGE and len(second) == 12
            assert [r.partner for r in first + second] == sorted(expected)
            assert {r.partner: r.state for r in first + second} == expected
            for state in rules.STATE_LABELS:  # the state filter is the Python rule, read into SQL
                rows, _ = calendar(parse_period(period), today=today, state=state, size=1000)
                assert [r.partner for r in rows] == sorted(n for n, s in expected.items() if s == state)
            mine, mine_counts = calendar(parse_period(period), manager.id, today=today, size=1000)
            assert {r.partner: r.state for r in mine} == _expected(flags, period, today, mine=True)
            assert sum(mine_counts.values()) == len(mine) < len(expected)
    assert "overdue" in set(_expected(flags, period, date(2027, 3, 1)).values())


def test_the_page_shows_one_page_a_pager_and_filters_by_state(app, client, make):
    period = "2026-Q4"
    tenant, _, flags = _world(make, CALENDAR_PAGE + 5, period)
    login(client, f"admin@{tenant.slug}.example")
    html = client.get(f"/reviews/?period={period}").get_data(as_text=True)
    assert len(ROW.findall(html)) == CALENDAR_PAGE and "Page 1 of 2" in html
    assert f"{CALENDAR_PAGE + 5} partnerships" in html
    rest = client.get(f"/reviews/?period={period}&page=2").get_data(as_text=True)
    assert ROW.findall(html) + ROW.findall(rest) == sorted(flags)
    signed = client.get(f"/reviews/?period={period}&state=signed").get_data(as_text=True)
    assert ROW.findall(signed) == sorted(n for n, (_, _, p, _) in flags.items() if p)
    # An unknown state is ignored (every state), not an error.
    assert len(ROW.findall(client.get(f"/reviews/?period={period}&state=nope").get_data(as_text=True))) == CALENDAR_PAGE
