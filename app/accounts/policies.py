"""The one place that decides what each side sees of the other's accounts (DESIGN §4, T2).

HTML pages, the API, CSV exports, overlaps and peer aggregates all ask this module. Settings are
read from the database on every call (nothing is cached), so a revoked level applies to the very
next request.

- Partner staff see their own partner's accounts, and vendor accounts as the vendor -> partner
  level allows: `overlaps` and `fields` show the vendor accounts whose domain one of their own
  accounts has, `full` adds the vendor accounts assigned to their partnership.
- Vendor staff see vendor accounts, and a partner's accounts only as that partner's
  partner -> vendor level allows (default `counts`: none of them): `overlaps`/`fields` show the
  partner accounts whose domain a vendor account has, `full` every account of the partner.
- `counts` shows only the number of overlapping accounts; `none` not even that.
- Insights: each side sees what its own side wrote; the other side's insights on shared accounts
  only for the insight kinds the level allows (`fields`: the chosen kinds, `full`: all). A
  partner never sees another partner's accounts or insights.
"""
from __future__ import annotations

import functools
import statistics
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, g, has_request_context
from sqlalchemy import Select, and_, event, false, func, or_, select
from sqlalchemy.orm import Bundle, Session, aliased

from app.accounts.insights import KINDS
from app.accounts.models import (
    DEFAULT_LEVELS, DIRECTIONS, LEVELS, PARTNER_TO_VENDOR, VENDOR_OWNER, VENDOR_TO_PARTNER, Account, AccountAssignment, Insight,
    SharingSetting, owner_key_of,
)
from app.auth import roles
from app.auth.context import Actor
from app.extensions import db
from app.partners.models import Partner
from app.tenancy import current_tenant_id

BASE_FIELDS = ("name", "domain")
ACCOUNT_FIELDS = ("employees", "segment", "industry", "region", "arr", "renewal_date", "stage")
ALL_FIELDS = BASE_FIELDS + ACCOUNT_FIELDS
FIELD_CHOICES = ACCOUNT_FIELDS + KINDS  # what a `fields` level may list
LISTING_LEVELS = ("overlaps", "fields", "full")
MIN_PEERS = 5


@dataclass(frozen=True)
class Level:
    """One direction's level and, for `fields`, the chosen fields and insight kinds."""
    level: str
    fields: tuple[str, ...] = ()
    is_default: bool = False

    @property
    def sees_count(self) -> bool:
        return self.level != "none"

    @property
    def sees_list(self) -> bool:
        return self.level in LISTING_LEVELS

    @property
    def account_fields(self) -> tuple[str, ...]:
        if self.level == "full":
            return ALL_FIELDS
        if self.level == "fields":
            return BASE_FIELDS + tuple(f for f in ACCOUNT_FIELDS if f in self.fields)
        if self.level == "overlaps":
            return BASE_FIELDS
        return ()

    @property
    def insight_kinds(self) -> tuple[str, ...]:
        if self.level == "full":
            return KINDS
        if self.level == "fields":
            return tuple(k for k in KINDS if k in self.fields)
        return ()


_DEFAULT = {d: Level(DEFAULT_LEVELS[d], (), True) for d in DIRECTIONS}  # frozen: one instance each


def _level_of(row, direction: str) -> Level:
    """A stored row's level (anything with `level` and `fields`), or the default without one."""
    if row is None or row.level not in LEVELS:
        return _DEFAULT[direction]
    return Level(row.level, tuple(row.fields or ()) if row.level == "fields" else ())


def levels_of(partner_id: uuid.UUID) -> dict[str, Level]:
    """Both directions' levels of one partnership, in one statement.

    Read from the database once per request and partnership: the panels of one page (sharing,
    communication plan, overlap) ask the same question, and the answer cannot change during the
    request except by a write, which empties the memo (`_forget_levels_on_write`). Nothing is kept
    from one request to the next, so a revoked level applies to the very next request.
    """
    memo = g.setdefault("_sharing_levels", {}) if has_request_context() else {}
    key = (current_tenant_id(), partner_id)
    if key not in memo:
        memo[key] = _levels_from(db.session.execute(levels_select(partner_id)))
    return memo[key]


def levels_select(partner_id: uuid.UUID):
    """The select `levels_of` reads, for a panel that reads it with its own rows in one statement
    (app.core.together) and hands the rows to `remember_levels`."""
    return select(SharingSetting.direction, SharingSetting.level, SharingSetting.fields).where(
        SharingSetting.partner_id == partner_id)


