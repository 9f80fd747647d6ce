"""Slow and many callers: a connection that does not send its request head in
time is closed, connections past the cap get 503, and each webhook has a
rate limit. The hub's own listener on 127.0.0.1 for the first two (few
sockets, short limits); pytest-aiohttp's client for the rate limit."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp

from hub.core.http import HTTP

from .conftest import PANIC, http_lines, path

PARTIAL_HEAD = b"POST /api/webhook/tombol-panik HTTP/1.1\r\nHost: hub\r\nX-Slow: "


async def _closed_by_server(reader: asyncio.StreamReader, within: float) -> bytes:
    """Everything the server sent until it closed the connection."""
    async with asyncio.timeout(within):
        return await reader.read()


async def test_a_connection_that_trickles_its_head_is_closed(webhook_hub):
    # the hub's own listener: the header timeout is how `sigap run` serves it, per socket
    served = await webhook_hub(header_timeout=0.5)
    port = served.hub.data[HTTP].port
    idle = await asyncio.open_connection("127.0.0.1", port)  # says nothing at all
    slow = await asyncio.open_connection("127.0.0.1", port)  # one byte every 0.1 s
    slow[1].write(PARTIAL_HEAD)

    async def trickle() -> None:
        with contextlib.suppress(ConnectionError):
            while True:
                await asyncio.sleep(0.1)
                slow[1].write(b"x")
                await slow[1].drain()

    trickling = asyncio.create_task(trickle())
    try:
        assert await _closed_by_server(idle[0], within=5) == b""
        assert await _closed_by_server(slow[0], within=5) == b""
    finally:
        trickling.cancel()
        for _, writer in (idle, slow):
            writer.close()
    # the server still answers a caller who sends a request properly
    async with aiohttp.ClientSession() as session:
        async with session.post(served.url(), json={}) as response:
            assert response.status == 200


async def test_connections_past_the_cap_get_503_and_the_rest_are_timed_out(
    webhook_hub, recorder, caplog
):
    # the hub's own listener: the connection cap lives in its site (CappedSite), not the app
    served = await webhook_hub(header_timeout=1.0, max_connections=20)
    port = served.hub.data[HTTP].port
    held = []
    try:
        for _ in range(20):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            # one answered request: the server has made this connection's protocol
            writer.write(b"HEAD /nothing HTTP/1.1\r\nHost: hub\r\n\r\n")
            async with asyncio.timeout(5):
                assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 404")
            writer.write(PARTIAL_HEAD)  # and the next head never ends
            held.append((reader, writer))
        over = [await asyncio.open_connection("127.0.0.1", port) for _ in range(5)]
        for reader, writer in over:
            answer = await _closed_by_server(reader, within=5)
            assert answer.startswith(b"HTTP/1.1 503 ")
            writer.close()
        said = [r.getMessage() for r in http_lines(caplog) if r.levelno == logging.WARNING]
        assert said == ["HTTP: 20 connections are open (http.max_connections); new ones get 503"]
        # the held ones are closed when their head is late, and the server is free again
        for reader, _ in held:
            assert await _closed_by_server(reader, within=5) == b""
    finally:
        for _, writer in held:
            writer.close()
    async with aiohttp.ClientSession() as session:
        async with session.post(served.url(), json={"ok": 1}) as response:
            assert response.status == 200
    await recorder.next()


async def test_each_webhook_has_its_own_rate_limit(webhook_hub, recorder, caplog):
    second = PANIC.replace("id: panic_button", "id: second").replace(
        "webhook_id: tombol-panik", "webhook_id: tombol-kedua"
    )
    served = await webhook_hub(PANIC + second, webhook_rate_limit=0.1, webhook_burst=3)
    statuses = []
    for _ in range(10):
        async with served.client.post(path(), json={}) as response:
            statuses.append(response.status)
            if response.status == 429:
                assert int(response.headers["Retry-After"]) >= 1
    async with served.client.post(path("tombol-kedua"), json={}) as response:
        assert response.status == 200  # another webhook is not held back
    assert statuses == [200] * 3 + [429] * 7
    for _ in range(4):
        await recorder.next()
    await asyncio.sleep(0)
    assert len(recorder.calls) == 4
    refused = [r.getMessage() for r in http_lines(caplog) if "rate limit" in r.getMessage()]
    assert refused == [
        "webhook tombol-panik: over its rate limit of 0.1/s; refused (HTTP 429) from 127.0.0.1"
    ]
