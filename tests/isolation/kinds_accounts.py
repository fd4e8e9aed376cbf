"""Object kinds for accounts and sharing: partner accounts, vendor accounts, data requests.

- "account": an account owned by the own partner / by the other partner / in the other tenant.
  Vendor staff do not see partner-owned accounts at the default partner -> vendor level (counts).
- "vendor_account": a vendor account overlapping the own partner's list / only the other
  partner's list / in the other tenant. Partner staff see only the first (default overlaps).
- "data_request": a pending request of the own partner / the other partner / the other tenant.
"""
from __future__ import annotations

import io

from app.accounts.services import import_accounts
from app.extensions import db
from app.sharing.models import PARTNER_TO_VENDOR
from app.sharing.services import request_data
from app.tenancy import tenant_scope
from tests.isolation.framework import register_kind

_CACHE: dict = {}


def _build(world) -> dict:
    key = id(world)
    if key in _CACHE:
        return _CACHE[key]
    from sqlalchemy import select

    from app.accounts.models import Account
    who = (None, "matrix")
    out: dict = {}
    with tenant_scope(world.tenant.id):
        import_accounts(io.BytesIO(b"name,domain\nShared Co,shared.example\nOther Shared,othershared.example\n"
                                   b"Vendor Only,vendoronly.example\n"), "v.csv", None, who, world.tenant)
        import_accounts(io.BytesIO(b"name,domain\nOwn Customer,shared.example\nOwn Only,ownonly.example\n"),
                        "o.csv", world.own_partner.id, who, world.tenant)
        import_accounts(io.BytesIO(b"name,domain\nTheir Customer,othershared.example\n"),
                        "p.csv", world.other_partner.id, who, world.tenant)
        rows = {(a.owner_partner_id, a.domain): a.id for a in db.session.scalars(select(Account))}
        own_req = request_data(world.own_partner, PARTNER_TO_VENDOR, "overlaps", "vendor", "matrix")
        other_req = request_data(world.other_partner, PARTNER_TO_VENDOR, "overlaps", "vendor", "matrix")
        out["account"] = {"own": rows[(world.own_partner.id, "shared.example")],
                          "other_partner": rows[(world.other_partner.id, "othershared.example")]}
        out["vendor_account"] = {"own": rows[(None, "shared.example")],
                                 "other_partner": rows[(None, "othershared.example")]}
        out["data_request"] = {"own": own_req.id, "other_partner": other_req.id}
        db.session.commit()
    with tenant_scope(world.other_tenant.id):
        import_accounts(io.BytesIO(b"name,domain\nForeign Co,shared.example\n"), "f.csv", None, who,
                        world.other_tenant)
        foreign = db.session.scalar(select(Account))
        foreign_req = request_data(world.foreign_partner, PARTNER_TO_VENDOR, "overlaps", "vendor", "matrix")
        out["account"]["other_tenant"] = foreign.id
        out["vendor_account"]["other_tenant"] = foreign.id
        out["data_request"]["other_tenant"] = foreign_req.id
        db.session.commit()
    _CACHE.clear()
    _CACHE[key] = out
    return out


register_kind("account", lambda world: _build(world)["account"])
register_kind("vendor_account", lambda world: _build(world)["vendor_account"])
register_kind("data_request", lambda world: _build(world)["data_request"])
