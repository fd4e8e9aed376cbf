"""Importing accounts, insights, assignments, segment settings and conflict resolutions; every
change is audited. Services flush, never commit."""
from __future__ import annotations

import contextlib
import logging
import functools
import io
import operator
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlalchemy import String, and_, case, func, select, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.accounts.csvio import DEFAULT_BATCH_SIZE, AccountCsvReader, RowError, rewind_position
from app.accounts.domains import SEGMENTS, segment_for
from app.accounts.insights import occurred_on, validate_insight
from app.accounts.models import (
    Account, AccountAssignment, AccountImport, ConflictResolution, Insight, owner_key_for,
)
from app.accounts.ownership import OWNER_MODELS, SegmentSettings, segment_settings
from app.audit.services import record
from app.auth.context import Actor
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.core.serialize import snapshot
from app.extensions import db
from app.partners.models import Partner
from app.tenancy import current_tenant_id
from app.tenants.models import Tenant

log = logging.getLogger(__name__)

MAX_STORED_ERRORS = 200
FILE_COLUMNS = ("name", "employees", "industry", "region", "arr", "renewal_date", "stage")


ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (with byte-order mark)", "utf-16": "UTF-16",
                   "cp1252": "Windows-1252 (Latin-1)"}


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    history: AccountImport | None = None
    encoding: str | None = None  # the file's text encoding as read (csvio: utf-8, utf-8-sig, utf-16, cp1252)

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding or "", self.encoding or "unknown")

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRejected(Exception):
    """The file had invalid rows; nothing was written. Carries the result with its errors."""

    def __init__(self, result: ImportResult):
        super().__init__(f"{len(result.errors)} errors")
        self.result = result


