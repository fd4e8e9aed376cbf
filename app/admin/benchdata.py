"""`flask --app wsgi bench-data`: a new tenant filled with a realistic, seeded volume of data.

N partners sized by a power law (partner i holds accounts in proportion to 1/(i+1)), M vendor
accounts, partner accounts of which about 40 % are also vendor accounts (so overlaps, shared
domains between partners and channel conflicts exist), a vendor IPP assessment per partner scored by
the pure `app.ipp.scoring` (a fifth with an older, superseded one; a tenth with a self-assessment),
an accepted agreement and the seven default measurements for each of eight quarters (about 15 %
recorded by the partner side), the first seven quarters closed by the real
`app.tiers.services.close_quarter` (the pure tier rules, audit events on the chain), channel
managers assigned, the last quarter's joint reviews with action items (the largest partner's
earlier two frozen by the real `freeze`), and opportunities with deal registrations checked by the
real ownership check. Rows go in with Core executemany statements that name `tenant_id` themselves.
The same seed gives the same data (ids included).
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import insert, select, text

from app.accounts.domains import segment_for
from app.accounts.models import VENDOR_OWNER, Account
from app.audit.services import record
from app.auth import roles
from app.auth.models import Membership, User
from app.core.db import utcnow
from app.core.serialize import jsonable
from app.extensions import db
from app.health.models import Agreement, Measurement
from app.health.periods import period_for
from app.health.services import default_terms
from app.ipp import scoring
from app.ipp.models import IppAssessment, IppProfile
from app.ipp.services import criteria_of
from app.opportunities import rules as opp_rules
from app.opportunities.models import DealRegistration, Opportunity
from app.opportunities.services import check_input
from app.partners.models import REGIONS, SEGMENTS, Partner
from app.reviews.models import ActionItem, Review
from app.reviews.services import freeze
from app.tenancy import tenant_scope, unscoped
from app.tenants.services import add_member, create_tenant
from app.tiers.services import close_quarter

QUARTERS = 8
CLOSED_QUARTERS = 7  # the latest quarter stays open, for the dashboard's close button
PASSWORD = "bench-password-1"  # nosec B105 - the generated benchmark tenant's printed login, not a secret
OVERLAP_SHARE = 0.4  # of a partner's accounts, the share that are also vendor accounts
PARTNER_ACCOUNT_SHARE = 0.5  # partner accounts in all, as a share of the vendor's
PARTNER_SIDE_SHARE = 0.15  # measurements recorded by the partner
REVIEWED_SHARE = 0.7  # partners whose last quarter's review is open
PIPELINE_SHARE = 0.5  # partners with opportunities
REGISTERED_SHARE = 0.35  # of their open opportunities, those registered
BATCH = 20_000
INDUSTRIES = ("Software", "Manufacturing", "Retail", "Finance", "Health", "Logistics")
STAGES = ("prospect", "customer", "churned")
ACCOUNT_REGIONS = ("EMEA", "NA", "LATAM", "APAC")


@dataclass
class BenchTenant:
    slug: str
    tenant_id: uuid.UUID
    admin_email: str
    partner_admin_email: str
    manager_emails: list[str]
    partner_ids: list[uuid.UUID]
    sizes: list[int]  # partner accounts per partner, in partner order (largest first)
    vendor_accounts: int
    partner_accounts: int
    overlapping: int  # partner accounts whose domain is also a vendor account's
    periods: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    # The largest partner's reviews, newest first: the live one of the last quarter, then frozen ones.
    review_ids: list[uuid.UUID] = field(default_factory=list)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def partner_sizes(n: int, total: int) -> list[int]:
    """Power-law (Zipf, exponent 1) account counts for n partners summing to about total; each at least 1."""
    weights = [1.0 / (i + 1) for i in range(n)]
    scale = total / sum(weights)
    return [max(1, round(w * scale)) for w in weights]


def periods_ending_before(today: date, count: int = QUARTERS) -> list[str]:
    """The `count` quarters before today's, oldest first."""
    p = period_for(today).previous()
    out = []
    for _ in range(count):
        out.append(str(p))
        p = p.previous()
    return out[::-1]


def _answers(rng: random.Random) -> dict:
    return {"leadership_commitment": rng.random() < 0.8, "cs_roi_expectation": rng.randint(1, 5),
            "services_core": rng.random() < 0.6, "cs_practice_led": rng.random() < 0.4,
            "region": rng.choice(REGIONS), "segments": rng.choice(("smb", "mid_market", "enterprise", "all")),
            "certified_consultants": rng.randint(0, 14), "cs_headcount": rng.randint(0, 30)}


