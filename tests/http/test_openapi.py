"""GET /api/openapi.json is the API as served: an OpenAPI 3.1 document with
every route the app serves and no route it does not."""

from __future__ import annotations

from hub.core.http.openapi import openapi_path

from .api_hub import api_hub  # noqa: F401
from .auth_hub import auth_hub  # noqa: F401


def _served(app) -> set[tuple[str, str]]:
    found = set()
    for route in app.router.routes():
        resource = route.resource
        if resource is None or route.method == "HEAD":
            continue
        path = openapi_path(resource.canonical)
        methods = ("get", "post", "put") if route.method == "*" else (route.method.lower(),)
        found.update((method, path) for method in methods)
    return found


async def test_the_document_names_every_route_and_only_those(api_hub):  # noqa: F811
    api = await api_hub()
    admin = await api.served.as_role("admin")
    response = await admin.request("GET", "/api/openapi.json")
    assert response.status == 200
    document = await response.json()
    assert document["openapi"] == "3.1.0"
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert documented == _served(api.served.first.server.app)
    assert {"/api/alarms", "/api/websocket", "/api/cameras/{entity_id}/snapshot"} <= set(
        document["paths"]
    )
    for path, item in document["paths"].items():
        for method, spec in item.items():
            assert spec["summary"] and spec["responses"]["200"], (method, path)
            names = {p["name"] for p in spec.get("parameters", ()) if p["in"] == "path"}
            assert names == set(path.replace("}", "{").split("{")[1::2]), (method, path)
    ids = [spec["operationId"] for item in document["paths"].values() for spec in item.values()]
    assert len(ids) == len(set(ids))