def import_accounts(stream: BinaryIO | bytes, file_name: str, owner_partner_id: uuid.UUID | None,
                    who: tuple[uuid.UUID | None, str], tenant: Tenant, *, batch_size: int = DEFAULT_BATCH_SIZE,
                    progress: Callable[[int], None] | None = None,
                    report: Callable[[str, int, int], None] | None = None) -> ImportResult:
    """Stream a CSV into the owner's accounts, all or nothing, de-duplicated by domain.

    Rows are validated and written batch by batch inside the caller's transaction; if the file
    turns out to have any invalid row, the whole transaction is rolled back, the rejection is
    recorded in the import history (in a transaction of its own) and ImportRejected is raised.
    Bulk Core statements skip the ORM tenant filter, so they name the tenant themselves.

    Repeated domains: when the owner has no accounts yet and the file can be read again, the
    unique index on (tenant, owner, domain) refuses a repeat by itself, so the first read keeps no
    map of the domains seen (~60 MB per million rows, which goes to SQLite's page cache instead).
    Only a rejected file is read a second time, checking everything, to name each bad row.
    `report(phase, rows, errors_so_far)` (the job's progress) hears each batch ("writing") and the
    second read ("checking"); `progress(rows)` each batch.
    """
    tenant_id = current_tenant_id()
    if tenant_id is None or tenant_id != tenant.id:
        raise RuntimeError("import_accounts needs the tenant's scope")
    if isinstance(stream, (bytes, bytearray, memoryview)):
        stream = io.BytesIO(bytes(stream))
    owner = owner_key_for(owner_partner_id)
    thresholds = segment_settings(tenant.settings).thresholds
    table = Account.__table__
    conn = db.session.connection()
    # Repeats within the file are refused (by the reader or the unique index), so when the owner had
    # no accounts before the import no row can match an existing one: skip the per-batch lookup.
    had_accounts = conn.execute(select(table.c.id).where(
        table.c.tenant_id == tenant_id, table.c.owner_key == owner).limit(1)).first() is not None
    rewind_to = rewind_position(stream)
    index_checks_repeats = not had_accounts and rewind_to is not None
    reader = AccountCsvReader(stream, check_duplicates=not index_checks_repeats)
    result = ImportResult()
    insert_rows = _AccountInserter(conn, tenant_id, owner, owner_partner_id, utcnow())
    repeated: IntegrityError | None = None
    with _import_page_cache(conn, reader.check_duplicates):
        update_rows: _AccountUpdater | None = None
        try:
            for batch in reader.iter_batches(batch_size):
                columns = [c for c in FILE_COLUMNS if c in reader.columns]
                with_segment = "employees" in reader.columns
                existing = dict(conn.execute(
                    select(table.c.domain, type_coerce(table.c.id, String)).where(
                        table.c.tenant_id == tenant_id, table.c.owner_key == owner,
                        table.c.domain.in_([r["domain"] for r in batch]))).all()) if had_accounts else {}
                inserts, updates = [], []
                for r in batch:
                    get = r.get
                    segment = segment_for(get("employees"), thresholds) if with_segment else None
                    account_id = existing.get(r["domain"]) if existing else None
                    if account_id is None:
                        inserts.append((r["name"], r["domain"], get("employees"), get("industry"), get("region"),
                                        get("arr"), get("renewal_date"), get("stage"), segment))
                    else:
                        updates.append((*[get(c) for c in columns], *((segment,) if with_segment else ()),
                                        account_id))
                if inserts:
                    inserts.sort(key=_by_domain)  # neighbouring keys in the domain and name indexes
                    insert_rows(inserts)
                if updates:
                    if update_rows is None:
                        update_rows = _AccountUpdater(conn, tenant_id, owner, columns, with_segment)
                    updates.sort(key=_by_id)  # neighbouring keys in the primary key's index
                    update_rows(updates)
                result.created += len(inserts)
                result.updated += len(updates)
                result.rows += len(batch)
                if progress is not None:
                    progress(result.rows)
                if report is not None:
                    report("writing", result.rows, len(reader.errors))
        except IntegrityError as exc:
            if not index_checks_repeats:
                raise
            repeated = exc  # a domain the file repeats: the second read below names the rows
    result.warnings = list(reader.warnings)
    if index_checks_repeats and (repeated is not None or reader.errors):
        db.session.rollback()  # nothing of this file stays written, and the write lock is not held while reading again
        stream.seek(rewind_to)
        reader = AccountCsvReader(stream)
        if report is None:
            reader.validate()
        else:
            report("checking", 0, 0)
            for checked, _ in enumerate(reader, 1):
                if checked % batch_size == 0:
                    report("checking", checked, len(reader.errors))
        if not reader.errors:
            raise repeated or RuntimeError("the file passed its second read after failing its first")
    result.encoding = reader.encoding
    if reader.errors:
        result.errors = list(reader.errors)
        result.rows = reader.data_rows
        result.created = result.updated = 0
        db.session.rollback()  # all or nothing: drop every batch written so far
        _record_rejection(tenant_id, owner, owner_partner_id, who, file_name, result)
        raise ImportRejected(result)
    history = AccountImport(
        id=uuid.uuid4(), owner_key=owner, owner_partner_id=owner_partner_id, user_id=who[0],
        user_email=who[1], file_name=(file_name or "")[:255], rows=result.rows, created=result.created,
        updated=result.updated, outcome="imported", errors=[], error_count=0)
    db.session.add(history)
    db.session.flush()
    record("accounts.import", history, after={"file_name": history.file_name, "rows": result.rows,
                                              "created": result.created, "updated": result.updated,
                                              "owner": owner, "encoding": result.encoding},
           summary=f"Imported {result.rows} accounts from {history.file_name or 'a CSV file'} "
                   f"({result.created} new, {result.updated} updated; read as {result.encoding_label})")
    result.history = history
    _analyze_after_commit(result.created)
    return result


# After an import that created this many rows, PostgreSQL's statistics of `accounts` are refreshed
# once it commits. Without them (autovacuum analyses later), the planner costs the re-import's
# UPDATE by (tenant_id, id) the same as a scan of the owner's (tenant_id, owner_key, name) index,
# may take the latter and read every account of the owner for each row: a 5,000-row re-import
# right after the first import took 25-36 s, 1.1 s with fresh statistics.
ANALYZE_AFTER_CREATED = 1_000
_owner_engines: dict[str, object] = {}


