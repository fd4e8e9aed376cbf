"""Who sees and changes which partner (T2, T3)."""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import Select, func, select

from app.auth import roles
from app.auth.context import Actor
from app.core.registry import Book
from app.core.requestcache import per_request
from app.extensions import db
from app.partners.models import Partner, RegionAssignment


def scope_partners(actor: Actor, stmt: Select) -> Select:
    """Restrict a Partner query to what the actor may see (partner staff: their own only)."""
    if actor.is_vendor:
        return stmt
    return stmt.where(Partner.id == actor.partner_id)


def get_partner_or_404(actor: Actor, partner_id: uuid.UUID) -> Partner:
    """The partner if it is in this tenant and visible to the actor, else 404 (never 403)."""
    partner = db.session.scalar(scope_partners(actor, select(Partner).where(Partner.id == partner_id)))
    if partner is None:
        abort(404)
    return partner


def can_create_partner(actor: Actor) -> bool:
    return actor.is_vendor and actor.role == roles.VENDOR_ADMIN


def can_edit_partner(actor: Actor, partner: Partner) -> bool:
    """Vendor admins edit every partner; channel managers the partners assigned to them."""
    if not actor.is_vendor:
        return False
    if actor.role == roles.VENDOR_ADMIN:
        return True
    return actor.role == roles.CHANNEL_MANAGER and partner.channel_manager_id == actor.membership.id


def can_assign_manager(actor: Actor) -> bool:
    return actor.is_vendor and actor.role == roles.VENDOR_ADMIN


def can_assign_regions(actor: Actor) -> bool:
    """Vendor admins assign CS Development Managers to regions."""
    return actor.is_vendor and actor.role == roles.VENDOR_ADMIN


def is_csdm(actor: Actor) -> bool:
    return actor.is_vendor and actor.role == roles.CS_DEVELOPMENT_MANAGER


def regions_of(actor: Actor) -> tuple[str, ...]:
    """The regions a CS Development Manager is assigned to (none for every other role)."""
    if not is_csdm(actor):
        return ()
    return tuple(sorted(db.session.scalars(select(RegionAssignment.region).where(
        RegionAssignment.membership_id == actor.membership.id))))


def in_csdm_regions(actor: Actor, partner: Partner) -> bool:
    """Whether this partner is in the regions of this CS Development Manager (a partner without a
    region is in nobody's)."""
    return is_csdm(actor) and partner.region is not None and partner.region in regions_of(actor)


def in_book(stmt: Select, book: Book) -> Select:
    """Narrow a statement that joins `Partner` to a cockpit's book (`app.core.registry.Book`):
    one channel manager's partners, one partner's own, the partners of some regions (a CS
    Development Manager's), or (none set) the whole programme.
    The tenant scope still applies underneath."""
    if book.partner_id is not None:
        stmt = stmt.where(Partner.id == book.partner_id)
    if book.manager_id is not None:
        stmt = stmt.where(Partner.channel_manager_id == book.manager_id)
    if book.regions is not None:
        stmt = stmt.where(Partner.region.in_(book.regions))
    return stmt


def partners_by_status(book: Book) -> dict[str, int]:
    """{status: number of partners} of a book, read once per request (the cockpit's header and the
    programme panel's coverage both count the book)."""
    return per_request(("partners.by_status", book), lambda: dict(db.session.execute(
        in_book(select(Partner.status, func.count()).group_by(Partner.status), book)).all()))


def book_for(actor: Actor, manager_id: uuid.UUID | None = None) -> Book:
    """The book an actor's cockpit shows: partner staff their own partnership; a channel manager
    the partners assigned to them; a CS Development Manager the partners of its regions (none when
    it has no region yet); vendor admins and viewers everything, or one manager's partners when they
    filter by `manager_id`."""
    if actor.is_partner_side:
        return Book(partner_id=actor.partner_id)
    if actor.role == roles.CHANNEL_MANAGER:
        return Book(manager_id=actor.membership.id)
    if is_csdm(actor):
        return Book(manager_id=manager_id, regions=regions_of(actor))
    return Book(manager_id=manager_id)
