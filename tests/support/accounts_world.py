"""A tenant with two partners, one person and token per role, and overlapping customer lists."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from sqlalchemy import select

from app.accounts.models import Account
from app.extensions import db
from app.tenancy import tenant_scope

VENDOR_CSV = ("name,domain,employees,industry,region,arr,renewal_date,stage\n"
              "Shared Vendor,shared.example,500,Retail,EMEA,1000.50,2027-01-31,customer\n"
              "Vendor Only,vendoronly.example,20,Food,NA,10,2027-02-28,customer\n"
              "Assigned Vendor,assigned.example,2000,Banking,NA,99,2027-03-31,customer\n"
              "Shared With B,bshared.example,5,Toys,NA,1,2027-04-30,customer\n")
A_CSV = ("name,domain,employees,industry,region,arr,renewal_date,stage\n"
         "Shared A,https://www.Shared.example/,510,Retail A,EMEA A,2000.00,2027-05-31,managed\n"
         "A Only,aonly.example,30,Secret A,APAC,3,2027-06-30,managed\n")
B_CSV = ("name,domain,employees,industry,region,arr,renewal_date,stage\n"
         "Shared B,shared.example,520,Retail B,NA,4,2027-07-31,managed\n"
         "B Shared,bshared.example,6,Toys B,NA,5,2027-08-31,managed\n"
         "B Only,bonly.example,40,Secret B,LATAM,6,2027-09-30,managed\n")


@dataclass
class AccountsWorld:
    tenant: object
    tenant_id: object
    a: object
    b: object
    members: dict = field(default_factory=dict)  # role or "b_admin" -> membership
    tokens: dict = field(default_factory=dict)
    emails: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)  # (owner, domain) -> account id; owner "v", "a", "b"
    a_id: object = None
    b_id: object = None

    def api(self, client, who: str, method: str, path: str, **kwargs):
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return client.open("/api/v1" + path, method=method, headers=headers, **kwargs)


def build(make, with_accounts: bool = True) -> AccountsWorld:
    tenant = make.tenant()
    a = make.partner(tenant, "Alpha Partner")
    b = make.partner(tenant, "Beta Partner")
    world = AccountsWorld(tenant, tenant.id, a, b, a_id=a.id, b_id=b.id)
    world.members["vendor_admin"] = make.admin_membership(tenant)
    world.emails["vendor_admin"] = f"admin@{tenant.slug}.example"
    for role in ("channel_manager", "vendor_viewer"):
        world.members[role] = make.member(tenant, role)
    for role in ("partner_admin", "partner_user"):
        world.members[role] = make.member(tenant, role, a)
    world.members["b_admin"] = make.member(tenant, "partner_admin", b)
    world.members["b_user"] = make.member(tenant, "partner_user", b)
    from app.auth.models import User
    with tenant_scope(tenant.id):
        for role, m in world.members.items():
            if role != "vendor_admin":
                world.emails[role] = db.session.get(User, m.user_id).email
    world.tokens = {role: make.token(m) for role, m in world.members.items()}
    if with_accounts:
        load_accounts(world)
    return world


def load_accounts(world: AccountsWorld) -> None:
    from app.accounts.services import import_accounts

    with tenant_scope(world.tenant_id):
        for owner, csv, pid in (("v", VENDOR_CSV, None), ("a", A_CSV, world.a_id), ("b", B_CSV, world.b_id)):
            import_accounts(io.BytesIO(csv.encode()), f"{owner}.csv", pid, (None, "test"), world.tenant)
        names = {None: "v", world.a_id: "a", world.b_id: "b"}
        for account in db.session.scalars(select(Account)):
            world.ids[(names[account.owner_partner_id], account.domain)] = str(account.id)
        db.session.commit()


def set_level(world: AccountsWorld, partner_id, direction: str, level: str, fields=None) -> None:
    from app.partners.models import Partner
    from app.sharing.services import change_sharing

    with tenant_scope(world.tenant_id):
        partner = db.session.get(Partner, (world.tenant_id, partner_id))
        change_sharing(partner, direction, level, fields or [], "test")
        db.session.commit()