def _analyze_after_commit(created: int) -> None:
    if created < ANALYZE_AFTER_CREATED or db.engine.dialect.name != "postgresql":
        return
    from flask import current_app
    from sqlalchemy import create_engine

    from app.jobs.services import AFTER_COMMIT

    # Only the table's owner may ANALYZE it: the owner's URL when the app runs as its own role.
    url = current_app.config.get("OWNER_DATABASE_URL")

    def analyze() -> None:
        try:
            engine = db.engine if not url else _owner_engines.setdefault(url, create_engine(url, poolclass=NullPool))
            with engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE accounts")
                conn.commit()
        except Exception:  # statistics are an optimisation: the import itself has committed
            log.warning("ANALYZE accounts after an import failed", exc_info=True)

    db.session.info.setdefault(AFTER_COMMIT, []).append(analyze)


_by_domain = operator.itemgetter(1)
_by_id = operator.itemgetter(-1)

# What each imported row supplies, in this order; the rest is the same for the whole import.
ROW_COLUMNS = ("name", "domain", "employees", "industry", "region", "arr", "renewal_date", "stage", "segment")
CONSTANT_COLUMNS = ("tenant_id", "owner_key", "owner_partner_id", "created_at", "version")
INSERT_COLUMNS = ("id",) + ROW_COLUMNS + CONSTANT_COLUMNS
# uuid4's fixed bits, byte by byte: version 4 in byte 6's high nibble, the RFC 4122 variant (10)
# in byte 8's top two bits.
_UUID4_VERSION_BYTE = bytes((b & 0x0F) | 0x40 for b in range(256))
_UUID4_VARIANT_BYTE = bytes((b & 0x3F) | 0x80 for b in range(256))


def uuid4_hexes(n: int) -> list[str]:
    """n random version-4 UUIDs as 32-digit hex, from os.urandom as uuid.uuid4() makes them.

    One call for a whole batch: the fixed bits are set with two byte translations over every id
    at once, which costs a tenth of n uuid.uuid4() calls.
    """
    raw = bytearray(os.urandom(16 * n))
    raw[6::16] = raw[6::16].translate(_UUID4_VERSION_BYTE)
    raw[8::16] = raw[8::16].translate(_UUID4_VARIANT_BYTE)
    text = raw.hex()
    return [text[i:i + 32] for i in range(0, 32 * n, 32)]


def _same(value):
    return value


def _bind_marker(dialect) -> str:
    """The driver's positional placeholder, for the import's hand-written executemany statements."""
    return {"qmark": "?", "format": "%s", "pyformat": "%s"}[dialect.paramstyle]