def _assessment_row(tenant_id, rng, partner_id, profile_id, criteria, kind, current, author_id, when) -> dict:
    cleaned, errors = scoring.validate_answers(criteria, _answers(rng))
    if errors:  # the generator's own answers must fit its profile
        raise ValueError(f"generated answers do not fit the profile: {errors}")
    result = scoring.fit_score(criteria, cleaned)
    return {"tenant_id": tenant_id, "id": _uuid(rng), "created_at": when, "partner_id": partner_id,
            "profile_id": profile_id, "kind": kind, "status": "final", "answers": jsonable(cleaned),
            "fit_score": result.fit_score, "band": result.band, "coverage": result.coverage,
            "touch_model": result.touch_model, "knockout_failed": list(result.knockout_failed),
            "scores": {k: (None if s is None else str(s)) for k, s in result.criteria},
            "is_current": current, "author_id": author_id, "updated_at": when, "finalised_at": when,
            "lock_version": 1}


def _write(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start:start + BATCH])


def _reviews(rng, tenant_id, now, periods, partner_ids, manager_ids, partner_admin_id) -> tuple[list, int]:
    """Quarterly reviews: the last quarter's open for REVIEWED_SHARE of partners (some signed by the
    vendor, waiting for the partner), two to four action items each (the largest partner's earlier,
    frozen ones come from freeze_earlier_reviews, after the commit). Returns the largest partner's
    live review id and the number of action items."""
    latest = periods[-1]
    due = period_for(now.date()).end_date()
    reviews, items, ours = [], [], []
    for i, pid in enumerate(partner_ids):
        if i and rng.random() >= REVIEWED_SHARE:
            continue
        manager = manager_ids[i % len(manager_ids)]
        signed = i > 0 and rng.random() < 0.3
        rid = _uuid(rng)
        reviews.append({"tenant_id": tenant_id, "id": rid, "created_at": now, "partner_id": pid, "period": latest,
                        "agenda": "Health, pipeline, enablement", "vendor_notes": "", "partner_notes": "",
                        "settlements": {}, "opened_by_id": manager, "opened_at": now,
                        "vendor_signed_by_id": manager if signed else None,
                        "vendor_signed_by": f"Manager {i % len(manager_ids) + 1}" if signed else "",
                        "vendor_signed_at": now if signed else None, "partner_signed_by_id": None,
                        "partner_signed_by": "", "partner_signed_at": None, "snapshot": None,
                        "snapshot_hash": None, "frozen_at": None, "version": 1})
        if i == 0:
            ours.append(rid)
        for k in range(rng.randint(2, 4)):
            partner_side = i == 0 and k % 2 == 1  # only the largest partner has partner staff here
            items.append({"tenant_id": tenant_id, "id": _uuid(rng), "created_at": now, "review_id": rid,
                          "title": f"Follow-up {k + 1}", "owner_side": "partner" if partner_side else "vendor",
                          "owner_id": partner_admin_id if partner_side else manager,
                          "due_date": due + timedelta(days=rng.randint(-20, 40)),
                          "status": "done" if rng.random() < 0.3 else "open", "metric_key": None,
                          "carried_from_id": None, "created_by_id": manager, "reminded_at": None, "version": 1})
    _write(Review, reviews)
    _write(ActionItem, items)
    return ours, len(items)


def freeze_earlier_reviews(made: BenchTenant) -> None:
    """The largest partner's two quarters before the last: signed by both sides and frozen through the
    real `freeze` (snapshot and hash), their ids added to `made.review_ids`.

    A step of its own, run once generate()'s rows are committed: freezing builds the review's view,
    whose overlap count joins the partner's accounts to the vendor's, and inside generate()'s one
    transaction PostgreSQL has no statistics for the new rows (its plan took minutes at 2,000
    partners). Here the accounts are analysed first where the connection may (the owner; the app
    role is refused with a warning, and the benchmark analyses as the owner before calling this)."""
    rng = random.Random(f"{made.slug}:reviews")  # nosec B311 - reproducible benchmark data
    with tenant_scope(made.tenant_id):
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE accounts"))
        ids = dict(db.session.execute(
            select(User.email, Membership.id).join(User, User.id == Membership.user_id)
            .where(User.email.in_([made.manager_emails[0], made.partner_admin_email]))).all())
        manager_id, partner_admin_id = ids[made.manager_emails[0]], ids[made.partner_admin_email]
        partner = db.session.get(Partner, (made.tenant_id, made.partner_ids[0]))
        now = utcnow()
        for period in (made.periods[-2], made.periods[-3]):
            review = Review(id=_uuid(rng), partner_id=partner.id, period=period, opened_by_id=manager_id,
                            settlements={}, vendor_signed_by_id=manager_id, vendor_signed_by="Manager 1",
                            vendor_signed_at=now, partner_signed_by_id=partner_admin_id,
                            partner_signed_by="Partner Admin", partner_signed_at=now)
            db.session.add(review)
            db.session.flush()
            freeze(review, partner)
            made.review_ids.append(review.id)


