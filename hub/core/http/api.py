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

import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..context import Context
from ..eventdata import json_safe
from ..i18n import Text
from ..permissions import PermissionDenied
from ..services import ServiceNotFound, ServiceValidationError
from ..state import State
from .api_errors import json_error, language_of
from .auth import CONTEXT, SESSION_COOKIE, Auth, person_json
from .auth_scope import token_name
from .body import BodyRefused, decode_body, read_body

if TYPE_CHECKING:
    from ..hub import Hub

_LOGGER = logging.getLogger(__name__)


class Api:
    def __init__(self, hub: Hub, auth: Auth) -> None:
        self.hub = hub
        self.auth = auth

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/healthz", self.healthz),
            web.get("/api/me", self.me),
            web.get("/api/states", self.states),
            web.get("/api/states/{entity_id}", self.state),
            web.post("/api/services/{domain}/{service}", self.call_service),
        ]

    def _lang(self, request: web.Request) -> str:
        person = self.auth.person(request.get(CONTEXT))
        return language_of(request, person.language if person else None, self.hub.language)

    def _error(
        self, request: web.Request, status: int, code: str, message: Text, **more: Any
    ) -> web.Response:
        return json_error(status, code, message, self._lang(request), **more)

    def _denied(self, request: web.Request, err: PermissionDenied, entity_id: str | None = None):
        return self.auth.refuse(
            request,
            403,
            "forbidden",
            err.args[0] if isinstance(err.args[0], Text) else Text("auth.error.unauthorized"),
            context=request.get(CONTEXT),
            entity_id=entity_id,
        )

    async def healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "stage": self.hub.stage})

    async def me(self, request: web.Request) -> web.Response:
        context: Context = request[CONTEXT]
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
        context: Context = request[CONTEXT]
        query = request.query
        domain = query.get("domain") or None
        sites = _listed(query.getall("site", []))
        areas = _listed(query.getall("area", []))
        found = []
        for state in self.hub.states.visible(context, domain):
            if sites and self._site_of(state) not in sites:
                continue
            if areas and state.attributes.get("area") not in areas:
                continue
            found.append(state_json(state))
        return web.json_response(found)

    async def state(self, request: web.Request) -> web.Response:
        entity_id = request.match_info["entity_id"]
        try:
            state = self.hub.states.read(entity_id, request[CONTEXT])
        except PermissionDenied as err:
            return self._denied(request, err, entity_id)
        if state is None:
            return self._error(
                request, 404, "not_found", Text("api.no_entity", entity_id=entity_id)
            )
        return web.json_response(state_json(state))

    async def call_service(self, request: web.Request) -> web.Response:
        domain, service = request.match_info["domain"], request.match_info["service"]
        try:
            body = decode_body(request, await read_body(request, self.auth.body_timeout))
        except BodyRefused as refused:
            return self._error(request, refused.status, "bad_request", refused.reason)
        data = body.get("json", {}) if body else {}
        if not isinstance(data, dict) or ("data" in body):
            return self._error(request, 400, "bad_request", Text("api.body_not_object"))
        try:
            response = await self.hub.services.call(domain, service, data, request[CONTEXT])
        except ServiceNotFound as err:
            return self._error(request, 404, "unknown_service", err.args[0])
        except ServiceValidationError as err:
            keys = _refused_keys(err)
            return self._error(request, 400, "invalid_data", err.args[0], keys=keys)
        except PermissionDenied as err:
            return self._denied(request, err)
        except Exception:
            # the handler's fault: the operator gets the traceback, the caller no detail
            _LOGGER.exception("API call of %s.%s failed", domain, service)
            return self._error(request, 500, "failed", Text("api.call_failed"))
        return web.json_response({"response": json_safe(response)})

    def _site_of(self, state: State) -> str | None:
        site_of = getattr(self.hub.policy, "site_of", None)
        if site_of is not None:
            return site_of(state.entity_id)  # type: ignore[no-any-return]
        site = state.attributes.get("site")
        return site if isinstance(site, str) else None


def _listed(values: list[str]) -> set[str]:
    return {v.strip() for value in values for v in value.split(",") if v.strip()}


def state_json(state: State) -> dict[str, Any]:
    return {
        "entity_id": state.entity_id,
        "state": state.state,
        "attributes": json_safe(dict(state.attributes)),
        "last_changed": state.last_changed,
        "last_updated": state.last_updated,
        "context": {"id": state.context.id} if state.context is not None else None,
    }


def _refused_keys(err: ServiceValidationError) -> list[str]:
    """The keys the schema refused, from the error's words."""
    text = err.args[0]
    parts = text.values.get("errors", []) if isinstance(text, Text) else []
    return [str(p.values.get("where")) for p in parts if isinstance(p, Text)]