class _AccountInserter:
    """An executemany of a plain INSERT of new accounts: the import's hot path.

    It applies the dialect's own bind conversions (the same values Core would send), but the
    columns that are constant for the import (tenant, owner, created_at, version) are converted
    once, and ids are made in bulk: straight to the 32-digit hex SQLite stores when that is what
    the dialect's UUID conversion yields, as uuid.UUID objects otherwise.
    """

    def __init__(self, conn, tenant_id: uuid.UUID, owner_key: str, owner_partner_id: uuid.UUID | None,
                 created_at) -> None:
        dialect = conn.dialect
        table = Account.__table__

        def converter(column: str) -> Callable:
            proc = table.c[column].type._cached_bind_processor(dialect)
            return (lambda v: v if v is None else proc(v)) if proc else (lambda v: v)

        values = {"tenant_id": tenant_id, "owner_key": owner_key, "owner_partner_id": owner_partner_id,
                  "created_at": created_at, "version": 1}
        self._constants = tuple(converter(c)(values[c]) for c in CONSTANT_COLUMNS)
        # Called on non-None values only; the driver takes Decimal as it is where there is no processor.
        self._arr = table.c["arr"].type._cached_bind_processor(dialect) or _same
        # Renewal dates repeat a lot; a small cache spares the per-value date formatting.
        self._date = functools.lru_cache(maxsize=4096)(converter("renewal_date"))
        to_id = converter("id")
        sample = uuid.uuid4()
        self._hex_ids = to_id(sample) == sample.hex
        self._to_id = to_id
        self._conn = conn
        quote, mark = dialect.identifier_preparer.quote, _bind_marker(dialect)
        # Table and column names come from the model, never from input; values are bound.
        self._sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in INSERT_COLUMNS)}) "  # nosec B608
                     f"VALUES ({', '.join([mark] * len(INSERT_COLUMNS))})")

    def __call__(self, rows: list[tuple]) -> None:
        """Insert rows of ROW_COLUMNS values (Python values, as the reader yields them)."""
        # Sorted, so that the batch's keys land next to each other in the primary key's index
        # (the rows come sorted by domain); each id is still a random UUID.
        ids = sorted(uuid4_hexes(len(rows)))
        if not self._hex_ids:
            to_id = self._to_id
            ids = [to_id(uuid.UUID(hex=i)) for i in ids]
        arr, day, constants = self._arr, self._date, self._constants
        self._conn.exec_driver_sql(self._sql, [
            (account_id, name, domain, employees, industry, region, None if amount is None else arr(amount),
             None if renewal is None else day(renewal), stage, segment) + constants
            for account_id, (name, domain, employees, industry, region, amount, renewal, stage, segment)
            in zip(ids, rows)])


class _AccountUpdater:
    """An executemany of a plain UPDATE of known accounts by id: a re-import's hot path.

    Like _AccountInserter it applies the dialect's own bind conversions, to the columns the file
    has (plus segment), with tenant and owner converted once; ids come from the lookup in the
    driver's own form (type_coerce to String), so they need no conversion either way.
    """

    def __init__(self, conn, tenant_id: uuid.UUID, owner_key: str, columns: list[str], with_segment: bool) -> None:
        dialect = conn.dialect
        table = Account.__table__
        self.columns = tuple(columns) + (("segment",) if with_segment else ())
        # Only some columns need converting (on SQLite: arr and renewal_date); dates repeat a lot.
        self._converts = []
        for position, column in enumerate(self.columns):
            proc = table.c[column].type._cached_bind_processor(dialect)
            if proc is not None:
                self._converts.append((position, functools.lru_cache(maxsize=4096)(proc)
                                       if column == "renewal_date" else proc))
        tenant_proc = table.c.tenant_id.type._cached_bind_processor(dialect)
        self._where = (tenant_proc(tenant_id) if tenant_proc else tenant_id, owner_key)
        self._conn = conn
        quote, mark = dialect.identifier_preparer.quote, _bind_marker(dialect)
        sets = ", ".join(f"{quote(c)} = {mark}" for c in self.columns)
        # Table and column names come from the model, never from input; values are bound.
        self._sql = (f"UPDATE {quote(table.name)} SET {sets}, version = version + 1 "  # nosec B608
                     f"WHERE tenant_id = {mark} AND owner_key = {mark} AND id = {mark}")

    def __call__(self, rows: list[tuple]) -> None:
        """Update rows of (values in self.columns order, then the driver-form id)."""
        converts, where = self._converts, self._where
        params = []
        for row in rows:
            values = list(row[:-1])
            for position, proc in converts:
                if values[position] is not None:
                    values[position] = proc(values[position])
            params.append((*values, *where, row[-1]))
        self._conn.exec_driver_sql(self._sql, params)


# SQLite's page cache while importing, in KiB. Issue 4's budget is 250 MB for a million-row
# import, in a process that starts near 110 MB: with the map of domains seen (~60 MB) the cache
# gets 32 MiB (peak ~230 MB); without it, 96 MiB (peak ~215 MB), which saves ~5% of SQLite's time.
IMPORT_PAGE_CACHE_KIB = {True: 32 * 1024, False: 96 * 1024}


