"""The touch coverage view names each channel manager (their name, else their e-mail), never an id,
in the page and the API, sorted by name, in the same number of statements whatever the number of managers."""
from __future__ import annotations

from sqlalchemy import event, select

from tests.support.accounts_world import build  # noqa: I001  (imports app.auth first)
from app.auth.models import Membership, User
from app.enablement import services
from app.extensions import db
from app.health.periods import Period
from app.partners.models import Partner
from app.tenancy import tenant_scope
from tests.conftest import login

QUARTER = Period(2026, 2)


def _name(world, membership_id, name):
    with tenant_scope(world.tenant_id):
        m = db.session.scalar(select(Membership).where(Membership.id == membership_id))
        db.session.get(User, m.user_id).name = name
        db.session.commit()


def _partners_with_plans(world, make, managers, n):
    for i in range(n):
        partner = make.partner(world.tenant, f"Covered {len(managers)}-{i}-{id(managers)}")
        with tenant_scope(world.tenant_id):
            p = db.session.get(Partner, (world.tenant_id, partner.id))
            p.channel_manager_id = managers[i % len(managers)]
            services.generate_plan(p, QUARTER, "ideal")
            db.session.commit()


def test_coverage_names_channel_managers_not_ids(app, make):
    world = build(make, with_accounts=False)
    named = world.members["channel_manager"].id
    unnamed = make.member(world.tenant, "channel_manager", email="no-name-cm@example.com").id
    _name(world, named, "Zoë Channel")
    _partners_with_plans(world, make, [named, unnamed, None], 3)
    client = app.test_client()
    login(client, world.emails["vendor_viewer"])
    page = client.get(f"/enablement/coverage?period={QUARTER}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert str(named) not in html and str(unnamed) not in html
    # sorted by name, "no channel manager" last; a person without a name by e-mail
    assert table.index("no-name-cm@example.com") < table.index("Zoë Channel") < table.index("No channel manager")
    api = world.api(client, "vendor_viewer", "GET", f"/touch-coverage?period={QUARTER}").get_json()
    got = {m["channel_manager_id"]: m["channel_manager"] for m in api["managers"]}
    assert got == {str(named): "Zoë Channel", str(unnamed): "no-name-cm@example.com", None: None}


def test_the_coverage_page_takes_the_same_statements_for_few_or_many_managers(app, make):
    world = build(make, with_accounts=False)
    client = app.test_client()
    login(client, world.emails["vendor_admin"])

    def statements():
        seen = []

        def count(*_a, **_k):
            seen.append(1)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/enablement/coverage?period={QUARTER}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    _partners_with_plans(world, make, [world.members["channel_manager"].id], 1)
    few = statements()
    managers = [make.member(world.tenant, "channel_manager").id for _ in range(6)]
    _partners_with_plans(world, make, managers, 12)
    assert statements() == few
