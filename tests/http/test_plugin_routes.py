"""A plugin's routes get the same body limits as webhooks: the hub reads the
body (1 MiB, body_timeout) before the handler runs."""

from __future__ import annotations

import io
import logging

from aiohttp import web

from hub import hookimpl


class Adms:
    """A plugin with one route, as a ZKTeco ADMS plugin would have."""

    name = "adms"

    def __init__(self) -> None:
        self.got: list[bytes] = []

    @hookimpl
    def sigap_http_routes(self, hub):
        async def cdata(request: web.Request) -> web.Response:
            self.got.append(await request.read())
            return web.Response(text="OK")

        return [web.post("/iclock/cdata", cdata)]


async def test_a_plugin_route_gets_its_body_read_within_the_limits(hub_factory, hub_client, caplog):
    plugin = Adms()
    hub = await hub_factory({"http": {"server_port": 0}}, plugins=[plugin])
    client = await hub_client(hub)
    response = await client.post("/api/plugins/adms/iclock/cdata", data=b"ATTLOG\t1\t2026")
    assert response.status == 200 and plugin.got == [b"ATTLOG\t1\t2026"]
    big = io.BytesIO(b"x" * (1024 * 1024 + 1))
    response = await client.post("/api/plugins/adms/iclock/cdata", data=big)
    assert response.status == 413
    assert plugin.got == [b"ATTLOG\t1\t2026"]
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert lines == [
        "plugin adms: refused a request to /api/plugins/adms/iclock/cdata:"
        " the body is over 1048576 bytes (HTTP 413)"
    ]