@contextlib.contextmanager
def _import_page_cache(conn, keeps_domain_map: bool) -> Iterator[None]:
    """On SQLite, size the connection's page cache for an import (IMPORT_PAGE_CACHE_KIB), then restore it."""
    if conn.dialect.name != "sqlite":
        yield
        return
    previous = int(conn.exec_driver_sql("PRAGMA cache_size").scalar())
    conn.exec_driver_sql(f"PRAGMA cache_size=-{int(IMPORT_PAGE_CACHE_KIB[keeps_domain_map])}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={previous}")


def _record_rejection(tenant_id, owner, owner_partner_id, who, file_name, result: ImportResult) -> None:
    # The request's transaction is rolled back with the 422 answer, yet the history should keep
    # the rejected attempt: write it in a short transaction of its own (same tenant scope).
    with Session(db.engine) as session:
        session.add(AccountImport(
            tenant_id=tenant_id, id=uuid.uuid4(), owner_key=owner, owner_partner_id=owner_partner_id,
            user_id=who[0], user_email=who[1], file_name=(file_name or "")[:255], rows=result.rows,
            created=0, updated=0, outcome="rejected",
            errors=[e.as_dict() for e in result.errors[:MAX_STORED_ERRORS]], error_count=len(result.errors)))
        session.commit()


# -- insights ------------------------------------------------------------------------------------

def add_insight(account: Account, kind: str, raw: dict, actor: Actor) -> Insight:
    """Validate and add an insight written by the actor's side; 422 with field messages."""
    data, errors = validate_insight(kind, raw)
    if errors:
        raise InvalidInput(errors)
    insight = Insight(
        id=uuid.uuid4(), account_id=account.id, kind=kind, data=data, occurred_on=occurred_on(kind, data),
        author_membership_id=actor.membership.id, author_name=actor.user.display_name,
        author_side="vendor" if actor.is_vendor else "partner",
        author_partner_id=None if actor.is_vendor else actor.partner_id)
    db.session.add(insight)
    db.session.flush()
    record("insight.create", insight, after={"account_id": account.id, "kind": kind, "data": data,
                                             "author_side": insight.author_side},
           summary=f"Added a {kind.replace('_', ' ')} insight to {account.name}")
    return insight


# -- assignments ---------------------------------------------------------------------------------

def assigned_partner_ids(account: Account) -> set[uuid.UUID]:
    return set(db.session.scalars(select(AccountAssignment.partner_id).where(
        AccountAssignment.account_id == account.id)))


def set_assignments(account: Account, partner_ids: set[uuid.UUID]) -> None:
    """Assign a vendor account to exactly these partnerships (what `full` sharing hands over)."""
    if account.owner_partner_id is not None:
        raise InvalidInput({"partners": "Only vendor accounts are assigned to partners."})
    known = set(db.session.scalars(select(Partner.id).where(Partner.id.in_(partner_ids)))) if partner_ids else set()
    if known != set(partner_ids):
        raise InvalidInput({"partners": "Choose partners of this workspace."})
    before = assigned_partner_ids(account)
    for pid in before - known:
        db.session.execute(AccountAssignment.__table__.delete().where(
            AccountAssignment.tenant_id == account.tenant_id, AccountAssignment.account_id == account.id,
            AccountAssignment.partner_id == pid))
    for pid in known - before:
        db.session.add(AccountAssignment(id=uuid.uuid4(), account_id=account.id, partner_id=pid))
    if before != known:
        db.session.flush()
        record("account.assign", account, before={"partners": sorted(map(str, before))},
               after={"partners": sorted(map(str, known))}, summary=f"Changed the partners {account.name} is assigned to")


# -- segments and owner models -------------------------------------------------------------------

