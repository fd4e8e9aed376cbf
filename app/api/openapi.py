"""The OpenAPI document, built from the API's URL rules so it never drifts from the routes."""
from __future__ import annotations

import re
from typing import Any, Callable

from flask import current_app

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}},
}
STANDARD_ERRORS = {
    "401": "No or bad bearer token", "403": "Your role may not do that",
    "404": "Not found, or not yours", "409": "Conflict (stale version, locked quarter)",
    "422": "Invalid input, with per-field messages",
}


IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255,
               "pattern": "^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$"},
    "description": "Send the same key with the same body to get the first successful answer again "
                   "(marked Idempotent-Replayed: true) without the work being done twice; keys live 24 hours per "
                   "token; the same key with another body answers 422.",
}
PAGE_PARAMETERS = [
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "The next_cursor of the previous page."},
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
]


def documented(request: dict | None = None, response: dict | None = None, status: int = 200,
               query: list[dict] | None = None) -> Callable:
    """Attach request and response schemas (and query parameters) to an API view for the OpenAPI document."""
    def wrap(view):
        view.openapi = {"request": request, "response": response, "status": status, "query": query or []}
        return view
    return wrap


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []

    def repl(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        params.append({"name": name, "in": "path", "required": True,
                       "schema": {"type": "string", "format": "uuid"} if converter == "uuid" else {"type": "string"}})
        return "{" + name + "}"

    path = re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", repl, rule)
    return path.removeprefix("/api/v1"), params


def build_document() -> dict[str, Any]:
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        view = current_app.view_functions[rule.endpoint]
        meta = getattr(view, "openapi", {}) or {}
        path, params = _path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            doc = (view.__doc__ or rule.endpoint).strip().splitlines()[0]
            op: dict[str, Any] = {
                "operationId": f"{rule.endpoint}_{method.lower()}",
                "summary": doc,
                "parameters": params + list(meta.get("query") or []),
                "security": [{"bearer": []}],
                "responses": {str(meta.get("status", 200) if method != "GET" else 200): {
                    "description": "OK",
                    "content": {"application/json": {"schema": meta.get("response") or {"type": "object"}}}}},
            }
            if method == "POST":
                op["parameters"] = op["parameters"] + [IDEMPOTENCY_PARAMETER]
            if method in ("POST", "PUT", "PATCH") and meta.get("request"):
                op["requestBody"] = {"required": True, "content": {"application/json": {"schema": meta["request"]}}}
            for code, text in STANDARD_ERRORS.items():
                op["responses"][code] = {"description": text, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tandem API", "version": "1.0.0",
                 "description": (
                     "Channel partner portal API. Authenticate with Authorization: Bearer <token>. "
                     "Bodies are checked against these request schemas: a field of another type, or a "
                     "top-level field not listed, answers 422 naming it; numbers may also be sent as "
                     "decimal text (\"17.25\"). Bodies are at most MAX_CONTENT_LENGTH bytes (413) and "
                     "32 levels deep (422).")},
        "servers": [{"url": "/api/v1"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
