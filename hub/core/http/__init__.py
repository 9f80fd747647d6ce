"""The hub's HTTP server: an aiohttp app factory, the REST API (api*.py),
the WebSocket API (websocket.py), its OpenAPI document (openapi.py),
webhooks (`/api/webhook/<id>`, what the automation `webhook` trigger
listens on) and plugins' routes from `sigap_http_routes`, mounted under
`/api/plugins/<plugin name>/`. It runs only when configuration.yaml has an
`http:` section (docs/http.md).

Every /api/ route but the sign-in, webhooks and plugins' routes needs a
signed-in person or an API token (hub/core/http/auth.py); it listens on
127.0.0.1 unless `server_host` says otherwise. A caller gets `header_timeout` seconds to send
a whole request head (after connecting, and between requests on one
connection), `body_timeout` to send the body, and at most `max_connections`
are open at once (see docs/http.md).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import voluptuous as vol
from aiohttp import web

from ..config.validators import any_port, seconds
from ..hookspecs import hookimpl
from ..hub import StartupFailed
from ..i18n import Text
from ..keys import HubKey
from ..lograte import LogRate, shown
from ..people import ROLE_ACTIONS
from .api import Api
from .api_alarms import AlarmRoutes
from .api_base import Routes
from .api_media import MediaRoutes
from .api_records import RecordRoutes
from .auth import AUTH_SETTINGS, AUTH_STATE, LOGIN_PATH, LOGOUT_PATH, auth_of, first_admin_hint
from .body import MAX_BODY, BodyRefused, read_body
from .callers import network
from .live import LiveRoute
from .metrics import METRICS, METRICS_PATH
from .metrics import handler as metrics_handler
from .openapi import OPENAPI_PATH, ApiRoute, document, obj, operation
from .serverlog import ServerLog
from .site import CappedSite
from .static import Dashboard, reserved
from .webhooks import WEBHOOKS, Webhooks, handle_webhook
from .websocket import WEBSOCKETS, WebSocketApi

if TYPE_CHECKING:
    from ..hub import Hub

__all__ = [
    "AUTH",
    "HTTP",
    "WEBHOOKS",
    "HttpServer",
    "Webhooks",
    "make_app",
    "no_auth",
    "runner_options",
    "settings_of",
]

_LOGGER = logging.getLogger(__name__)


HTTP_SECTION = vol.Schema(
    {
        vol.Optional("server_host", default="127.0.0.1"): str,
        vol.Optional("server_port", default=8123): any_port,
        # HTTPS from the hub itself: PEM files, relative to the config folder
        vol.Optional("ssl_certificate"): str,
        vol.Optional("ssl_key"): str,
        vol.Optional("trusted_proxies", default=list): [network],
        # the address people open the dashboard at (https://sigap.example.go.id):
        # alarm messages link to the alarm's page there
        vol.Optional("external_url"): vol.All(vol.Url(), vol.Match(r"^https?://")),
        vol.Optional("header_timeout", default=10.0): seconds(0.1),
        vol.Optional("body_timeout", default=10.0): seconds(0.1),
        vol.Optional("max_connections", default=256): vol.All(int, vol.Range(min=1)),
        vol.Optional("webhook_rate_limit", default=10.0): seconds(0.01),
        vol.Optional("webhook_burst", default=20): vol.All(int, vol.Range(min=1)),
        # who may read /metrics without signing in (the Prometheus server)
        vol.Optional("metrics_allow", default=list): [network],
        # event types POST /api/events/<type> lets a role fire besides admins:
        # {panic.pressed: control} (the action needed on the site its data names)
        vol.Optional("event_permissions", default=dict): {
            vol.All(str, vol.Length(min=1, max=200)): vol.In(sorted(ROLE_ACTIONS["admin"]))
        },
        # unsent messages a WebSocket client may have before it is dropped
        vol.Optional("websocket_queue", default=1000): vol.All(int, vol.Range(min=10)),
        vol.Optional("websocket_max_clients", default=500): vol.All(int, vol.Range(min=1)),
        # pages on other origins allowed to open a socket with the session cookie
        vol.Optional("websocket_origins", default=list): [str],
        **AUTH_SETTINGS,
    }
)


def _tls_pair(section: dict[str, Any]) -> dict[str, Any]:
    for have, need in (("ssl_certificate", "ssl_key"), ("ssl_key", "ssl_certificate")):
        if section.get(have) and not section.get(need):
            raise vol.Invalid(Text("http.tls_pair", have=have, need=need), path=[need])
    return section


HTTP_SECTION = vol.Schema(vol.All(HTTP_SECTION, _tls_pair))
DEFAULTS: dict[str, Any] = HTTP_SECTION({})

HUB_KEY: web.AppKey[Hub] = web.AppKey("hub", object)  # type: ignore[arg-type]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _body_first(plugin: str, body_timeout: float, log: LogRate) -> Any:
    """A plugin route's body is read (within the time and size limits) before
    its handler runs; a multipart body, read by the handler part by part,
    must be read within the same time."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.content_type.startswith("multipart/"):
            try:
                async with asyncio.timeout(body_timeout):
                    return await handler(request)
            except TimeoutError:
                return web.Response(status=408)
        try:
            await read_body(request, body_timeout)
        except BodyRefused as refused:
            said = Text(
                "http.route_refused",
                plugin=plugin,
                path=shown(request.path),
                reason=refused.reason,
                status=refused.status,
            )
            log.log(("http", "route", plugin), logging.WARNING, said)
            return web.Response(status=refused.status)
        return await handler(request)

    return middleware


Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]