def remember_levels(partner_id: uuid.UUID, rows) -> None:
    """Keep the rows of `levels_select(partner_id)` as this request's answer of `levels_of`."""
    if has_request_context():
        g.setdefault("_sharing_levels", {})[(current_tenant_id(), partner_id)] = _levels_from(rows)


def _levels_from(rows) -> dict[str, Level]:
    found = {r.direction: r for r in rows}
    return {d: _level_of(found.get(d), d) for d in DIRECTIONS}


@event.listens_for(Session, "after_flush")
def _forget_levels_on_write(session, flush_context) -> None:
    if has_request_context() and "_sharing_levels" in g and any(
            isinstance(obj, SharingSetting) for obj in (*session.new, *session.dirty, *session.deleted)):
        g.pop("_sharing_levels")


def setting_for(partner_id: uuid.UUID, direction: str) -> Level:
    """The current level of one direction of one partnership (read fresh every request)."""
    return levels_of(partner_id)[direction]


def settings_by_partner(direction: str) -> dict[uuid.UUID, Level]:
    """The level of one direction for every partner of the tenant (one statement for both
    directions, once per request: memoised and emptied on writes like `levels_of`)."""
    memo = g.setdefault("_sharing_levels", {}) if has_request_context() else {}
    key = (current_tenant_id(), "*all*")
    if key not in memo:
        # Plain columns, not SharingSetting objects; a partner without rows shares the defaults.
        stored: dict[uuid.UUID, dict[str, Level]] = {}
        for pid, row_direction, level, fields in db.session.execute(
                select(Partner.id, SharingSetting.direction, SharingSetting.level, SharingSetting.fields)
                .outerjoin(SharingSetting, and_(SharingSetting.tenant_id == Partner.tenant_id,
                                                SharingSetting.partner_id == Partner.id))):
            found = stored.setdefault(pid, {})
            if row_direction in DIRECTIONS:
                found[row_direction] = _level_of(_Row(level, fields), row_direction)
        memo[key] = {d: {pid: found.get(d, _DEFAULT[d]) for pid, found in stored.items()} for d in DIRECTIONS}
    return dict(memo[key][direction])


def default_level(direction: str) -> Level:
    """The level of a direction no row was stored for."""
    return _DEFAULT[direction]


def stored_levels(direction: str) -> dict[uuid.UUID, Level]:
    """The partners whose level in `direction` is stored, with it; every other partner has
    `default_level(direction)` (look up with `.get(pid, default_level(direction))`). One statement
    over the stored rows only (both directions), once per request like `settings_by_partner`: a
    vendor-wide list needs the few partners that changed a level, not a row per partner."""
    memo = g.setdefault("_sharing_levels", {}) if has_request_context() else {}
    key = (current_tenant_id(), "*stored*")
    if key not in memo:
        stored: dict[str, dict[uuid.UUID, Level]] = {d: {} for d in DIRECTIONS}
        for pid, row_direction, level, fields in db.session.execute(
                select(SharingSetting.partner_id, SharingSetting.direction, SharingSetting.level,
                       SharingSetting.fields)):
            if row_direction in DIRECTIONS:
                stored[row_direction][pid] = _level_of(_Row(level, fields), row_direction)
        memo[key] = stored
    return dict(memo[key][direction])


@dataclass(frozen=True)
class _Row:
    """A stored level's columns, as `_level_of` reads them."""
    level: str
    fields: list | None


# -- sides ---------------------------------------------------------------------------------------

def side_of(actor: Actor) -> str:
    return "vendor" if actor.is_vendor else "partner"


def incoming_direction(actor: Actor) -> str:
    """The direction whose data this actor receives."""
    return PARTNER_TO_VENDOR if actor.is_vendor else VENDOR_TO_PARTNER


def outgoing_direction(actor: Actor) -> str:
    return VENDOR_TO_PARTNER if actor.is_vendor else PARTNER_TO_VENDOR



# -- who may import, whose names show ---------------------------------------------------------

def can_import(actor) -> bool:
    """Vendor admins and channel managers import vendor accounts; partner staff their partner's."""
    return actor.is_partner_side or (actor.is_vendor and actor.role in (roles.VENDOR_ADMIN, roles.CHANNEL_MANAGER))


def owner_names(actor, accounts=None) -> dict:
    """Owner labels the actor may read: the vendor, and partners the actor may name.

    Given the accounts a page shows, only their owners' names are read (one statement whatever
    the number of partners); without, every partner's (exports)."""
    names = {None: actor.tenant.name}
    if actor.is_vendor:
        stmt = select(Partner.id, Partner.name)
        if accounts is not None:
            stmt = stmt.where(Partner.id.in_({a.owner_partner_id for a in accounts if a.owner_partner_id}))
        names.update(dict(db.session.execute(stmt).all()))
    elif actor.is_partner_side:
        names[actor.partner_id] = "You"
    return names



