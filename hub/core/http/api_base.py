"""What every group of API routes shares: the reader's language, JSON
errors, the permission check through the hub's policy, a JSON body read
within the limits, query values, and a service call whose failures become
the right answer (never a traceback).

A handler may raise `Refused(status, code, Text)` anywhere: the route's
wrapper answers it as `{"error": {...}}`; a PermissionDenied is a 403 that
is logged and audited like every refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..alarms.escalation import AlarmError
from ..context import Context
from ..i18n import Text
from ..permissions import PermissionDenied
from ..platform import DeviceError
from ..services import ServiceNotFound, ServiceValidationError
from .api_errors import json_error, language_of
from .auth import CONTEXT, Auth
from .body import BodyRefused, decode_body, read_body
from .openapi import ApiRoute, Handler

if TYPE_CHECKING:
    from ..hub import Hub

_LOGGER = logging.getLogger(__package__)

MAX_LIMIT = 1000


class Refused(Exception):
    """An answer other than 200 that a handler gives by raising."""

    def __init__(self, status: int, code: str, message: Text, **more: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.more = more


class Routes:
    """A group of routes of one hub; `api_routes()` says them with their specs."""

    def __init__(self, hub: Hub, auth: Auth, settings: Mapping[str, Any]) -> None:
        self.hub = hub
        self.auth = auth
        self.settings = settings

    def api_routes(self) -> list[ApiRoute]:
        raise NotImplementedError

    def route(self, method: str, path: str, handler: Handler, spec: Mapping[str, Any]) -> ApiRoute:
        async def guarded(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request)
            except Refused as refused:
                return self.error(
                    request, refused.status, refused.code, refused.message, **refused.more
                )
            except PermissionDenied as err:
                return self.denied(request, err, entity_id=request.match_info.get("entity_id"))

        return ApiRoute(method, path, guarded, spec)

    # -- who asks, in which language -------------------------------------------------

    def context(self, request: web.Request) -> Context:
        context = request.get(CONTEXT)
        if context is None:  # the auth slot lets no one without a person reach a route
            raise web.HTTPUnauthorized()
        return context

    def lang(self, request: web.Request) -> str:
        person = self.auth.person(request.get(CONTEXT))
        return language_of(request, person.language if person else None, self.hub.language)

    def error(
        self, request: web.Request, status: int, code: str, message: Text, **more: Any
    ) -> web.Response:
        return json_error(status, code, message, self.lang(request), **more)

    def denied(
        self,
        request: web.Request,
        err: PermissionDenied | Text | None = None,
        *,
        entity_id: str | None = None,
    ) -> web.Response:
        """403, logged once and audited as every refusal is."""
        if isinstance(err, PermissionDenied):
            message = err.args[0] if isinstance(err.args[0], Text) else None
        else:
            message = err
        return self.auth.refuse(
            request,
            403,
            "forbidden",
            message or Text("auth.error.unauthorized"),
            context=request.get(CONTEXT),
            entity_id=entity_id,
        )

    def may(self, context: Context, site: str | None, action: str) -> bool:
        """The hub's policy: the person's role on `site`, within a token's sites."""
        return bool(self.hub.policy.may_site(context, site, action))

    def require(self, context: Context, site: str | None, action: str) -> None:
        if not self.may(context, site, action):
            where = site or Text("api.every_site")
            raise PermissionDenied(
                Text(f"api.denied.{action}", who=context.who, site=where), context
            )

    def site_of(self, entity_id: str) -> str | None:
        site_of = getattr(self.hub.policy, "site_of", None)
        if site_of is not None:
            return site_of(entity_id)  # type: ignore[no-any-return]
        state = self.hub.states.get(entity_id)
        site = state.attributes.get("site") if state is not None else None
        return site if isinstance(site, str) else None

    # -- what was sent ---------------------------------------------------------------

    async def json_object(self, request: web.Request) -> dict[str, Any]:
        """The body as a JSON object ({} when there is none)."""
        try:
            body = decode_body(request, await read_body(request, self.auth.body_timeout))
        except BodyRefused as refused:
            raise Refused(refused.status, "bad_request", refused.reason) from None
        data = body.get("json", {}) if body else {}
        if not isinstance(data, dict) or ("data" in body):
            raise Refused(400, "bad_request", Text("api.body_not_object"))
        return data

    @staticmethod
    def number(request: web.Request, name: str) -> float | None:
        value = request.query.get(name)
        if value is None or value == "":
            return None
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if number != number or number in (float("inf"), float("-inf")):
            raise Refused(400, "bad_query", Text("api.bad_number", name=name))
        return number

    @classmethod
    def limit(cls, request: web.Request, default: int = 100) -> int:
        value = cls.number(request, "limit")
        if value is None:
            return default
        if value < 1 or value != int(value):
            raise Refused(400, "bad_query", Text("api.bad_limit", most=MAX_LIMIT))
        return min(int(value), MAX_LIMIT)

    @staticmethod
    def listed(request: web.Request, name: str) -> set[str]:
        """`?site=a,b&site=c` as {"a", "b", "c"}."""
        return {
            v.strip() for value in request.query.getall(name, []) for v in value.split(",") if v
        } - {""}

    # -- doing -----------------------------------------------------------------------

    def recorder(self) -> Any:
        recorder = self.hub.recorder
        if not recorder.running:
            raise Refused(503, "recorder_off", Text("api.recorder_off"))
        return recorder

    async def call(
        self, request: web.Request, domain: str, service: str, data: Mapping[str, Any]
    ) -> Any:
        """Call a service as the caller; its refusals become answers."""
        try:
            return await self.hub.services.call(domain, service, data, self.context(request))
        except ServiceNotFound as err:
            raise Refused(404, "unknown_service", err.args[0]) from None
        except ServiceValidationError as err:
            raise Refused(400, "invalid_data", err.args[0], keys=_refused_keys(err)) from None
        except PermissionDenied:
            raise
        except (DeviceError, AlarmError) as err:  # a wrong arming code, an alarm not open
            raise Refused(409, "refused", _text(err)) from None
        except Exception:
            # the handler's fault: the operator gets the traceback, the caller no detail
            _LOGGER.exception("API call of %s.%s failed", domain, service)
            raise Refused(500, "failed", Text("api.call_failed")) from None


def _text(err: BaseException) -> Text:
    said = err.args[0] if err.args else None
    return said if isinstance(said, Text) else Text("api.refused", why=str(said or err))


def _refused_keys(err: ServiceValidationError) -> list[str]:
    """The keys the schema refused, from the error's words."""
    text = err.args[0]
    parts = text.values.get("errors", []) if isinstance(text, Text) else []
    return [str(p.values.get("where")) for p in parts if isinstance(p, Text)]
