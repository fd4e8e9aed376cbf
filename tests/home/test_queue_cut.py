"""The vendor dashboard builds only the first QUEUE_PER_KIND items of the kinds whose branch can be
cut (registry.work_queue), and shows the same queue as the uncut computation (issue 15)."""
from __future__ import annotations

from sqlalchemy import select

from app.admin import benchdata
from app.auth import roles
from app.auth.context import actor_for_email
from app.auth.models import Membership, User
from app.core.registry import work_items, work_queue
from app.extensions import db
from app.home.routes import QUEUE_PER_KIND, _queue
from app.partners.policies import book_for
from app.tenancy import tenant_scope
from app.tenants.models import Tenant
from tests.conftest import login

CUT_KINDS = ("review_to_open", "plan_review_due", "review_to_sign")


def _tenant(runner, partners=40, accounts=600):
    result = runner.invoke(args=["bench-data", "--partners", str(partners), "--accounts", str(accounts),
                                 "--seed", "7"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(Tenant).where(Tenant.slug == f"bench-{partners}-{accounts}-7"))


def _emails(tenant, role):
    with tenant_scope(tenant.id):
        return list(db.session.scalars(select(User.email).join(Membership, Membership.user_id == User.id)
                                       .where(Membership.role == role).order_by(User.email)))


def test_cut_queue_equals_the_uncut_one_for_every_vendor_book(app, runner):
    tenant = _tenant(runner)
    people = _emails(tenant, roles.VENDOR_ADMIN) + _emails(tenant, roles.CHANNEL_MANAGER)
    assert len(people) >= 2
    cut_seen = set()
    for email in people:
        with app.test_request_context("/"), tenant_scope(tenant.id):
            actor = actor_for_email(tenant, email)
            book = book_for(actor)
            everything = work_items(actor, book)
            items, unbuilt = work_queue(actor, book, QUEUE_PER_KIND)
            # Kinds in the same order, the same items shown in the same order, the same "more" counts.
            assert _queue(items, unbuilt) == _queue(everything), email
            assert len(items) + sum(unbuilt.values()) == len(everything)
            for kind in CUT_KINDS:
                built = [i for i in items if i.kind == kind]
                assert len(built) <= QUEUE_PER_KIND
                if unbuilt.get(kind):
                    assert len(built) == QUEUE_PER_KIND
                    assert len([i for i in everything if i.kind == kind]) > QUEUE_PER_KIND
                    cut_seen.add(kind)
    assert cut_seen == set(CUT_KINDS)  # the book has more than QUEUE_PER_KIND of both kinds


def test_dashboard_page_shows_the_exact_more_counts_and_the_partner_home_is_uncut(app, runner):
    tenant = _tenant(runner)
    admin, partner_admin = f"admin@{tenant.slug}.example", f"partner-admin@{tenant.slug}.example"
    with app.test_request_context("/"), tenant_scope(tenant.id):
        actor = actor_for_email(tenant, admin)
        groups = {g["kind"]: g for g in _queue(work_items(actor, book_for(actor)))}
        partner = actor_for_email(tenant, partner_admin)
        partner_items = work_items(partner, book_for(partner))
        assert work_queue(partner, book_for(partner))[0] == partner_items
    client = app.test_client()
    login(client, admin, password=benchdata.PASSWORD)
    page = client.get("/").get_data(as_text=True)
    for kind in CUT_KINDS:
        group = groups[kind]
        assert group["more"] > 0
        assert f"and {group['more']} more" in page
        for item in group["items"]:
            assert item.title in page
