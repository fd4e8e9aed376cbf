"""Property: the pipeline's SQL sums equal a brute-force sum over generated opportunities, for each
side's view (vendor-wide, one partnership, a partner) and the visibility rules it applies."""
from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from tests.support.accounts_world import build  # noqa: I001  (imports app.auth first)
from app.auth.context import Actor
from app.auth.models import Membership, User
from app.core.db import utcnow
from app.extensions import db
from app.opportunities import rules
from app.opportunities.models import DealRegistration, Opportunity
from app.opportunities.services import pipeline
from app.tenancy import tenant_scope
from app.tenants.models import Tenant

STAGES = {s["key"]: s["outcome"] for s in rules.DEFAULT_STAGES}
# (account, owner side, partnership) combinations an opportunity may have; "a"/"b" are the partners.
SHAPES = [
    ("v", "shared.example", "vendor", None),  # the vendor's direct opportunity
    ("v", "shared.example", "vendor", "a"),  # the vendor's, for A's partnership, on an account A sees
    ("v", "vendoronly.example", "vendor", "a"),  # ... on an account A does not see
    ("v", "bshared.example", "vendor", "b"),
    ("a", "aonly.example", "partner", "a"),
    ("a", "shared.example", "partner", "a"),
    ("b", "bonly.example", "partner", "b"),
]

opportunity = st.fixed_dictionaries({
    "shape": st.sampled_from(range(len(SHAPES))),
    "kind": st.sampled_from(rules.KINDS),
    "stage": st.sampled_from(sorted(STAGES)),
    "currency": st.sampled_from(["EUR", "USD", "JPY"]),
    "amount": st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2, allow_nan=False,
                          allow_infinity=False),
    "month": st.integers(min_value=1, max_value=24),
    "registered": st.booleans(),
})


@pytest.fixture(scope="module")
def _hypothesis_world():
    return {}


def _actor(world, role) -> Actor:
    m = db.session.get(Membership, (world.tenant_id, world.members[role].id))
    return Actor(user=db.session.get(User, m.user_id), tenant=db.session.get(Tenant, world.tenant_id), membership=m)


def _visible(viewer: str, shape, registered: bool) -> bool:
    """The policy, restated by hand for the default levels (vendor -> partner overlaps, partner ->
    vendor counts): a partner sees its own and the vendor's for its partnership on accounts it sees."""
    owner, domain, side, partnership = shape
    if viewer == "vendor":
        return side == "vendor" or registered
    if side == "partner":
        return partnership == viewer
    # Overlaps: the vendor accounts whose domain one of the partner's own accounts has.
    sees = {"a": {("v", "shared.example")}, "b": {("v", "shared.example"), ("v", "bshared.example")}}
    return partnership == viewer and (owner, domain) in sees[viewer]


def _brute(rows, viewer, partnership):
    sums = {"stage": defaultdict(Decimal), "quarter": defaultdict(Decimal), "kind": defaultdict(Decimal),
            "won": defaultdict(Decimal)}
    counts = defaultdict(int)
    for row in rows:
        shape = SHAPES[row["shape"]]
        if not _visible(viewer, shape, row["registered"] and shape[2] == "partner"):
            continue
        if partnership is not None and shape[3] != partnership:
            continue
        close = date(2027 + (row["month"] - 1) // 12, (row["month"] - 1) % 12 + 1, 15)
        outcome = STAGES[row["stage"]]
        if outcome == "open":
            for dim, key in (("stage", row["stage"]), ("quarter", rules.quarter_of(close)), ("kind", row["kind"])):
                sums[dim][(key, row["currency"])] += row["amount"]
                counts[(dim, key, row["currency"])] += 1
        elif outcome == "won":
            sums["won"][row["currency"]] += row["amount"]
    return sums, counts


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(opportunity, max_size=25))
def test_pipeline_sums_equal_a_brute_force_sum(app, make, _hypothesis_world, rows):
    if "world" not in _hypothesis_world:
        _hypothesis_world["world"] = build(make)
    world = _hypothesis_world["world"]
    partner_ids = {"a": world.a_id, "b": world.b_id, None: None}
    with tenant_scope(world.tenant_id):
        db.session.execute(delete(DealRegistration))
        db.session.execute(delete(Opportunity))
        for row in rows:
            owner, domain, side, partnership = SHAPES[row["shape"]]
            close = date(2027 + (row["month"] - 1) // 12, (row["month"] - 1) % 12 + 1, 15)
            opp = Opportunity(id=uuid.uuid4(), account_id=uuid.UUID(world.ids[(owner, domain)]),
                              partner_id=partner_ids[partnership], side=side, kind=row["kind"], product="p",
                              amount=row["amount"], currency=row["currency"], expected_close=close,
                              close_quarter=rules.quarter_of(close), stage=row["stage"],
                              stage_outcome=STAGES[row["stage"]])
            db.session.add(opp)
            db.session.flush()
            if row["registered"] and side == "partner":
                db.session.add(DealRegistration(
                    id=uuid.uuid4(), opportunity_id=opp.id, partner_id=opp.partner_id, account_id=opp.account_id,
                    domain=domain, status="pending", check_outcome="clear", check={},
                    submitted_at=utcnow(),
                    decision_due=date(2027, 1, 1)))
            db.session.flush()
        views = [("vendor_admin", "vendor", None), ("vendor_admin", "vendor", "a"), ("vendor_viewer", "vendor", "b"),
                 ("partner_user", "a", "a"), ("b_user", "b", "b")]
        for role, viewer, partnership in views:
            got = pipeline(_actor(world, role), partner_ids[partnership] if partnership else None)
            sums, counts = _brute(rows, viewer, partnership)
            for dim, key_name in (("stage", "stage"), ("quarter", "quarter"), ("kind", "kind")):
                want = {(k, c): (counts[(dim, k, c)], total) for (k, c), total in sums[dim].items()}
                have = {(r[key_name], r["currency"]): (r["count"], r["amount"]) for r in got[f"by_{key_name}"]}
                assert have == want, (role, partnership, dim)
            assert {r["currency"]: r["amount"] for r in got["won"]} == dict(sums["won"]), (role, partnership)
            open_total = defaultdict(Decimal)
            for (_, c), total in sums["stage"].items():
                open_total[c] += total
            assert {r["currency"]: r["amount"] for r in got["open"]} == dict(open_total)
        db.session.rollback()
