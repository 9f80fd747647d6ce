"""The hub's HTTP server, kept minimal for now: an aiohttp app factory,
webhooks (`/api/webhook/<id>`, what the automation `webhook` trigger
listens on) and plugins' routes from `sigap_http_routes`, mounted under
`/api/plugins/<plugin name>/`. It runs only when configuration.yaml has an
`http:` section. The REST and WebSocket API and the dashboard grow here.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import voluptuous as vol
from aiohttp import web

from ..hookspecs import hookimpl
from ..keys import HubKey
from .webhooks import WEBHOOKS, Webhooks, handle_webhook

if TYPE_CHECKING:
    from ..hub import Hub

__all__ = ["HTTP", "WEBHOOKS", "HttpServer", "Webhooks", "make_app"]

_LOGGER = logging.getLogger(__name__)

HTTP_SECTION = vol.Schema(
    {
        vol.Optional("server_host", default="0.0.0.0"): str,
        vol.Optional("server_port", default=8123): vol.All(int, vol.Range(min=0, max=65535)),
    }
)

HUB_KEY: web.AppKey[Hub] = web.AppKey("hub", object)  # type: ignore[arg-type]


def make_app(hub: Hub) -> web.Application:
    """The aiohttp application of one hub (tests serve it with aiohttp's client)."""
    app = web.Application()
    app[HUB_KEY] = hub
    app.router.add_route("*", "/api/webhook/{webhook_id}", handle_webhook)
    for plugin, routes in hub.plugins.call("sigap_http_routes", hub=hub):
        try:
            sub = web.Application()
            sub.add_routes(list(routes))
            app.add_subapp(f"/api/plugins/{plugin}/", sub)
        except Exception as err:
            hub.plugins.record_failure(plugin, "hook sigap_http_routes", err)
    return app


class HttpServer:
    """The running server: `port` is the one bound (useful with port 0)."""

    def __init__(self, runner: web.AppRunner, site: web.TCPSite) -> None:
        self.runner = runner
        self.site = site

    @property
    def port(self) -> int:
        server = self.site._server
        return server.sockets[0].getsockname()[1] if server and server.sockets else 0


HTTP: HubKey[HttpServer] = HubKey("http.server")


@hookimpl
def sigap_config_schema(hub: Hub) -> Any:
    return {"http": HTTP_SECTION}


@hookimpl
def sigap_lifespan(hub: Hub) -> Any:
    settings = hub.config.get("http")
    if settings is None:
        return None

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        runner = web.AppRunner(make_app(hub), access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, settings["server_host"], settings["server_port"])
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        server = hub.data[HTTP] = HttpServer(runner, site)
        hub.data[WEBHOOKS] = Webhooks()
        _LOGGER.info("HTTP server on %s:%d", settings["server_host"], server.port)
        try:
            yield
        finally:
            hub.data.pop(HTTP, None)
            hub.data.pop(WEBHOOKS, None)
            await runner.cleanup()

    return lifespan()