def _pipeline(rng, tenant_id, now, partner_ids, picked, partner_admin_id, admin_id) -> tuple[int, int]:
    """Opportunities on partner accounts (half the partners, one to three each, a fifth closed won or
    lost) and deal registrations of a third of the open ones, checked by the real ownership check
    (`check_input` + `rules.check_registration`): pending, or approved with a protection period. The
    largest partner always has some. Returns (opportunities, registrations)."""
    today = now.date()
    open_stages = [s["key"] for s in opp_rules.DEFAULT_STAGES if s["outcome"] == opp_rules.OPEN]
    opps, regs = [], []
    for i, pid in enumerate(partner_ids):
        if i and rng.random() >= PIPELINE_SHARE:
            continue
        for acc in picked.get(pid, [])[:rng.randint(1, 3) if i else 3]:
            closed = rng.random() < 0.2
            outcome = rng.choice((opp_rules.WON, opp_rules.LOST)) if closed else opp_rules.OPEN
            expected = today + timedelta(days=rng.randint(-30, 180))
            oid = _uuid(rng)
            opps.append({"tenant_id": tenant_id, "id": oid, "created_at": now, "account_id": acc["id"],
                         "partner_id": pid, "side": "partner", "created_by_id": partner_admin_id if i == 0 else None,
                         "kind": rng.choice(opp_rules.KINDS), "product": rng.choice(("Platform", "Analytics", "Onboarding")),
                         "amount": Decimal(rng.randint(1_000, 200_000)), "currency": rng.choice(("EUR", "USD")),
                         "expected_close": expected, "close_quarter": opp_rules.quarter_of(expected),
                         "stage": outcome if closed else rng.choice(open_stages), "stage_outcome": outcome,
                         "next_step": "", "version": 1})
            if closed or rng.random() >= REGISTERED_SHARE and not (i == 0 and not regs):
                continue
            check = opp_rules.check_registration(check_input(pid, SimpleNamespace(**acc), today))
            approved = check.outcome == "clear" and rng.random() < 0.5
            regs.append({"tenant_id": tenant_id, "id": _uuid(rng), "created_at": now, "opportunity_id": oid,
                         "partner_id": pid, "account_id": acc["id"], "domain": acc["domain"],
                         "status": opp_rules.APPROVED if approved else opp_rules.PENDING,
                         "check_outcome": check.outcome, "check": check.as_json(),
                         "submitted_by_id": partner_admin_id if i == 0 else None, "submitted_at": now,
                         "decision_due": opp_rules.add_business_days(today, opp_rules.DEFAULT_SLA_BUSINESS_DAYS),
                         "decided_by_id": admin_id if approved else None, "decided_at": now if approved else None,
                         "decision_note": "", "protected_until": today + timedelta(days=90) if approved else None,
                         "extended": False, "closed_at": None, "overdue_notified_at": None, "version": 1})
    _write(Opportunity, opps)
    _write(DealRegistration, regs)
    return len(opps), len(regs)