# -- accounts ------------------------------------------------------------------------------------

def _vendor_domains() -> Select:
    vendor = aliased(Account)
    return select(vendor.domain).where(vendor.owner_key == VENDOR_OWNER, vendor.domain.is_not(None))


def _partner_domains(partner_id: uuid.UUID) -> Select:
    mine = aliased(Account)
    return select(mine.domain).where(mine.owner_key == str(partner_id), mine.domain.is_not(None))


def scope_accounts(actor: Actor, stmt: Select) -> Select:
    """Restrict an Account query to the accounts the actor may see."""
    if actor.is_partner_side:
        pid = actor.partner_id
        level = setting_for(pid, VENDOR_TO_PARTNER)
        conds = [Account.owner_key == str(pid)]
        if level.sees_list:
            conds.append(and_(Account.owner_key == VENDOR_OWNER, Account.domain.in_(_partner_domains(pid))))
        if level.level == "full":
            conds.append(and_(Account.owner_key == VENDOR_OWNER, Account.id.in_(
                select(AccountAssignment.account_id).where(AccountAssignment.partner_id == pid))))
        return stmt.where(or_(*conds))
    if actor.is_vendor:
        # Only stored levels list while the default towards the vendor shows counts, no accounts.
        levels = (settings_by_partner(PARTNER_TO_VENDOR) if default_level(PARTNER_TO_VENDOR).sees_list
                  else stored_levels(PARTNER_TO_VENDOR))
        full = [str(p) for p, lv in levels.items() if lv.level == "full"]
        listed = [str(p) for p, lv in levels.items() if lv.level in ("overlaps", "fields")]
        conds = [Account.owner_key == VENDOR_OWNER]
        if full:
            conds.append(Account.owner_key.in_(full))
        if listed:
            conds.append(and_(Account.owner_key.in_(listed), Account.domain.in_(_vendor_domains())))
        return stmt.where(or_(*conds))
    return stmt.where(false())


@dataclass(frozen=True)
class Access:
    """What an actor may see of one account."""
    own: bool  # the account belongs to the actor's side
    fields: tuple[str, ...]
    insight_kinds: tuple[str, ...]  # the other side's insight kinds visible here
    level: Level | None = None  # the level that granted access to another side's account


OWN_ACCESS = Access(True, ALL_FIELDS, KINDS)


def access_resolver(actor: Actor) -> Callable[[Account], Access]:
    """account -> Access for accounts scope_accounts returned; reads the levels once (lists, exports)."""
    if actor.is_vendor:
        levels, default = stored_levels(PARTNER_TO_VENDOR), default_level(PARTNER_TO_VENDOR)

        def vendor_view(account: Account) -> Access:
            if account.owner_partner_id is None:
                return OWN_ACCESS
            level = levels.get(account.owner_partner_id, default)
            return Access(False, level.account_fields, level.insight_kinds, level)
        return vendor_view
    level = setting_for(actor.partner_id, VENDOR_TO_PARTNER) if actor.is_partner_side else Level("none")

    def partner_view(account: Account) -> Access:
        if actor.is_partner_side and account.owner_partner_id == actor.partner_id:
            return OWN_ACCESS
        return Access(False, level.account_fields, level.insight_kinds, level)
    return partner_view


def account_access(actor: Actor, account: Account) -> Access:
    """Fields and insight kinds of a visible account (call after scope_accounts found it)."""
    if actor.is_vendor:
        if account.owner_partner_id is None:
            return OWN_ACCESS
        level = setting_for(account.owner_partner_id, PARTNER_TO_VENDOR)
        return Access(False, level.account_fields, level.insight_kinds, level)
    if account.owner_partner_id == actor.partner_id:
        return OWN_ACCESS
    level = setting_for(actor.partner_id, VENDOR_TO_PARTNER)
    return Access(False, level.account_fields, level.insight_kinds, level)


def get_account_or_404(actor: Actor, account_id: uuid.UUID) -> tuple[Account, Access]:
    """The account if the actor may see it (404 otherwise, never 403) and what of it."""
    account = db.session.scalar(scope_accounts(actor, select(Account).where(Account.id == account_id)))
    if account is None:
        abort(404)
    return account, account_access(actor, account)


