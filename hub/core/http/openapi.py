"""The API's OpenAPI 3.1 document, built from the routes themselves.

Each route group (api.py, api_alarms.py, ...) declares its routes as
`ApiRoute`s: the method, the path, the handler and a small spec next to it
(`operation(...)`). make_app registers the handlers and keeps the specs;
`GET /api/openapi.json` answers the document they make, so a route cannot be
served without being documented (tests/http/test_openapi.py checks both ways).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

OPENAPI_PATH = "/api/openapi.json"
JSON = "application/json"

_PARAM = re.compile(r"\{([^}:]+)(:[^}]*)?\}")

# the answers every signed-in route may give besides its own
_REFUSALS = {
    401: "Not signed in, or the session or token is no longer valid.",
    403: "The caller's role, sites or token do not allow it (or a missing CSRF token).",
}
_WORDS = {
    400: "The request is not what the route takes; the error names what.",
    404: "Not found.",
    405: "The method is not one this webhook takes.",
    408: "The body did not arrive in time (http.body_timeout).",
    409: "The device or alarm refused; the error says why.",
    413: "The body is larger than the hub takes.",
    429: "Too many tries: wait (Retry-After) and try again.",
    503: "The recorder (or the room the route needs) is not running, or the hub is busy.",
}


@dataclass(frozen=True, slots=True)
class ApiRoute:
    """One route: what aiohttp serves and what the document says of it."""

    method: str
    path: str
    handler: Handler
    spec: Mapping[str, Any]

    def route_def(self) -> web.RouteDef:
        return web.route(self.method, self.path, self.handler)


def query(name: str, description: str, kind: str = "string", **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": kind, **schema},
    }


def header(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
    }


def obj(properties: Mapping[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    """A JSON object schema (any further keys allowed unless said)."""
    schema: dict[str, Any] = {"type": "object"}
    if properties:
        schema["properties"] = dict(properties)
    schema.update(more)
    return schema


def operation(
    summary: str,
    tag: str,
    *,
    params: Iterable[Mapping[str, Any]] = (),
    body: Mapping[str, Any] | None = None,
    body_required: bool = False,
    result: Mapping[str, Any] | None = None,
    media: str = JSON,
    errors: Iterable[int] = (),
    public: bool = False,
) -> dict[str, Any]:
    """The spec of one route: `result` is the 200 answer's schema, `errors`
    the statuses it gives besides 401/403 (a `public` route gives neither)."""
    responses: dict[str, Any] = {
        "200": {"description": "OK", "content": {media: {"schema": dict(result or {})}}}
    }
    codes = set(errors) | (set() if public else set(_REFUSALS))
    for status in sorted(codes):
        responses[str(status)] = {"$ref": f"#/components/responses/E{status}"}
    spec: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": responses}
    if params:
        spec["parameters"] = [dict(p) for p in params]
    if body is not None:
        spec["requestBody"] = {
            "required": body_required,
            "content": {JSON: {"schema": dict(body)}},
        }
    if public:
        spec["security"] = []
    return spec


def openapi_path(path: str) -> str:
    """aiohttp's `/api/states/{entity_id}` (or `{name:regex}`) as OpenAPI writes it."""
    return _PARAM.sub(lambda m: "{" + m.group(1) + "}", path)


def _path_params(path: str) -> list[dict[str, Any]]:
    return [
        {"name": m.group(1), "in": "path", "required": True, "schema": {"type": "string"}}
        for m in _PARAM.finditer(path)
    ]


def document(routes: Iterable[ApiRoute], version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        path = openapi_path(route.path)
        methods = ("get", "post", "put") if route.method == "*" else (route.method.lower(),)
        for method in methods:
            spec = dict(route.spec)
            params = _path_params(route.path)
            if params or "parameters" in spec:
                spec["parameters"] = params + list(spec.get("parameters", ()))
            spec["operationId"] = f"{method}_{_slug(path)}"
            paths.setdefault(path, {})[method] = spec
    error = obj(
        {
            "error": obj(
                {"code": {"type": "string"}, "message": {"type": "string"}},
                required=["code", "message"],
            )
        },
        required=["error"],
    )
    statuses = {**_REFUSALS, **_WORDS}
    used = {
        int(ref["$ref"].removeprefix("#/components/responses/E"))
        for item in paths.values()
        for spec in item.values()
        for ref in spec["responses"].values()
        if "$ref" in ref
    }
    unknown = sorted(used - set(statuses))
    if unknown:  # a route names a status the document has no words for
        raise ValueError(f"no description of HTTP {unknown} in openapi._WORDS")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sigap hub API",
            "version": version,
            "description": "The hub's REST and WebSocket API (docs/http.md).",
        },
        "servers": [{"url": "/"}],
        "security": [{"session": []}, {"token": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "sigap_session"},
                "token": {"type": "http", "scheme": "bearer"},
            },
            "schemas": {"Error": error},
            "responses": {
                f"E{status}": {
                    "description": words,
                    "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
                for status, words in sorted(statuses.items())
                if status in used
            },
        },
    }


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_") or "root"
