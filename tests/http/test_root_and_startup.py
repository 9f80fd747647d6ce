"""The server's frame: a port already taken stops start-up with a clear
error; a device protocol's fixed paths are mounted at the root, declared
and checked for clashes; one slot where authentication plugs in."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from hub import hookimpl
from hub.core.http import AUTH, make_app
from hub.core.hub import StartupFailed
from tests.sigap_process import copy_demo_config, run_sigap, sigap_run

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture
def taken_port():
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    yield holder.getsockname()[1]
    holder.close()


async def test_a_port_already_taken_stops_start_up(hub_factory, taken_port):
    # the hub's own bind is the point: no test client here
    hub = await hub_factory({"http": {"server_port": taken_port}}, start=False)
    with pytest.raises(StartupFailed) as failed:
        await hub.start()
    said = failed.value.args[0]
    assert f"cannot listen on 127.0.0.1:{taken_port}" in str(said)
    assert "Sigap tidak dijalankan" in said.render("id")
    assert hub.stage == "stopped"


@pytest.mark.parametrize(("lang", "words"), [("en", "cannot listen on"), ("id", "tidak dapat")])
def test_sigap_run_on_a_taken_port_exits_with_the_reason(tmp_path, taken_port, lang, words):
    # the real `sigap run` process binding its port: no test client here
    config = copy_demo_config(REPO_CONFIG, tmp_path / "config", http_port=taken_port)
    result = run_sigap("run", "-c", str(config), lang=lang)
    assert result.returncode == 1, result.stderr
    assert words in result.stderr and f"127.0.0.1:{taken_port}" in result.stderr
    assert "Traceback" not in result.stderr
    assert "started:" not in result.stderr


async def test_sigap_run_on_port_0_says_the_port_it_listens_on(tmp_path):
    # sigap run's loop is uvloop, whose server is no asyncio.Server: the line said :0
    config = copy_demo_config(REPO_CONFIG, tmp_path / "config", http_port=0)
    async with sigap_run(config, env={**os.environ, "SIGAP_LANG": "en"}) as hub:
        line = await hub.until(r"Dashboard and API: ")
        base = re.search(r"(http://[^/\s]+)/", line).group(1)
        assert not base.endswith(":0"), line
        async with aiohttp.ClientSession() as session, session.get(f"{base}/healthz") as answer:
            assert answer.status == 200
        assert await hub.interrupt() == 0


class Terminal:
    """A device protocol with a fixed path, as ZKTeco's ADMS push."""

    def __init__(self, name: str, path: str = "/iclock/cdata") -> None:
        self.name, self.path = name, path
        self.got: list[bytes] = []

    @hookimpl
    def sigap_http_root_routes(self, hub):
        async def cdata(request: web.Request) -> web.Response:
            self.got.append(await request.read())
            return web.Response(text="OK")

        return [web.post(self.path, cdata)]


async def test_root_routes_are_served_and_clashes_are_the_later_plugins_failure(
    hub_factory, hub_client
):
    first, second, greedy = Terminal("zkteco"), Terminal("copycat"), Terminal("greedy", "/api/x")
    hub = await hub_factory(
        {"http": {"server_port": 0}}, plugins=[first, second, greedy], expect_failures=True
    )
    client = await hub_client(hub)
    response = await client.post("/iclock/cdata?SN=ABC123", data=b"time=2026-12-01\tevent=200")
    assert response.status == 200 and await response.text() == "OK"
    assert first.got == [b"time=2026-12-01\tevent=200"] and second.got == []
    failures = {f.plugin: f.render("en") for f in hub.plugins.failures}
    assert "already served by zkteco" in failures["copycat"]
    assert "paths under /api/ belong to the hub" in failures["greedy"]


async def test_one_slot_for_authentication_guards_every_route(hub_factory, hub_client):
    hub = await hub_factory({"http": {"server_port": 0}}, plugins=[Terminal("zkteco")])
    app = make_app(hub)
    asked: list[str] = []

    async def refuse_all(request: web.Request, handler) -> web.StreamResponse:
        asked.append(request.path)
        raise web.HTTPUnauthorized()

    app[AUTH] = refuse_all
    client = await hub_client(hub, app)
    assert (await client.post("/api/webhook/tombol-panik", data=b"{}")).status == 401
    assert (await client.post("/iclock/cdata", data=b"x")).status == 401
    assert asked == ["/api/webhook/tombol-panik", "/iclock/cdata"]