def generate(partners: int, accounts: int, seed: int, slug: str | None = None,
             today: date | None = None) -> BenchTenant:
    """Create and fill the tenant (flushes and executes only; the caller commits)."""
    if partners < 1 or accounts < 1:
        raise ValueError("partners and accounts must be at least 1")
    rng = random.Random(seed)  # nosec B311 - reproducible benchmark data, not security
    slug = slug or f"bench-{partners}-{accounts}-{seed}"
    admin_email = f"admin@{slug}.example"
    with unscoped("bench-data creates its tenant"):
        tenant = create_tenant(f"Bench {partners:,} partners", slug, admin_email, PASSWORD)
    tenant_id = tenant.id
    now = utcnow()
    periods = periods_ending_before(today or now.date())
    with tenant_scope(tenant_id):
        admin_id = db.session.scalar(select(Membership.id).where(Membership.role == roles.VENDOR_ADMIN))
        managers = max(1, min(20, partners // 100))
        manager_emails = [f"manager{i + 1}@{slug}.example" for i in range(managers)]
        manager_ids = [add_member(email, PASSWORD, roles.CHANNEL_MANAGER, None, name=f"Manager {i + 1}").id
                       for i, email in enumerate(manager_emails)]

        # Partners, largest first (partner 0 holds the most accounts).
        partner_ids = [_uuid(rng) for _ in range(partners)]
        rows = []
        for i, pid in enumerate(partner_ids):
            rows.append({"tenant_id": tenant_id, "id": pid, "created_at": now, "name": f"Bench Partner {i + 1:05d}",
                         "status": "active" if rng.random() < 0.9 else rng.choice(("prospect", "suspended")),
                         "tier": None,
                         # The largest partner (the partner admin's, the pages' subject) always has one.
                         "channel_manager_id": manager_ids[i % managers] if i == 0 or rng.random() < 0.85 else None,
                         "region": rng.choice(REGIONS), "segments": rng.sample(SEGMENTS, rng.randint(1, 2)),
                         "certifications": [], "services_revenue_share": Decimal(rng.randint(5, 60)),
                         "website": f"https://partner{i + 1}.example", "notes": "", "version": 1})
        _write(Partner, rows)

        # Accounts: the vendor's, then each partner's (a share of them on vendor domains).
        def account(owner_key, owner_pid, i, domain):
            employees = rng.randint(5, 20_000)
            return {"tenant_id": tenant_id, "id": _uuid(rng), "created_at": now, "owner_key": owner_key,
                    "owner_partner_id": owner_pid, "name": f"Company {i}", "domain": domain,
                    "employees": employees, "industry": rng.choice(INDUSTRIES),
                    "region": rng.choice(ACCOUNT_REGIONS), "arr": Decimal(rng.randint(1_000, 500_000)),
                    "renewal_date": date(2027, 1, 1) + timedelta(days=rng.randint(0, 364)),
                    "stage": rng.choice(STAGES), "segment": segment_for(employees), "version": 1}

        rows = [account(VENDOR_OWNER, None, i, f"company{i}.example") for i in range(accounts)]
        _write(Account, rows)
        sizes = partner_sizes(partners, max(partners, int(accounts * PARTNER_ACCOUNT_SHARE)))
        overlapping = 0
        own = 0
        rows = []
        picked: dict = {}  # a few of each partner's accounts, for its opportunities
        for pid, size in zip(partner_ids, sizes):
            shared = min(accounts, round(size * OVERLAP_SHARE)) if size > 1 else int(rng.random() < OVERLAP_SHARE)
            key = str(pid)
            first = len(rows)
            for i in rng.sample(range(accounts), shared):
                rows.append(account(key, pid, i, f"company{i}.example"))
            for _ in range(size - shared):
                rows.append(account(key, pid, accounts + own, f"company{accounts + own}.example"))
                own += 1
            picked[pid] = rows[first:first + 3]
            overlapping += shared
            if len(rows) >= BATCH:
                _write(Account, rows)
                rows = []
        _write(Account, rows)

        # IPP: a current vendor assessment each (a fifth with an older one), a tenth self-assessed.
        profile = db.session.scalar(select(IppProfile).order_by(IppProfile.number).limit(1))
        criteria = criteria_of(profile)
        earlier = now - timedelta(days=120)
        rows = []
        for i, pid in enumerate(partner_ids):
            author = manager_ids[i % managers]
            if rng.random() < 0.2:
                rows.append(_assessment_row(tenant_id, rng, pid, profile.id, criteria, "vendor", False, author, earlier))
            rows.append(_assessment_row(tenant_id, rng, pid, profile.id, criteria, "vendor", True, author, now))
            if rng.random() < 0.1:
                rows.append(_assessment_row(tenant_id, rng, pid, profile.id, criteria, "self", True, None, now))
        _write(IppAssessment, rows)

        # Eight quarters: an accepted agreement and seven measurements per partner and quarter.
        terms = default_terms()
        agreements, measurements = [], []
        for pid in partner_ids:
            quality = rng.uniform(-0.3, 1.2)  # a partner is consistently weak or strong
            for q, period in enumerate(periods):
                aid = _uuid(rng)
                agreements.append({"tenant_id": tenant_id, "id": aid, "created_at": now, "partner_id": pid,
                                   "period": period, "status": "accepted", "terms": terms,
                                   "proposed_by": "vendor", "proposed_by_id": admin_id, "proposed_at": now,
                                   "note": "", "accepted_by_id": None, "accepted_at": now, "version": 1})
                for t in terms:
                    lo, hi = Decimal(t["floor"]), Decimal(t["target"])
                    share = Decimal(str(round(quality + rng.uniform(-0.25, 0.25) + q * 0.02, 2)))
                    side = "partner" if rng.random() < PARTNER_SIDE_SHARE else "vendor"
                    measurements.append({"tenant_id": tenant_id, "id": _uuid(rng), "created_at": now,
                                         "partner_id": pid, "period": period, "metric_key": t["key"],
                                         "value": (lo + (hi - lo) * share).quantize(Decimal("0.01")),
                                         "source": "bench-data", "side": side, "author_id": None,
                                         "agreement_id": aid, "recorded_at": now})
            if len(measurements) >= BATCH:
                _write(Agreement, agreements)
                _write(Measurement, measurements)
                agreements, measurements = [], []
        _write(Agreement, agreements)
        _write(Measurement, measurements)

        # Quarter closes through the real run: pure rules, set-based writes, one audit event each.
        admin = db.session.get(Membership, (tenant_id, admin_id))
        for period in periods[:CLOSED_QUARTERS]:
            close_quarter(period, by=admin)

        partner_admin_email = f"partner-admin@{slug}.example"
        partner_admin = add_member(partner_admin_email, PASSWORD, roles.PARTNER_ADMIN, partner_ids[0],
                                   name="Partner Admin")
        review_ids, items = _reviews(rng, tenant_id, now, periods, partner_ids, manager_ids, partner_admin.id)
        opportunities, registrations = _pipeline(rng, tenant_id, now, partner_ids, picked, partner_admin.id, admin_id)
        counts = {"partners": partners, "vendor_accounts": accounts, "partner_accounts": sum(sizes),
                  "overlapping_accounts": overlapping, "quarters": len(periods),
                  "reviews": len(review_ids), "action_items": items, "opportunities": opportunities,
                  "registrations": registrations}
        record("bench.generate", object_type="tenant", object_id=tenant_id,
               after={"seed": seed, **counts}, summary=f"Benchmark data generated ({partners:,} partners)",
               actor=(None, "system:bench-data"))
    return BenchTenant(slug=slug, tenant_id=tenant_id, admin_email=admin_email,
                       partner_admin_email=partner_admin_email, manager_emails=manager_emails,
                       partner_ids=partner_ids, sizes=sizes, vendor_accounts=accounts,
                       partner_accounts=sum(sizes), overlapping=overlapping, periods=periods, counts=counts,
                       review_ids=review_ids)


# --- the pages measured by the statement-count test and `make bench` ---------------------------

@dataclass(frozen=True)
class Page:
    name: str
    side: str  # who opens it: "vendor" (the vendor admin) or "partner" (the largest partner's admin)
    path: str
    api: bool = False  # JSON API list, opened with a bearer token of the same person


def main_pages(made: BenchTenant) -> list[Page]:
    """Every main page and API list of issue 15 that exists, for the largest partner where one is needed."""
    pid = made.partner_ids[0]
    return [
        Page("vendor dashboard", "vendor", "/"),
        Page("partner directory", "vendor", "/partners/"),
        Page("partner page", "vendor", f"/partners/{pid}"),
        Page("fit ranking", "vendor", "/ipp/ranking"),
        Page("portfolio", "vendor", "/ipp/portfolio"),
        Page("health dashboard", "vendor", "/health/"),
        Page("partner health page", "vendor", f"/health/partners/{pid}"),
        Page("account list", "vendor", "/accounts/"),
        Page("overlaps", "vendor", f"/sharing/partners/{pid}/overlaps"),
        Page("mapping", "vendor", "/accounts/mapping"),
        Page("audit log", "vendor", "/audit/"),
        Page("review page", "vendor", f"/reviews/{made.review_ids[0]}"),
        Page("frozen review page", "vendor", f"/reviews/{made.review_ids[1]}"),
        Page("review calendar", "vendor", f"/reviews/?period={made.periods[-1]}"),
        Page("onboarding progress", "vendor", "/onboarding/"),
        Page("partner onboarding", "vendor", f"/onboarding/partners/{pid}"),
        Page("partner home", "partner", "/home"),
        Page("partner account list", "partner", "/accounts/"),
        Page("partner health (own)", "partner", f"/health/partners/{pid}"),
        Page("partner review page", "partner", f"/reviews/{made.review_ids[0]}"),
        Page("partner's reviews", "partner", f"/reviews/partners/{pid}"),
        Page("API partners", "vendor", "/api/v1/partners", api=True),
        Page("API accounts", "vendor", "/api/v1/accounts", api=True),
        Page("API overlaps", "vendor", f"/api/v1/partners/{pid}/overlaps", api=True),
        Page("API partner accounts", "partner", "/api/v1/accounts", api=True),
        Page("API onboarding progress", "vendor", "/api/v1/onboarding", api=True),
    ]