async def no_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    """An auth slot that lets every request pass (a test's own app)."""
    return await handler(request)


#: The one place authentication plugs in: `app[AUTH]` is awaited for every
#: request before its handler (make_app puts sign-in and tokens' there).
AUTH: web.AppKey[Middleware] = web.AppKey("auth", object)  # type: ignore[arg-type]


@web.middleware
async def _auth_slot(request: web.Request, handler: Handler) -> web.StreamResponse:
    return await request.app[AUTH](request, handler)


def settings_of(hub: Hub) -> dict[str, Any]:
    """The hub's `http:` section with every default filled in."""
    return {**DEFAULTS, **(hub.config.get("http") or {})}


def runner_options(settings: Any, log: LogRate) -> dict[str, Any]:
    """How the app is served: the AppRunner options of `sigap run`, which the
    test client's server (hub.testing's `hub_client`) takes as they are."""
    return {
        "access_log": None,
        # aiohttp's keep-alive timer also runs from the moment a connection
        # opens, and closes one that has not sent a whole request head: it is
        # the header timeout.
        "keepalive_timeout": settings["header_timeout"],
        "logger": ServerLog(_LOGGER, log),
        "shutdown_timeout": 5.0,
    }


#: the groups of REST routes, each a Routes subclass declaring its ApiRoutes
#: with their OpenAPI specs. The outbox's status (`/api/outbox`) joins here as
#: api_outbox.OutboxRoutes when the outbox room lands.
ROUTE_GROUPS: tuple[type[Routes], ...] = (Api, AlarmRoutes, RecordRoutes, MediaRoutes)

#: the OpenAPI document's routes of an app (what GET /api/openapi.json answers)
API_ROUTES: web.AppKey[list[ApiRoute]] = web.AppKey("api_routes", list)


