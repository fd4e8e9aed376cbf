"""Who sees and does what with opportunities and deal registrations (DESIGN 7a, T2, T3).

What of an account each side sees is `app.sharing.policies` (the accounts policy); this module
adds the opportunity rules on top, as SQL conditions so lists and pipeline sums share them:

- Partner staff see their own partner's opportunities, the vendor's opportunities for their
  partnership on accounts they can see, and the vendor's direct opportunities on accounts they can
  see when the vendor -> partner level shows the `opportunity` insight kind (`fields` with it, or
  `full`). Never another partner's.
- Vendor staff see the vendor's opportunities, a partner's registered ones (registering shares the
  deal), and a partner's others on accounts they see when that partner's partner -> vendor level
  shows the `opportunity` kind.
- Registrations: the registering partner's staff and vendor staff; another partner's answer 404.
"""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import Select, and_, false, or_, select, true

from app.accounts.models import Account
from app.auth import roles
from app.auth.context import Actor
from app.extensions import db
from app.opportunities.models import DealRegistration, Opportunity
from app.partners.models import Partner
from app.sharing.models import PARTNER_TO_VENDOR, VENDOR_TO_PARTNER
from app.sharing.policies import scope_accounts, setting_for, settings_by_partner

OPPORTUNITY_KIND = "opportunity"  # the insight kind a `fields` level lists to show opportunities


def side_of(actor: Actor) -> str:
    return "vendor" if actor.is_vendor else "partner"


def _visible_accounts(actor: Actor) -> Select:
    return scope_accounts(actor, select(Account.id))


def opportunity_condition(actor: Actor, partner_id: uuid.UUID | None = None):
    """The SQL condition on Opportunity for what this actor may see (`partner_id`: the caller
    narrows to that partnership, so only its sharing level is read, once per request)."""
    if actor.is_partner_side:
        pid = actor.partner_id
        own = and_(Opportunity.side == "partner", Opportunity.partner_id == pid)
        on_visible = Opportunity.account_id.in_(_visible_accounts(actor))
        vendor_for_us = and_(Opportunity.side == "vendor", Opportunity.partner_id == pid, on_visible)
        conds = [own, vendor_for_us]
        if OPPORTUNITY_KIND in setting_for(pid, VENDOR_TO_PARTNER).insight_kinds:
            conds.append(and_(Opportunity.side == "vendor", Opportunity.partner_id.is_(None), on_visible))
        return or_(*conds)
    if actor.is_vendor:
        if partner_id is not None:
            showing = [partner_id] if OPPORTUNITY_KIND in setting_for(partner_id, PARTNER_TO_VENDOR).insight_kinds else []
        else:
            showing = [p for p, lv in settings_by_partner(PARTNER_TO_VENDOR).items()
                       if OPPORTUNITY_KIND in lv.insight_kinds]
        conds = [Opportunity.side == "vendor",
                 Opportunity.id.in_(select(DealRegistration.opportunity_id))]
        if showing:
            conds.append(and_(Opportunity.partner_id.in_(showing),
                              Opportunity.account_id.in_(_visible_accounts(actor))))
        return or_(*conds)
    return false()


def scope_opportunities(actor: Actor, stmt: Select) -> Select:
    return stmt.where(opportunity_condition(actor))


def get_opportunity_or_404(actor: Actor, opportunity_id: uuid.UUID) -> Opportunity:
    opp = db.session.scalar(scope_opportunities(actor, select(Opportunity).where(Opportunity.id == opportunity_id)))
    if opp is None:
        abort(404)
    return opp


def registration_condition(actor: Actor):
    if actor.is_partner_side:
        return DealRegistration.partner_id == actor.partner_id
    return true() if actor.is_vendor else false()


def get_registration_or_404(actor: Actor, registration_id: uuid.UUID) -> DealRegistration:
    reg = db.session.scalar(select(DealRegistration).where(DealRegistration.id == registration_id,
                                                           registration_condition(actor)))
    if reg is None:
        abort(404)
    return reg


def manages(actor: Actor, partner_id: uuid.UUID | None) -> bool:
    """Vendor admins manage every partnership; a channel manager the partners assigned to them."""
    if not actor.is_vendor:
        return False
    if actor.role == roles.VENDOR_ADMIN:
        return True
    if actor.role != roles.CHANNEL_MANAGER or partner_id is None:
        return False
    partner = db.session.get(Partner, (actor.tenant.id, partner_id))
    return partner is not None and partner.channel_manager_id == actor.membership.id


def can_create(actor: Actor) -> bool:
    """Partner staff, vendor admins and channel managers create opportunities (viewers read)."""
    return actor.is_partner_side or (actor.is_vendor and actor.role in roles.MANAGING_ROLES)


def can_create_on(actor: Actor, account: Account, partner_id: uuid.UUID | None) -> bool:
    if actor.is_partner_side:
        return True
    if actor.role == roles.VENDOR_ADMIN:
        return True
    # A channel manager works vendor accounts and the partnerships assigned to them.
    if actor.role == roles.CHANNEL_MANAGER:
        owner = account.owner_partner_id or partner_id
        return owner is None or manages(actor, owner)
    return False


def can_edit(actor: Actor, opp: Opportunity) -> bool:
    """The side that created an opportunity keeps it up to date."""
    if opp.side == "partner":
        return actor.is_partner_side and actor.partner_id == opp.partner_id
    if not actor.is_vendor:
        return False
    return actor.role == roles.VENDOR_ADMIN or (
        actor.role == roles.CHANNEL_MANAGER and (opp.partner_id is None or manages(actor, opp.partner_id)))


def can_register(actor: Actor, opp: Opportunity) -> bool:
    """A partner registers its own opportunities only."""
    return actor.is_partner_side and opp.side == "partner" and opp.partner_id == actor.partner_id


def can_decide(actor: Actor, reg: DealRegistration) -> bool:
    """Approve, reject, extend and resolve: vendor admins and the partner's channel manager.
    Partner staff never decide their own registrations."""
    return manages(actor, reg.partner_id)


def can_record_outcome(actor: Actor, reg: DealRegistration) -> bool:
    """Win or loss: the registering partner's staff or those who decide."""
    return (actor.is_partner_side and actor.partner_id == reg.partner_id) or can_decide(actor, reg)
