"""The administration commands of DESIGN.md section 8."""
from __future__ import annotations

from sqlalchemy import select, text

from app.auth.models import Membership, User
from app.extensions import db
from app.partners.models import Partner
from app.tenancy import tenant_scope, unscoped
from app.tenants.models import Tenant
from tests.conftest import owner_view


def _run(runner, *args):
    return runner.invoke(args=list(args), catch_exceptions=False)


def test_tenants_create_users_create_and_token(app, client, runner):
    result = _run(runner, "tenants", "create", "--name", "Northwind", "--slug", "northwind",
                  "--admin-email", "Boss@Northwind.example", "--admin-password", "a-long-password")
    assert result.exit_code == 0, result.output
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "northwind"))
    assert tenant.name == "Northwind"
    with tenant_scope(tenant.id):
        partner_id = db.session.scalar(select(Partner.id))  # none yet
    assert partner_id is None
    from app.partners.services import create_partner
    with tenant_scope(tenant.id):
        partner = create_partner(name="Alpha")
        db.session.commit()
    result = _run(runner, "users", "create", "--tenant", "northwind", "--email", "pa@alpha.example",
                  "--password", "another-long-one", "--role", "partner_admin", "--partner", str(partner.id))
    assert result.exit_code == 0, result.output
    result = _run(runner, "tokens", "create", "--tenant", "northwind", "--email", "pa@alpha.example")
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("tdm_") and "\n" not in token
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json == {"user": {"email": "pa@alpha.example", "name": ""},
                       "tenant": {"slug": "northwind", "name": "Northwind"},
                       "role": "partner_admin", "partner": {"id": str(partner.id), "name": "Alpha"}}


def test_bad_command_input_says_why_and_writes_nothing(app, runner):
    result = runner.invoke(args=["tenants", "create", "--name", "X", "--slug", "Bad Slug!",
                                 "--admin-email", "a@x.example", "--admin-password", "long-enough-pw"])
    assert result.exit_code != 0 and "slug" in result.output
    _run(runner, "tenants", "create", "--name", "X", "--slug", "xco", "--admin-email", "a@x.example",
         "--admin-password", "long-enough-pw")
    result = runner.invoke(args=["users", "create", "--tenant", "xco", "--email", "p@x.example",
                                 "--password", "long-enough-pw", "--role", "partner_user"])
    assert result.exit_code != 0 and "partner" in result.output
    result = runner.invoke(args=["users", "create", "--tenant", "nope", "--email", "p@x.example",
                                 "--password", "long-enough-pw", "--role", "vendor_viewer"])
    assert result.exit_code != 0 and "no tenant" in result.output
    with owner_view() as owner:
        assert owner.scalar(select(User).where(User.email == "p@x.example")) is None
        assert len(owner.scalars(select(Membership)).all()) == 1


def test_demo_is_idempotent_and_prints_one_login_per_role(app, runner):
    first = _run(runner, "demo")
    assert "Demo tenant created." in first.output and "Demo logins" in first.output
    for role in ("Vendor admin", "Channel manager", "Vendor viewer", "Partner admin", "Partner user"):
        assert role in first.output
    second = _run(runner, "demo")
    assert "already present" in second.output
    with unscoped("test: count demo tenants"):
        assert len(db.session.scalars(select(Tenant).where(Tenant.slug == "demo")).all()) == 1


def test_demo_logins_work(app, runner):
    _run(runner, "demo")
    from app.demo import DEMO_LOGINS, DEMO_PASSWORD
    from tests.conftest import login
    for email, role, partner, _ in DEMO_LOGINS:
        c = app.test_client()
        login(c, email, DEMO_PASSWORD)
        home = c.get("/", follow_redirects=True)
        assert home.status_code == 200, (email, home.status_code)


def test_audit_chain_is_per_tenant(app, runner, make):
    first = make.tenant("first")
    second = make.tenant("second")
    make.partner(first, "A1")
    make.partner(second, "B1")
    make.partner(second, "B2")
    with owner_view() as owner:
        rows = owner.execute(text("select tenant_id, seq from audit_events order by tenant_id, seq")).all()
    seqs = {}
    for tenant_id, seq in rows:
        seqs.setdefault(str(tenant_id), []).append(seq)
    assert all(s == list(range(1, len(s) + 1)) for s in seqs.values())
    assert _run(runner, "audit", "verify", "--tenant", "second").exit_code == 0
    assert first and second