def account_values(account: Account, access: Access) -> dict:
    """The visible fields of an account."""
    return {f: getattr(account, f) for f in access.fields}


def scope_insights(actor: Actor, account: Account, access: Access, stmt: Select) -> Select:
    """Restrict an Insight query on one visible account to what the actor may read."""
    stmt = stmt.where(Insight.account_id == account.id)
    if actor.is_vendor:
        if account.owner_partner_id is None:
            return stmt  # the vendor's account: its own notes, and what partners wrote to it
        return stmt.where(or_(Insight.author_side == "vendor", and_(
            Insight.author_partner_id == account.owner_partner_id, Insight.kind.in_(access.insight_kinds))))
    mine = Insight.author_partner_id == actor.partner_id
    if access.own:
        return stmt.where(or_(mine, Insight.author_side == "vendor"))
    return stmt.where(or_(mine, and_(Insight.author_side == "vendor", Insight.kind.in_(access.insight_kinds))))


def can_add_insight(actor: Actor, account: Account) -> bool:
    """Either side adds insights to accounts it sees; viewers read only; channel managers write
    on vendor accounts and on their own partners' accounts."""
    if actor.is_partner_side:
        return True
    if actor.role == roles.VENDOR_ADMIN:
        return True
    if actor.role == roles.CHANNEL_MANAGER:
        if account.owner_partner_id is None:
            return True
        partner = db.session.get(Partner, (actor.tenant.id, account.owner_partner_id))
        return partner is not None and partner.channel_manager_id == actor.membership.id
    return False


# -- overlaps ------------------------------------------------------------------------------------

# What a listed pair carries of each account: the fields a level may show, its id and owner.
PAIR_COLUMNS = ("id", "owner_partner_id") + ALL_FIELDS


def overlap_pairs(partner_id: uuid.UUID, after_domain: str | None = None) -> Select:
    """(vendor account, partner account) pairs with the same normalised domain, by domain.

    Each side is a Bundle of PAIR_COLUMNS (attribute access like an Account, no ORM object to
    build), so a page of 50 pairs costs about what the hand-written join does. The statement is
    built once per partner (`_pairs_of`): building two aliases and bundles of 22 columns took
    longer than running the first page.
    """
    stmt, vendor_domain = _pairs_of(str(partner_id))
    return stmt.where(vendor_domain > after_domain) if after_domain is not None else stmt


@functools.lru_cache(maxsize=256)
def _pairs_of(owner_key: str) -> tuple[Select, object]:
    # A select is immutable (every .where/.limit makes a new one), so one may serve every request;
    # the tenant's criteria are added when it runs, as for any statement.
    vendor, partner = aliased(Account, name="v"), aliased(Account, name="p")
    stmt = (select(Bundle("vendor", *(getattr(vendor, c) for c in PAIR_COLUMNS)),
                   Bundle("partner", *(getattr(partner, c) for c in PAIR_COLUMNS)))
            .select_from(vendor)
            .join(partner, and_(partner.tenant_id == vendor.tenant_id, partner.owner_key == owner_key,
                                partner.domain == vendor.domain))
            .where(vendor.owner_key == VENDOR_OWNER)
            .order_by(vendor.domain))  # the join's equality already leaves accounts without a domain out
    return stmt, vendor.domain


def overlap_count(partner_id: uuid.UUID) -> int:
    vendor, partner = aliased(Account), aliased(Account)
    return db.session.scalar(
        select(func.count()).select_from(partner)
        .join(vendor, and_(vendor.tenant_id == partner.tenant_id, vendor.owner_key == VENDOR_OWNER,
                           vendor.domain == partner.domain))
        .where(partner.owner_key == str(partner_id))) or 0


def _shared_domain(own) -> object:
    """EXISTS a vendor account with `own`'s domain: probed by the unique key (tenant_id, owner_key,
    domain), which holds every column the probe reads (no table row is visited)."""
    vendor = aliased(Account, name="v")
    return (select(vendor.domain).where(vendor.tenant_id == own.tenant_id, vendor.owner_key == VENDOR_OWNER,
                                        vendor.domain == own.domain).exists())


def overlap_counts_by_partner(partner_ids: list[uuid.UUID] | None = None) -> dict[uuid.UUID, int]:
    """Every partner's overlap count (or the given partners') in one query (vendor-wide views).

    Each partner's accounts are walked by the unique key (tenant_id, owner_key, domain) and each
    domain probed among the vendor's by the same key: both covered by the index. As a join on
    owner_partner_id SQLite scans every account of the tenant, or walks every vendor account."""
    own = aliased(Account, name="own")
    stmt = (select(own.owner_key, func.count()).where(_shared_domain(own)).group_by(own.owner_key))
    if partner_ids is None:
        stmt = stmt.where(own.owner_key != VENDOR_OWNER)
    else:
        stmt = stmt.where(own.owner_key.in_([str(p) for p in partner_ids]))
    return {uuid.UUID(key): n for key, n in db.session.execute(stmt)}


