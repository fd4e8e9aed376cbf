"""The isolation matrix (T1-T3): every route x every role x own / other partner / other tenant /
missing object, with the expected status. Feature packages add two things here:

- object kinds: `register_kind("partner", build)` where build(world) returns
  {"own": id, "other_partner": id or None, "other_tenant": id}; "missing" is added for them;
- route specs: a module `tests/isolation/spec_<feature>.py` with `ROUTES = {endpoint: Route(...)}`.

A route in `app.url_map` without a spec fails the suite, so no new route escapes the matrix.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Callable

CSDM = "cs_development_manager"
# The CS Development Manager's "own" partner is in its region (the world assigns it EMEA, where the
# own partner is); the other partner is outside its regions.
VENDOR = ("vendor_admin", "channel_manager", CSDM, "vendor_viewer")
PARTNER = ("partner_admin", "partner_user")
ROLES = VENDOR + PARTNER
EVERYONE = {r: {"own", "other_partner", "none"} for r in ROLES}
OK_STATUSES = {200, 201, 202, 204, 302, 303, 400, 409, 422}


@dataclass
class Route:
    """What a route allows. `allow[role]` holds the relations ('own', 'other_partner', 'none')
    for which that role may act; a visible object outside it answers 403. Partner-side roles
    never see another partner's object (404), nobody sees another tenant's or a missing one (404).
    A spec whose `allow` does not name the CS Development Manager gives it what `vendor_viewer`
    gets (read, never write), so specs written before the role, or without it in mind, hold it
    to read-only; a spec names it to let it do more (its regions' checklists, touches, training).
    """
    params: dict[str, str] = field(default_factory=dict)  # url variable -> object kind
    values: dict[str, str] = field(default_factory=dict)  # url variable -> fixed value (not an object)
    allow: dict[str, set[str]] = field(default_factory=dict)
    methods: tuple[str, ...] | None = None  # default: every method of the rule
    data: dict | None = None  # form fields (HTML) or JSON body (API) for writes
    public: bool = False  # needs no tenant (sign-in pages): anonymous must not get 5xx
    # Optional override: expect(role, relation, method) -> "ok" | 403 | 404 | None (use the default).
    expect: Callable | None = None
    note: str = ""


KINDS: dict[str, Callable] = {}


def register_kind(name: str, build: Callable) -> None:
    KINDS[name] = build


def vendor_read(*, write_roles: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """Every vendor role may read; writes as given."""
    allow = {r: {"own", "other_partner", "none"} for r in VENDOR}
    return allow if write_roles is None else write_roles


def expected(route: Route, role: str, relation: str, method: str):
    """'ok', 403 or 404 for a signed-in role."""
    if route.expect is not None:
        decided = route.expect(role, relation, method)
        if decided is not None:
            return decided
    if role == CSDM and CSDM not in route.allow:
        return expected(route, "vendor_viewer", relation, method)
    if relation in ("other_tenant", "missing"):
        return 404
    if relation == "other_partner" and role in PARTNER:
        return 404
    return "ok" if relation in route.allow.get(role, set()) else 403


def missing_id() -> str:
    return str(uuid.uuid4())
