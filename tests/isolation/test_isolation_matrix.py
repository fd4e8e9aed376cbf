"""Every route x every role x (own, other partner, other tenant, missing object): T1-T3."""
from __future__ import annotations

import importlib
import pkgutil

import tests.isolation as isolation_pkg
from tests.conftest import login, page_csrf
from tests.isolation.framework import KINDS, OK_STATUSES, ROLES, Route, expected, missing_id
from tests.isolation.world import build_world

RELATIONS = ("own", "other_partner", "other_tenant", "missing")


def _load_specs() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for info in pkgutil.iter_modules(isolation_pkg.__path__):
        if info.name.startswith("spec_"):
            module = importlib.import_module(f"tests.isolation.{info.name}")
            duplicated = set(routes) & set(module.ROUTES)
            assert not duplicated, f"endpoints specified twice: {duplicated}"
            routes.update(module.ROUTES)
    for info in pkgutil.iter_modules(isolation_pkg.__path__):
        if info.name.startswith("kinds_"):
            importlib.import_module(f"tests.isolation.{info.name}")
    return routes


def _build_url(app, rule, route: Route, ids: dict[str, str]) -> str:
    from flask import url_for

    values = dict(route.values)
    values.update(ids)
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _status_matches(want, got: int) -> bool:
    if want == "ok":
        return got in OK_STATUSES
    return got == want


def test_isolation_matrix(app, make, capsys):
    specs = _load_specs()
    rules = [r for r in app.url_map.iter_rules()]
    missing_specs = sorted({r.endpoint for r in rules} - set(specs))
    assert not missing_specs, f"routes without an isolation-matrix entry: {missing_specs}"
    stale = sorted(set(specs) - {r.endpoint for r in rules})
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"

    world = build_world(make)
    objects = {name: {**build(world), "missing": missing_id()} for name, build in KINDS.items()}
    html_clients, csrf = {}, {}
    for role in ROLES:
        c = app.test_client()
        login(c, world.emails[role])
        html_clients[role] = c
        csrf[role] = page_csrf(c)
    anonymous = app.test_client()
    secrets_of_other_tenant = [world.foreign_partner.name, "Beta Vendor"]

    failures: list[str] = []
    cases = 0
    # Reads first, then writes, so a write cannot hide a read's leak.
    ordered = sorted(rules, key=lambda r: (bool((r.methods or set()) - {"GET", "HEAD", "OPTIONS"}), r.rule))
    for rule in ordered:
        route = specs[rule.endpoint]
        methods = route.methods or tuple(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
        is_api = rule.rule.startswith("/api/")
        for method in methods:
            if route.public:
                if rule.endpoint == "auth.logout":
                    continue  # signing out is covered in test_auth
                url = _build_url(app, rule, route, {})
                got = anonymous.open(url, method=method).status_code
                cases += 1
                if got >= 500:
                    failures.append(f"{method} {url} anonymous -> {got}")
                continue
            relations = RELATIONS if route.params else ("none",)
            for relation in relations:
                ids = {}
                if route.params:
                    skip = False
                    for var, kind in route.params.items():
                        object_id = objects[kind].get(relation)
                        if object_id is None:
                            skip = True
                        ids[var] = str(object_id)
                    if skip:
                        continue
                url = _build_url(app, rule, route, ids)
                # Anonymous first: HTML redirects to sign-in, the API answers 401.
                got = anonymous.open(url, method=method, json=route.data if is_api and method != "GET" else None).status_code
                cases += 1
                # A form post without a session has no CSRF token either: 400 is as good as a redirect.
                want_anon = {401} if is_api else ({302} if method == "GET" else {302, 400})
                if got not in want_anon:
                    failures.append(f"{method} {url} anonymous: want {want_anon}, got {got}")
                for role in ROLES:
                    want = expected(route, role, relation if relation != "none" else "none", method)
                    if is_api:
                        response = app.test_client().open(
                            url, method=method, headers={"Authorization": f"Bearer {world.tokens[role]}"},
                            json=(route.data or {}) if method != "GET" else None)
                    else:
                        data = dict(route.data or {})
                        if method != "GET":
                            data["csrf_token"] = csrf[role]
                        response = html_clients[role].open(url, method=method, data=data if method != "GET" else None)
                    cases += 1
                    got = response.status_code
                    if not _status_matches(want, got):
                        failures.append(f"{method} {rule.endpoint} {relation} as {role}: want {want}, got {got}")
                    # Binary answers (the review PDF) are searched as text too, undecodable bytes replaced.
                    body = response.get_data().decode("utf-8", "replace")
                    leaked = [s for s in secrets_of_other_tenant if s in body]
                    if leaked:
                        failures.append(f"{method} {rule.endpoint} {relation} as {role}: leaked {leaked}")
    with capsys.disabled():
        print(f"\nisolation matrix: {cases} cases over {len(rules)} routes, {len(failures)} failures")
    assert not failures, "\n".join(failures)
