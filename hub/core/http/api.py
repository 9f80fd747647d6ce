"""The REST API's base under /api: states, service calls and who am I.

Every route reads and calls with the request's Context (hub/core/http/auth.py),
so the hub's policy decides what a person or token may see and do: states
one may not read are left out of lists and answered 403 by id; a refused
call is 403, data that does not fit the service's schema 400 naming the
key. Errors are JSON `{"error": {"code", "message"}}` in the reader's
language; an answer never carries a secret (service responses go through
the same masking as the audit).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..eventdata import json_safe
from ..i18n import Text
from ..permissions import PermissionDenied
from ..state import State
from .api_base import Routes
from .auth import SESSION_COOKIE, person_json
from .auth_scope import token_name
from .openapi import ApiRoute, obj, operation, query


class Api(Routes):
    def api_routes(self) -> list[ApiRoute]:
        entity = obj(
            {
                "entity_id": {"type": "string"},
                "state": {"type": "string"},
                "attributes": obj(),
                "last_changed": {"type": "number"},
                "last_updated": {"type": "number"},
            }
        )
        return [
            self.route(
                "GET",
                "/healthz",
                self.healthz,
                operation("Whether the hub is up (no sign-in)", "hub", public=True),
            ),
            self.route("GET", "/api/me", self.me, operation("Who is asking", "auth", result=obj())),
            self.route(
                "GET",
                "/api/states",
                self.states,
                operation(
                    "The states the caller may see",
                    "states",
                    params=[
                        query("domain", "only this domain (door, camera, ...)"),
                        query("site", "only these sites (comma-separated)"),
                        query("area", "only these areas (comma-separated)"),
                    ],
                    result={"type": "array", "items": entity},
                ),
            ),
            self.route(
                "GET",
                "/api/states/{entity_id}",
                self.state,
                operation("One entity's state", "states", result=entity, errors=[404]),
            ),
            self.route(
                "POST",
                "/api/services/{domain}/{service}",
                self.call_service,
                operation(
                    "Call a service as the caller (validated by its schema)",
                    "services",
                    body=obj(),
                    result=obj({"response": {}}),
                    errors=[400, 404, 409],
                ),
            ),
        ]

    async def healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "stage": self.hub.stage})

    async def me(self, request: web.Request) -> web.Response:
        context = self.context(request)
        person = self.auth.person(context)
        if person is None:  # the middleware lets no one without a person here
            raise web.HTTPUnauthorized()
        answer = person_json(person)
        name = token_name(context)
        if name is not None:
            answer["via"] = "token"
            answer["token"] = {"name": name, "sites": list(self.auth.token_sites(name) or ["*"])}
        else:
            answer["via"] = "session"
            session = self.auth.sessions.get(
                request.cookies.get(SESSION_COOKIE, ""), self.auth.store.password_hash
            )
            if session is not None:
                answer["csrf_token"] = session.csrf
        return web.json_response(answer)

    async def states(self, request: web.Request) -> web.Response:
        context = self.context(request)
        domain = request.query.get("domain") or None
        sites = self.listed(request, "site")
        areas = self.listed(request, "area")
        found = []
        for state in self.hub.states.visible(context, domain):
            if sites and self.site_of(state.entity_id) not in sites:
                continue
            if areas and state.attributes.get("area") not in areas:
                continue
            found.append(state_json(state))
        return web.json_response(found)

    async def state(self, request: web.Request) -> web.Response:
        entity_id = request.match_info["entity_id"]
        try:
            state = self.hub.states.read(entity_id, self.context(request))
        except PermissionDenied as err:
            return self.denied(request, err, entity_id=entity_id)
        if state is None:
            return self.error(request, 404, "not_found", Text("api.no_entity", entity_id=entity_id))
        return web.json_response(state_json(state))

    async def call_service(self, request: web.Request) -> web.Response:
        domain, service = request.match_info["domain"], request.match_info["service"]
        data = await self.json_object(request)
        response = await self.call(request, domain, service, data)
        return web.json_response({"response": json_safe(response)})


def state_json(state: State) -> dict[str, Any]:
    return {
        "entity_id": state.entity_id,
        "state": state.state,
        "attributes": json_safe(dict(state.attributes)),
        "last_changed": state.last_changed,
        "last_updated": state.last_updated,
        "context": {"id": state.context.id} if state.context is not None else None,
    }
