"""The OpenAPI document, built from the API's URL rules so it never drifts from the routes."""
from __future__ import annotations

import re
from typing import Any, Callable

from flask import current_app

from app.api import contract
from app.api.helpers import CURSOR_PATTERN
from app.api.openapi_shapes import FILLED, PERIOD, UUID_PATTERN, filled_text  # noqa: F401  (shared shapes)

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
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string", "pattern": CURSOR_PATTERN},
     "description": "The next_cursor of the previous page (opaque; empty or absent: the first page). A cursor in another form answers 422; a "
                    "well-formed cursor this list did not issue points at nothing and answers an empty last "
                    "page (items [], next_cursor null)."},
    {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 200},
     "description": "Items per page (most lists give 50 without it)."},
]


def documented(request: type[contract.Body] | None = None, response: dict | type[contract.Out] | None = None,
               status: int = 200,
               query: list[dict] | None = None, body_optional: bool = False,
               media_type: str = "application/json") -> Callable:
    """Attach the request model, response schema (and query parameters) to an API view for the OpenAPI document.

    request: a pydantic model (a subclass of contract.Body); it validates the body (json_body) and its
    JSON Schema is the document's request body, so the two cannot drift. A dict is refused.
    response: a response model (contract.Out), whose JSON Schema is the documented answer; only a
    non-JSON answer (media_type, e.g. a PDF) gives its schema as a dict.
    body_optional: the view reads its body with json_body(optional=True), so no body is fine.
    """
    if request is not None and not contract.is_model(request):
        raise TypeError("@documented(request=...) takes a pydantic model (app.api.contract.Body), not a dict")
    if response is not None and not contract.is_model(response) and media_type == "application/json":
        # One source of truth: a JSON answer is a model (app.api.contract.Out); only a file (a PDF) is a schema
        raise TypeError("@documented(response=...) of a JSON answer takes a pydantic model (app.api.contract.Out)")
    model = request
    response_model = response if contract.is_model(response) else None

    def wrap(view):
        view.openapi = {"request": contract.json_schema(model) if model else None, "model": model,
                        "response": contract.json_schema(response_model) if response_model else response,
                        "response_model": response_model, "status": status, "query": query or [],
                        "body_optional": body_optional, "media_type": media_type}
        return view
    return wrap


# Path variables the URL rule types only as text, described as the views accept them.
PATH_PARAMETER_SCHEMAS = {"period": PERIOD}


def _param_schema(converter: str | None, args: str | None, name: str) -> dict:
    if converter == "uuid":
        return {"type": "string", "format": "uuid"}
    if converter == "any":
        return {"type": "string", "enum": [a.strip().strip("'\"") for a in (args or "").split(",")]}
    return dict(PATH_PARAMETER_SCHEMAS.get(name, {"type": "string"}))


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []

    def repl(match: re.Match) -> str:
        converter, args, name = match.group(1), match.group(2), match.group(3)
        params.append({"name": name, "in": "path", "required": True, "schema": _param_schema(converter, args, name)})
        return "{" + name + "}"

    path = re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", repl, rule)
    return path.removeprefix("/api/v1"), params


def closed(schema: dict) -> dict:
    """The body schema as json_body checks it: top-level fields not listed are refused (422)."""
    if schema.get("type") == "object" and "properties" in schema and "additionalProperties" not in schema:
        return {**schema, "additionalProperties": False}
    return schema


def _path_params(path: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", path)


def _link_parameters(creator_path: str, body: set[str], collection: str | None, target_path: str) -> dict | None:
    """How a target operation's path variables come from a creating call, or None if they cannot."""
    params: dict[str, str] = {}
    own = set(_path_params(creator_path))
    from_body = False
    for name in _path_params(target_path):
        if collection and f"/{collection}/{{{name}}}" in target_path:
            params[name], from_body = "$response.body#/id", True
        elif name in own:
            params[name] = f"$request.path.{name}"
        elif name in body:
            params[name], from_body = f"$response.body#/{name}", True
        else:
            params[name] = ""  # filled per enum value by the caller, else the link is dropped
    return params if from_body else None


def add_links(paths: dict[str, dict]) -> None:
    """OpenAPI links from each creating operation (201 with an id) to the operations that use what it made.

    The new id fills a target's variable that follows the creator's collection segment
    (POST /partners/{p}/agreements -> /agreements/{agreement_id}/accept); the creator's own path
    variables and the created object's fields fill the others (-> /partners/{p}/quarters/{period}/close);
    an enumerated variable gives one link per value (/data-requests/{id}/accept and /decline).
    """
    for creator_path, item in paths.items():
        for method, op in item.items():
            created = op["responses"].get("201")
            schema = (created or {}).get("content", {}).get("application/json", {}).get("schema", {})
            body = set((schema.get("properties") or {}))
            if method != "post" or "id" not in body:
                continue
            segments = [s for s in creator_path.split("/") if s and not s.startswith("{")]
            collection = segments[-1] if creator_path.rstrip("/").split("/")[-1] == segments[-1] else None
            links: dict[str, dict] = {}
            for target_path, target_item in paths.items():
                if target_path == creator_path:
                    continue
                shares_own = bool(set(_path_params(creator_path)) & set(_path_params(target_path)))
                by_collection = collection is not None and re.search(rf"/{re.escape(collection)}/\{{\w+\}}", target_path)
                if not (by_collection or shares_own):
                    continue
                params = _link_parameters(creator_path, body, collection, target_path)
                if params is None:
                    continue
                for target_method, target in target_item.items():
                    open_vars = [n for n, v in params.items() if v == ""]
                    choices = [{}]
                    for name in open_vars:
                        spec = next((p["schema"] for p in target["parameters"] if p["name"] == name), {})
                        if "enum" not in spec:
                            choices = []
                            break
                        choices = [{**c, name: v} for c in choices for v in spec["enum"]]
                    for choice in choices:
                        suffix = "".join(f"_{v}" for v in choice.values())
                        links[target["operationId"] + suffix] = {
                            "operationId": target["operationId"],
                            "parameters": {**{n: v for n, v in params.items() if v != ""}, **choice},
                            "description": f"{target_method.upper()} {target_path} with what this call created.",
                        }
            if links:
                created["links"] = dict(sorted(links.items()))


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
                    "content": {meta.get("media_type", "application/json"): {
                        "schema": meta.get("response") or {"type": "object"}}}}},
            }
            if method == "POST":
                op["parameters"] = op["parameters"] + [IDEMPOTENCY_PARAMETER]
            answer = meta.get("response") or {}
            if (method == "GET" and "next_cursor" in (answer.get("properties") or {})
                    and not any(p["name"] == "cursor" for p in op["parameters"])):
                op["parameters"] = op["parameters"] + PAGE_PARAMETERS  # a cursor-paged list takes both
            if method in ("POST", "PUT", "PATCH") and getattr(view, "takes_upload", False):
                op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary", "contentMediaType": "text/csv"}}}}}}
            elif method in ("POST", "PUT", "PATCH") and meta.get("request"):
                op["requestBody"] = {"required": not meta.get("body_optional", False),
                                     "content": {"application/json": {"schema": closed(meta["request"])}}}
            for code, text in STANDARD_ERRORS.items():
                op["responses"][code] = {"description": text, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            paths.setdefault(path, {})[method.lower()] = op
    paths = dict(sorted(paths.items()))
    add_links(paths)
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
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
