"""`flask bench-data` (the benchmark's tenant) and the SQL statements each main page sends."""
from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import VENDOR_OWNER, Account
from app.admin import benchdata
from app.audit.services import verify_chain
from app.auth.models import Membership, User
from app.auth.services import create_api_token
from app.core.sqlcount import count_statements
from app.extensions import db
from app.health.models import Agreement, Measurement
from app.ipp.models import IppAssessment
from app.opportunities.models import DealRegistration, Opportunity
from app.partners.models import Partner
from app.reviews.models import ActionItem, Review
from app.reviews.services import verify_snapshots
from app.sharing.policies import overlap_counts_by_partner
from app.tenancy import tenant_scope
from app.tenants.models import Tenant
from app.tiers.models import QuarterClose
from tests.conftest import login

MAX_STATEMENTS = 15
# Pages over the target, each held at its measured count so it cannot grow unnoticed. None today:
# the composed pages (partner page, partner home: one panel per feature) reached 15 with issue 15's
# second slice (app.core.together: a panel's reads as one UNION ALL statement; read-once caches).
OVER_TARGET: dict[str, int] = {}


def _generate(runner, partners: int, accounts: int, seed: int = 7):
    result = runner.invoke(args=["bench-data", "--partners", str(partners), "--accounts", str(accounts),
                                 "--seed", str(seed)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    slug = f"bench-{partners}-{accounts}-{seed}"
    assert f"Tenant {slug}:" in result.output
    assert f"admin@{slug}.example / {benchdata.PASSWORD}" in result.output
    assert f"partner-admin@{slug}.example / {benchdata.PASSWORD}" in result.output
    return db.session.scalar(select(Tenant).where(Tenant.slug == slug))


def tenant_largest(tenant):
    """The generated tenant's largest partner (the pages' subject)."""
    return _made(tenant).partner_ids[0]


def _made(tenant) -> benchdata.BenchTenant:
    """The generated tenant's facts, read back from the database."""
    with tenant_scope(tenant.id):
        rows = db.session.execute(
            select(Partner.id, func.count(Account.id)).outerjoin(Account, Account.owner_partner_id == Partner.id)
            .group_by(Partner.id, Partner.name).order_by(func.count(Account.id).desc(), Partner.name)).all()
        periods = list(db.session.scalars(select(Agreement.period).distinct().order_by(Agreement.period)))
        review_ids = list(db.session.scalars(select(Review.id).where(Review.partner_id == rows[0][0])
                                             .order_by(Review.period.desc())))
    return benchdata.BenchTenant(
        slug=tenant.slug, tenant_id=tenant.id, admin_email=f"admin@{tenant.slug}.example",
        partner_admin_email=f"partner-admin@{tenant.slug}.example", manager_emails=[],
        partner_ids=[pid for pid, _ in rows], sizes=[n for _, n in rows], vendor_accounts=0,
        partner_accounts=sum(n for _, n in rows), overlapping=0, periods=periods, review_ids=review_ids)


def _clients(app, made):
    clients = {}
    for side, email in (("vendor", made.admin_email), ("partner", made.partner_admin_email)):
        client = app.test_client()
        login(client, email, password=benchdata.PASSWORD)
        with tenant_scope(made.tenant_id):
            membership = db.session.scalar(select(Membership).join(User, User.id == Membership.user_id)
                                           .where(User.email == email))
            token = create_api_token(membership, "statement test")
            db.session.commit()
        clients[side] = (client, {"Authorization": f"Bearer {token}"})
    return clients


def _get(clients, page):
    client, headers = clients[page.side]
    return client.get(page.path, headers=headers if page.api else {})


def test_generated_tenant_is_consistent_and_its_pages_render(app, runner):
    tenant = _generate(runner, 20, 500)
    sizes = benchdata.partner_sizes(20, 250)
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 5 * sizes[-1]  # power law
    with tenant_scope(tenant.id):
        assert db.session.scalar(select(func.count()).select_from(Partner)) == 20
        assert db.session.scalar(select(func.count()).select_from(Account)
                                 .where(Account.owner_key == VENDOR_OWNER)) == 500
        assert db.session.scalar(select(func.count()).select_from(Account)
                                 .where(Account.owner_partner_id.is_not(None))) == sum(sizes)
        overlaps = overlap_counts_by_partner()
        assert sum(overlaps.values()) > 0 and len(overlaps) >= 5
        # Partners share customers with each other too (channel conflicts exist).
        shared = db.session.execute(select(Account.domain).where(Account.owner_partner_id.is_not(None))
                                    .group_by(Account.domain).having(func.count() > 1)).all()
        assert shared
        # One current vendor assessment per partner, at most one current per partner and kind.
        current = db.session.execute(
            select(IppAssessment.partner_id, IppAssessment.kind, func.count())
            .where(IppAssessment.is_current.is_(True))
            .group_by(IppAssessment.partner_id, IppAssessment.kind)).all()
        assert {n for _, _, n in current} == {1}
        assert len({pid for pid, kind, _ in current if kind == "vendor"}) == 20
        # Fit scores are the pure scoring's for the stored answers.
        from app.ipp import scoring
        from app.ipp.models import IppProfile
        from app.ipp.services import criteria_of
        for a in db.session.scalars(select(IppAssessment).limit(10)):
            criteria = criteria_of(db.session.get(IppProfile, (tenant.id, a.profile_id)))
            assert scoring.fit_score(criteria, scoring.validate_answers(criteria, a.answers)[0]).fit_score == a.fit_score
        assert db.session.scalar(select(func.count()).select_from(Agreement)
                                 .where(Agreement.status == "accepted")) == 20 * benchdata.QUARTERS
        sides = dict(db.session.execute(select(Measurement.side, func.count()).group_by(Measurement.side)).all())
        assert sides["partner"] > 0 and sides["vendor"] > sides["partner"]
        assert db.session.scalar(select(func.count()).select_from(QuarterClose)) == 20 * benchdata.CLOSED_QUARTERS
        assert db.session.scalar(select(func.count()).select_from(Partner)
                                 .where(Partner.channel_manager_id.is_not(None))) > 0
        assert db.session.scalar(select(func.count()).select_from(Partner).where(Partner.tier.is_(None))) == 0
        # Reviews: the last quarter's open for most partners (some waiting for the partner's signature),
        # with action items; the largest partner's two before that frozen with a snapshot that verifies.
        latest = db.session.scalar(select(func.max(Agreement.period)))
        live = db.session.execute(select(Review.vendor_signed_at.is_not(None), func.count())
                                  .where(Review.period == latest).group_by(Review.vendor_signed_at.is_not(None))).all()
        assert 5 <= sum(n for _, n in live) <= 20 and sum(n for _, n in live) >= 20 * benchdata.REVIEWED_SHARE - 8
        assert db.session.scalar(select(func.count()).select_from(Review).where(Review.snapshot_hash.is_not(None))) == 2
        assert verify_snapshots() == (2, None)
        per_review = db.session.execute(select(ActionItem.review_id, func.count()).group_by(ActionItem.review_id)).all()
        assert len(per_review) == sum(n for _, n in live) and {n for _, n in per_review} <= {2, 3, 4}
        # Opportunities on the partners' own accounts; registrations of open ones, checked, pending or approved.
        opps = db.session.execute(select(Opportunity.partner_id, Opportunity.stage_outcome, Account.owner_partner_id)
                                  .join(Account, Account.id == Opportunity.account_id)).all()
        assert opps and all(pid == owner for pid, _, owner in opps)
        assert {o for _, o, _ in opps} >= {"open"}
        regs = db.session.execute(select(DealRegistration.status, DealRegistration.check_outcome, Opportunity.stage_outcome)
                                  .join(Opportunity, Opportunity.id == DealRegistration.opportunity_id)).all()
        assert regs and all(o == "open" and s in ("pending", "approved") and c in ("clear", "conflict")
                            for s, c, o in regs)
        assert db.session.scalar(select(func.count()).select_from(DealRegistration)
                                 .where(DealRegistration.partner_id == tenant_largest(tenant))) >= 1
    report = verify_chain(tenant.id)
    assert report.ok and report.events > 20 * benchdata.CLOSED_QUARTERS
    made = _made(tenant)
    clients = _clients(app, made)
    for page in benchdata.main_pages(made):
        response = _get(clients, page)
        assert response.status_code == 200, (page.name, response.status_code)


def test_the_same_seed_gives_the_same_data(app):
    first = benchdata.generate(5, 50, 3, slug="bench-same-a")
    second = benchdata.generate(5, 50, 3, slug="bench-same-b")
    db.session.commit()
    assert first.partner_ids == second.partner_ids and first.sizes == second.sizes
    names = []
    for made in (first, second):
        with tenant_scope(made.tenant_id):
            names.append(sorted(db.session.execute(select(Account.owner_key, Account.domain)).all()))
    assert names[0] == names[1] and len(names[0]) == 50 + sum(first.sizes)


def _fresh_sessions() -> None:
    from sqlalchemy import update

    from app.auth.models import LoginSession
    from app.core.db import utcnow

    db.session.execute(update(LoginSession).values(last_seen_at=utcnow()))
    db.session.commit()


def test_statements_per_page_do_not_grow_with_the_tenant(app, runner):
    counts = {}
    for partners, accounts in ((10, 300), (80, 4_000)):
        made = _made(_generate(runner, partners, accounts))
        clients = _clients(app, made)
        for page in benchdata.main_pages(made):
            _get(clients, page)
            _fresh_sessions()  # no sign-in session is due its once-a-minute touch during the count
            with count_statements(db.engine) as counted:
                response = _get(clients, page)
            assert response.status_code == 200, (page.name, response.status_code)
            # The limit is on the page's own reads: on PostgreSQL app.tenancy adds its set_config
            # statements (the tenant for row-level security), the same number at every size.
            counts.setdefault(page.name, []).append(counted.count - counted.rls_settings)
    for name, (small, large) in counts.items():
        assert small == large, f"{name}: {small} statements at 10 partners, {large} at 80"
        assert large <= OVER_TARGET.get(name, MAX_STATEMENTS), f"{name}: {large} statements"
    for name, budget in OVER_TARGET.items():
        assert counts[name][0] == budget, f"{name} now sends {counts[name][0]}: lower OVER_TARGET"


def test_statement_counter_counts_each_execution_once(app):
    from sqlalchemy import text

    with count_statements(db.engine) as counted:
        db.session.execute(text("SELECT 1"))
        db.session.execute(text("SELECT 2"))
    db.session.rollback()
    # On PostgreSQL the transaction's first statement is app.tenancy's set_config (counted too).
    assert counted.count - counted.rls_settings == 2 and counted.statements[-1] == "SELECT 2"
    with count_statements(db.engine) as outside:
        pass
    db.session.execute(text("SELECT 3"))
    assert outside.count == 0
