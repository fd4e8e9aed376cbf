"""The tier programme: reading it as pure tiers, replacing it (audited), the tenant default."""
from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select

from app.audit.services import record
from app.core.db import utcnow
from app.core.errors import ConflictError, InvalidInput
from app.core.requestcache import forget, per_request
from app.extensions import db
from app.tenants.models import Tenant
from app.tiers import rules
from app.tiers.models import TierProgram

DEFAULT_TIERS = [
    {"name": "Registered", "min_score": "0", "base_margin_pct": "10", "bonus_margin_pct": "5"},
    {"name": "Silver", "min_score": "50", "base_margin_pct": "15", "bonus_margin_pct": "5"},
    {"name": "Gold", "min_score": "75", "base_margin_pct": "20", "bonus_margin_pct": "10"},
]


_PROGRAMME_KEY = ("tiers.programme",)


def _tiers_json(tiers: list[rules.Tier]) -> list[dict]:
    return [{"name": t.name, "min_score": str(t.min_score), "base_margin_pct": str(t.base_margin_pct),
             "bonus_margin_pct": str(t.bonus_margin_pct)} for t in tiers]


def get_programme() -> TierProgram | None:
    """The tenant's programme, read once per request (the cockpit's panels and work items each ask)."""
    return per_request(_PROGRAMME_KEY, lambda: db.session.scalar(select(TierProgram)))


def load_tiers(programme: TierProgram | None = None) -> list[rules.Tier]:
    """The current tenant's tiers as pure values (lowest first)."""
    programme = programme or get_programme()
    if programme is None:
        return []
    return [rules.Tier(t["name"], Decimal(t["min_score"]), Decimal(t["base_margin_pct"]),
                       Decimal(t["bonus_margin_pct"])) for t in programme.tiers]


def save_programme(raw: object, expected_version: int | None = None) -> TierProgram:
    """Replace the tier programme; 422 naming each problem, 409 on a stale version."""
    tiers, errors = rules.validate_tiers(raw)
    if errors:
        raise InvalidInput(errors)
    forget(_PROGRAMME_KEY)  # a programme created below must not be shadowed by a cached "none yet"
    programme = db.session.scalar(select(TierProgram))
    if programme is None:
        programme = TierProgram(id=uuid.uuid4(), tiers=_tiers_json(tiers))
        db.session.add(programme)
        db.session.flush()
        record("tier_program.create", programme, after={"tiers": programme.tiers},
               summary="Tier programme created")
        return programme
    if expected_version is not None and expected_version != programme.version:
        raise ConflictError("Someone else changed the tier programme first. Reload it and apply your change again.")
    before = list(programme.tiers)
    after = _tiers_json(tiers)
    if before != after:
        programme.tiers = after
        programme.updated_at = utcnow()
        db.session.flush()
        record("tier_program.update", programme, before={"tiers": before}, after={"tiers": after},
               summary="Tier programme changed: " + ", ".join(f"{t['name']} from {t['min_score']}" for t in after))
    return programme


def install_default_programme(tenant: Tenant) -> None:
    """Tenant initialiser: Registered / Silver / Gold."""
    del tenant
    if get_programme() is None:
        save_programme(DEFAULT_TIERS)
