"""Object kinds of opportunities and deal registrations: a registered opportunity per partner."""
from app.accounts.models import Account
from app.extensions import db
from app.tenancy import tenant_scope
from tests.isolation.framework import register_kind
from tests.isolation.kinds_relationship import _actor, _three

_BUILT: dict = {}


def _registered(world) -> dict:
    """Each partner's own account, an opportunity on it and its (pending) registration, once."""
    key = id(world)
    if key not in _BUILT:
        from app.opportunities.services import create_opportunity, register

        opps, regs = {}, {}
        for relation, tenant, partner, filer in _three(world):
            with tenant_scope(tenant.id):
                account = Account(owner_key=str(partner.id), owner_partner_id=partner.id, name=f"Matrix {relation}",
                                  domain=f"matrix-{relation}.example", employees=10, segment="smb")
                db.session.add(account)
                db.session.flush()
                actor = _actor(filer.id, tenant.id)
                opp = create_opportunity(actor, {"account_id": str(account.id), "kind": "upsell", "product": "Matrix",
                                                 "amount": "10.00", "currency": "EUR", "expected_close": "2999-12-31"})
                reg = register(actor, opp)
                opps[relation], regs[relation] = opp.id, reg.id
                db.session.commit()
        _BUILT.clear()
        _BUILT[key] = (opps, regs)
    return _BUILT[key]


register_kind("opportunity", lambda world: _registered(world)[0])
register_kind("registration", lambda world: _registered(world)[1])
