"""Every JSON write operation of the API, with real ids and a role allowed to call it.

Built from the isolation matrix's world and route specs, so a new operation is covered as soon as
it has its matrix entry (which the matrix already insists on).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from tests.isolation.framework import KINDS, ROLES, expected
from tests.isolation.test_isolation_matrix import _load_specs
from tests.isolation.world import build_world

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@dataclass
class Operation:
    endpoint: str
    method: str
    url: str
    role: str
    token: str
    schema: dict | None
    view: object


def write_operations(app, make) -> list[Operation]:
    """One Operation per API rule and write method, as the first role the matrix allows on own objects."""
    specs = _load_specs()
    world = build_world(make)
    objects = {name: build(world) for name, build in KINDS.items()}
    ops = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/"):
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(set(rule.methods or ()) & set(WRITE_METHODS)):
            route = specs[rule.endpoint]
            relation = "own" if route.params else "none"
            role = next((r for r in ROLES if expected(route, r, relation, method) == "ok"), "vendor_admin")
            values = dict(route.values)
            values.update({var: str(objects[kind]["own"]) for var, kind in route.params.items()})
            with app.test_request_context():
                url = url_for(rule.endpoint, **values)
            ops.append(Operation(rule.endpoint, method, url, role, world.tokens[role],
                                 (getattr(view, "openapi", None) or {}).get("request"), view))
    return ops


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