def _fixed_routes(auth: Any, metrics: Handler, openapi: Handler) -> list[ApiRoute]:
    """The routes that are no group's, with their specs."""
    login_body = obj(
        {"user": {"type": "string"}, "password": {"type": "string"}},
        required=["user", "password"],
    )
    return [
        ApiRoute(
            "POST",
            LOGIN_PATH,
            auth.login,
            operation(
                "Sign in: a session cookie and its CSRF token",
                "auth",
                body=login_body,
                body_required=True,
                result=obj({"csrf_token": {"type": "string"}}),
                errors=[400, 401, 429, 503],
                public=True,
            ),
        ),
        ApiRoute(
            "POST",
            LOGOUT_PATH,
            auth.logout,
            operation("Sign out (the session ends, its sockets close)", "auth", result=obj()),
        ),
        ApiRoute(
            "GET",
            METRICS_PATH,
            metrics,
            operation(
                "The hub's figures (Prometheus): admins, their unscoped tokens, http.metrics_allow",
                "hub",
                media="text/plain",
                result={"type": "string"},
            ),
        ),
        ApiRoute(
            "*",
            "/api/webhook/{webhook_id}",
            handle_webhook,
            operation(
                "An automation's webhook trigger (no sign-in; local_only and methods per trigger)",
                "webhooks",
                body=obj(),
                result=obj(),
                errors=[400, 404, 405, 408, 413, 429],
                public=True,
            ),
        ),
        ApiRoute(
            "GET",
            OPENAPI_PATH,
            openapi,
            operation("This document (the API as served)", "hub", result=obj()),
        ),
    ]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sigap-hub")
    except PackageNotFoundError:
        return "0+unknown"


def make_app(hub: Hub) -> web.Application:
    """The aiohttp application of one hub (tests serve it with aiohttp's client)."""
    settings = settings_of(hub)
    app = web.Application(client_max_size=MAX_BODY, middlewares=[_auth_slot])
    app[HUB_KEY] = hub
    auth = auth_of(hub, settings)
    app[AUTH] = auth.middleware
    groups = [group(hub, auth, settings) for group in ROUTE_GROUPS]
    sockets = app[WEBSOCKETS] = WebSocketApi(hub, auth, groups[0], settings)
    app.on_shutdown.append(sockets.shutdown)
    live = LiveRoute(hub, auth)
    app.cleanup_ctx.append(live.views)

    async def openapi(request: web.Request) -> web.Response:
        return web.json_response(document(app[API_ROUTES], _version()))

    metrics = metrics_handler(hub, auth, tuple(settings["metrics_allow"]))
    routes = _fixed_routes(auth, metrics, openapi) + sockets.api_routes() + live.api_routes()
    routes += Dashboard(hub).api_routes()
    for group in groups:
        routes += group.api_routes()
    app[API_ROUTES] = routes
    app.router.add_routes([route.route_def() for route in routes])
    log = LogRate(_LOGGER, language=lambda: hub.console_language)
    _mount_root_routes(hub, app, settings, log)
    for plugin, routes in hub.plugins.call("sigap_http_routes", hub=hub):
        try:
            sub = web.Application(
                client_max_size=MAX_BODY,
                middlewares=[_body_first(plugin, settings["body_timeout"], log)],
            )
            sub.add_routes(list(routes))
            app.add_subapp(f"/api/plugins/{plugin}/", sub)
        except Exception as err:
            hub.plugins.record_failure(plugin, "hook sigap_http_routes", err)
    return app


def _mount_root_routes(hub: Hub, app: web.Application, settings: Any, log: LogRate) -> None:
    """Routes a device protocol fixes the path of (a door terminal's /iclock/cdata),
    from `sigap_http_root_routes`: never under /api/, never a path another
    plugin serves; a clash is the later plugin's failure."""
    taken: dict[tuple[str, str], str] = {}
    body_first = {}
    for plugin, routes in hub.plugins.call("sigap_http_root_routes", hub=hub):
        try:
            for route in list(routes):
                method, path = route.method.upper(), route.path  # type: ignore[attr-defined]
                if reserved(path):
                    said = Text("http.root_route_reserved", path=path)
                    hub.plugins.record_failure(plugin, "hook sigap_http_root_routes", said)
                    continue
                clash = taken.get((method, path)) or taken.get(("*", path))
                if clash is None and method == "*":
                    clash = next((p for (_, other), p in taken.items() if other == path), None)
                if clash is not None:
                    said = Text("http.root_route_taken", method=method, path=path, other=clash)
                    hub.plugins.record_failure(plugin, "hook sigap_http_root_routes", said)
                    continue
                taken[(method, path)] = plugin
                if plugin not in body_first:
                    body_first[plugin] = _body_first(plugin, settings["body_timeout"], log)
                guard = body_first[plugin]
                handler = route.handler  # type: ignore[attr-defined]

                async def guarded(request: web.Request, guard: Any = guard, handler: Any = handler):
                    return await guard(request, handler)

                app.router.add_route(method, path, guarded, **route.kwargs)  # type: ignore[attr-defined]
        except Exception as err:
            hub.plugins.record_failure(plugin, "hook sigap_http_root_routes", err)


