"""Object kinds of the relationship features (communication plans, enhancement requests, term changes)."""
from sqlalchemy import select

from app.auth.context import Actor
from app.auth.models import Membership, User
from app.extensions import db
from app.health.services import default_terms
from app.tenancy import tenant_scope
from app.tenants.models import Tenant
from tests.isolation.framework import register_kind


def _actor(membership_id, tenant_id) -> Actor:
    membership = db.session.get(Membership, (tenant_id, membership_id))
    return Actor(user=db.session.get(User, membership.user_id), tenant=db.session.get(Tenant, tenant_id),
                 membership=membership)


def _vendor_admin(tenant_id) -> Actor:
    m = db.session.scalar(select(Membership).where(Membership.role == "vendor_admin"))
    return _actor(m.id, tenant_id)


def _three(world):
    return (("own", world.tenant, world.own_partner, world.spare["own"]),
            ("other_partner", world.tenant, world.other_partner, world.spare["other_partner"]),
            ("other_tenant", world.other_tenant, world.foreign_partner, world.spare["other_tenant"]))


def _enhancements(world) -> dict:
    """Requests filed by a partner user of each partner; the other partner's is also supported by the
    own partner (so the own partner may write use cases on it whatever order the matrix runs in)."""
    from app.enhancements.services import file_request, support_request

    ids = {}
    for relation, tenant, _partner, filer in _three(world):
        with tenant_scope(tenant.id):
            req = file_request(_actor(filer.id, tenant.id), {
                "title": f"Matrix request {relation}", "problem": "p", "outcome": "o", "urgency": "low"})
            if relation == "other_partner":
                support_request(_actor(world.spare["own"].id, tenant.id), req, {})
            ids[relation] = req.id
            db.session.commit()
    return ids


def _term_changes(world) -> dict:
    """Agreement-term changes the vendor admin asked for, waiting for the partner's admin."""
    from app.termchanges.services import propose_change

    ids = {}
    for relation, tenant, partner, _ in _three(world):
        with tenant_scope(tenant.id):
            change = propose_change(_vendor_admin(tenant.id), db.session.merge(partner), {
                "kind": "agreement_terms", "period": "2026-Q2", "metrics": default_terms(),
                "reason": "Matrix: a lower target while the partner ramps up"})
            ids[relation] = change.id
            db.session.commit()
    return ids


def _contacts(side: str):
    def build(world) -> dict:
        from app.commplan.models import CommContact

        ids = {}
        for relation, tenant, partner, _ in _three(world):
            with tenant_scope(tenant.id):
                contact = CommContact(partner_id=partner.id, side=side, role="billing", name=f"Matrix {relation}")
                db.session.add(contact)
                db.session.flush()
                ids[relation] = contact.id
                db.session.commit()
        return ids
    return build


def _meetings(world) -> dict:
    from app.commplan.models import CommMeeting

    ids = {}
    for relation, tenant, partner, _ in _three(world):
        with tenant_scope(tenant.id):
            meeting = CommMeeting(partner_id=partner.id, kind="qbr", cadence="quarterly")
            db.session.add(meeting)
            db.session.flush()
            ids[relation] = meeting.id
            db.session.commit()
    return ids


register_kind("enhancement", _enhancements)
register_kind("term_change", _term_changes)
# Separate contacts and meetings for the page and the API: each route deletes the one it is given.
register_kind("comm_contact_partner_side", _contacts("partner"))
register_kind("comm_contact_api", _contacts("partner"))
register_kind("comm_meeting", _meetings)
register_kind("comm_meeting_api", _meetings)