@dataclass(frozen=True)
class OverlapView:
    """What one side sees of a partnership's overlap."""
    level: Level
    count: int | None  # None when the level is `none`
    fields: tuple[str, ...]  # fields of the other side's accounts shown per item
    viewer_side: str

    @property
    def lists(self) -> bool:
        return self.level.sees_list


def overlap_view(actor: Actor, partner: Partner, count: int | None = None) -> OverlapView:
    """The overlap of this partnership as the actor's incoming level allows (`count`: the overlap
    count when the caller already has it, e.g. from `tier_overlaps`)."""
    level = setting_for(partner.id, incoming_direction(actor))
    if not level.sees_count:
        count = None
    elif count is None:
        count = overlap_count(partner.id)
    return OverlapView(level, count, level.account_fields, side_of(actor))


def overlap_items(partner: Partner, view: OverlapView, after_domain: str | None = None) -> Select | None:
    """(vendor account, partner account) pairs to list, or None when the level shows no list."""
    return overlap_pairs(partner.id, after_domain) if view.lists else None


# -- peer aggregates -----------------------------------------------------------------------------

@dataclass(frozen=True)
class PeerAggregate:
    peers: int  # contributing partners (never shown below MIN_PEERS)
    median_overlap: float | None
    own_overlap: int | None

    @property
    def enough(self) -> bool:
        return self.peers >= MIN_PEERS


def tier_overlaps(partner: Partner) -> tuple[dict, dict, dict]:
    """For every partner of `partner`'s tier that has accounts: its overlap count (0 when none of its
    domains is the vendor's), its sharing level towards the vendor and its number of accounts
    ({partner id: ...} each). One statement whatever the tier's size, read once per request: the
    partner home's sharing panel takes its own overlap count and account count from it too."""
    memo = g.setdefault("_tier_overlaps", {}) if has_request_context() else {}
    key = (current_tenant_id(), partner.id, partner.tier)
    if key in memo:
        return memo[key]
    tier_match = Partner.tier.is_(None) if partner.tier is None else Partner.tier == partner.tier
    # Per partner of the tier: its accounts and those whose domain the vendor has, each counted
    # along the unique key (tenant_id, owner_key, domain) (`overlap_counts_by_partner`), and its
    # level towards the vendor (outer join: no row is the default level). One statement.
    own = aliased(Account, name="own")
    mine = and_(own.tenant_id == Partner.tenant_id, own.owner_key == owner_key_of(Partner.id))
    owned = select(func.count()).where(mine).correlate(Partner).scalar_subquery()
    shared = select(func.count()).where(mine, _shared_domain(own)).correlate(Partner).scalar_subquery()
    counts, levels, accounts = {}, {}, {}
    for pid, n, owned_n, level in db.session.execute(
            select(Partner.id, shared, owned, SharingSetting.level)
            .outerjoin(SharingSetting, and_(SharingSetting.tenant_id == Partner.tenant_id,
                                            SharingSetting.partner_id == Partner.id,
                                            SharingSetting.direction == PARTNER_TO_VENDOR))
            .where(tier_match)):
        if not owned_n:
            continue  # a partner without accounts has no overlap to compare
        counts[pid] = n
        accounts[pid] = owned_n
        levels[pid] = level if level in LEVELS else DEFAULT_LEVELS[PARTNER_TO_VENDOR]
    memo[key] = (counts, levels, accounts)
    return memo[key]


def peer_aggregate(partner: Partner) -> PeerAggregate:
    """Median overlap count of the other partners in the same tier.

    Contributors are the other partners of the tier that have accounts and do not share `none`
    with the vendor; below MIN_PEERS no figure is returned, so nothing can leak. One statement
    whatever the tier's size (`tier_overlaps`).
    """
    counts, levels, _ = tier_overlaps(partner)
    contributors = [pid for pid in counts if pid != partner.id and levels[pid] != "none"]
    if len(contributors) < MIN_PEERS:
        return PeerAggregate(len(contributors), None, None)
    median = statistics.median(counts[p] for p in contributors)
    return PeerAggregate(len(contributors), float(median), counts.get(partner.id, 0))