class HttpServer:
    """The running server: `port` is the one bound (useful with port 0)."""

    def __init__(self, runner: web.AppRunner, site: CappedSite) -> None:
        self.runner = runner
        self.site = site

    @property
    def port(self) -> int:
        return self.site.port

    @property
    def host(self) -> str:
        return self.site.host


HTTP: HubKey[HttpServer] = HubKey("http.server")


@hookimpl
def sigap_config_schema(hub: Hub) -> Any:
    return {"http": HTTP_SECTION}


def tls_context(hub: Hub, settings: Mapping[str, Any]) -> ssl.SSLContext | None:
    """The server's TLS from `ssl_certificate` and `ssl_key`, or None (plain
    HTTP, for 127.0.0.1 or behind a reverse proxy that ends TLS)."""
    if not settings.get("ssl_certificate"):
        return None
    cert = Path(hub.config_dir, settings["ssl_certificate"])
    key = Path(hub.config_dir, settings["ssl_key"])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as err:
        # never the key's contents: only which files and what went wrong
        reason = getattr(err, "strerror", None) or getattr(err, "reason", None) or str(err)
        raise StartupFailed(
            Text("http.bad_certificate", cert=str(cert), key=str(key), error=str(reason))
        ) from None
    return context


@hookimpl
def sigap_lifespan(hub: Hub) -> Any:
    if hub.config.get("http") is None:
        return None
    settings = settings_of(hub)

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        log = LogRate(_LOGGER, language=lambda: hub.console_language)
        tls = tls_context(hub, settings)
        runner = web.AppRunner(make_app(hub), **runner_options(settings, log))
        await runner.setup()
        try:
            site = CappedSite(
                runner,
                settings["server_host"],
                settings["server_port"],
                settings["max_connections"],
                log,
                tls,
            )
            await site.start()
        except OSError as err:
            await runner.cleanup()
            raise StartupFailed(
                Text(
                    "http.cannot_listen",
                    host=settings["server_host"],
                    port=settings["server_port"],
                    error=err.strerror or str(err),
                )
            ) from None
        except BaseException:
            await runner.cleanup()
            raise
        server = hub.data[HTTP] = HttpServer(runner, site)
        webhooks = hub.data[WEBHOOKS] = Webhooks(
            rate=settings["webhook_rate_limit"],
            burst=settings["webhook_burst"],
            trusted_proxies=settings["trusted_proxies"],
            body_timeout=settings["body_timeout"],
            language=lambda: hub.console_language,
        )
        scheme = "https" if tls is not None else "http"
        shown_host = settings["server_host"]
        if shown_host in ("0.0.0.0", "::", ""):  # every interface: this machine's own is one
            shown_host = "127.0.0.1"
        _LOGGER.info(
            "%s",
            Text("http.listening", url=f"{scheme}://{shown_host}:{server.port}/"),
        )
        hint = first_admin_hint(hub)
        if hint is not None:
            _LOGGER.info(hint)
        try:
            yield
        finally:
            hub.data.pop(HTTP, None)
            hub.data.pop(WEBHOOKS, None)
            await runner.cleanup()
            webhooks.close()
            auth = hub.data.pop(AUTH_STATE, None)
            if auth is not None:
                auth.close()
            metrics = hub.data.pop(METRICS, None)
            if metrics is not None:
                metrics.close()
            log.close()

    return lifespan()