def update_segment_settings(tenant: Tenant, thresholds: tuple[int, int], owner_models: dict[str, str],
                            expected_version: int | None = None) -> SegmentSettings:
    """Change thresholds and owner models, and re-segment every account of the tenant."""
    if expected_version is not None and expected_version != tenant.version:
        raise ConflictError("Someone else changed the settings first. Reload and apply your change again.")
    low, high = thresholds
    errors = {}
    if not 0 <= low <= high:
        errors["thresholds"] = "Use 0 <= mid-market from <= enterprise from."
    if set(owner_models) != set(SEGMENTS) or any(m not in OWNER_MODELS for m in owner_models.values()):
        errors["owner_models"] = f"Give each segment one of: {', '.join(OWNER_MODELS)}."
    if errors:
        raise InvalidInput(errors)
    before = segment_settings(tenant.settings)
    after = SegmentSettings((low, high), dict(owner_models))
    if before == after:
        return before
    settings = dict(tenant.settings or {})
    settings["accounts"] = after.as_json()
    tenant.settings = settings
    if before.thresholds != after.thresholds:
        db.session.execute(
            update(Account).where(Account.employees.is_not(None)).values(segment=case(
                (Account.employees < low, "smb"), (Account.employees < high, "mid_market"), else_="enterprise"))
            .execution_options(synchronize_session=False))
    db.session.flush()
    record("accounts.segments", object_type="tenant", object_id=tenant.id, before=before.as_json(),
           after=after.as_json(), summary="Changed segment thresholds or owner models")
    return after


# -- channel conflicts ---------------------------------------------------------------------------

@dataclass
class ChannelConflict:
    domain: str
    partners: list[tuple[uuid.UUID, str]]
    resolution: ConflictResolution | None


def channel_conflicts(tenant: Tenant) -> list[ChannelConflict]:
    """Domains that two or more partners claim as partner-led, with any recorded resolution."""
    segs = segment_settings(tenant.settings).partner_led_segments
    if not segs:
        return []
    claimed = (select(Account.domain).where(Account.owner_partner_id.is_not(None), Account.domain.is_not(None),
                                            Account.segment.in_(segs))
               .group_by(Account.domain).having(func.count(func.distinct(Account.owner_partner_id)) >= 2))
    rows = db.session.execute(
        select(Account.domain, Partner.id, Partner.name)
        .join(Partner, and_(Partner.tenant_id == Account.tenant_id, Partner.id == Account.owner_partner_id))
        .where(Account.domain.in_(claimed), Account.segment.in_(segs))
        .order_by(Account.domain, Partner.name)).all()
    resolutions = {r.domain: r for r in db.session.scalars(select(ConflictResolution))}
    out: dict[str, ChannelConflict] = {}
    for domain, pid, name in rows:
        out.setdefault(domain, ChannelConflict(domain, [], resolutions.get(domain))).partners.append((pid, name))
    return list(out.values())


def resolve_conflict(domain: str, resolution: str, owner_partner_id: uuid.UUID | None, note: str,
                     who: str) -> ConflictResolution:
    """Record the vendor's decision on a conflicted domain (audited)."""
    errors = {}
    if resolution not in ("partner", "co_sell", "vendor_led"):
        errors["resolution"] = "Use partner, co_sell or vendor_led."
    if resolution == "partner" and owner_partner_id is None:
        errors["owner_partner_id"] = "Choose the partner that owns this customer."
    if len(note or "") > 500:
        errors["note"] = "Use at most 500 characters."
    if errors:
        raise InvalidInput(errors)
    row = db.session.scalar(select(ConflictResolution).where(ConflictResolution.domain == domain))
    fields = ("resolution", "owner_partner_id", "note")
    before = snapshot(row, fields) if row else None
    if row is None:
        row = ConflictResolution(id=uuid.uuid4(), domain=domain)
        db.session.add(row)
    row.resolution = resolution
    row.owner_partner_id = owner_partner_id if resolution == "partner" else None
    row.note = note or ""
    row.resolved_by = who
    row.resolved_at = utcnow()
    db.session.flush()
    record("conflict.resolve", row, before=before, after=snapshot(row, fields),
           summary=f"Resolved the channel conflict on {domain}: {resolution.replace('_', ' ')}")
    return row
