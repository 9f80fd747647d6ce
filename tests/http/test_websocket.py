"""The WebSocket API as clients meet it: the stream filtered by site (staff
of A never see B's events, states or alarms), subscribe and unsubscribe
with their answers and errors, a slow client dropped while a fast one keeps
receiving and the bus is not held up, a socket closed at once when its
token is revoked or its session signs out, and another site's page refused."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import time
from typing import Any

import aiohttp

from hub.core.clock import FakeClock
from hub.core.http.auth_store import AuthStore
from hub.core.http.metrics import metrics_of

from .api_hub import A, B, raise_alarm
from .auth_hub import Caller, auth_hub  # noqa: F401

PATH = "/api/websocket"


async def connect(caller: Caller, **headers: str) -> aiohttp.ClientWebSocketResponse:
    server = caller.client.server
    origin = f"http://{server.host}:{server.port}"
    return await caller.client.ws_connect(
        PATH, headers={**caller.headers, "Origin": origin, **headers}
    )


async def call(ws: aiohttp.ClientWebSocketResponse, message: dict[str, Any]) -> dict[str, Any]:
    """Send one message and return its answer (events before it are skipped)."""
    await ws.send_json(message)
    async with asyncio.timeout(5):
        while True:
            answer = await ws.receive_json()
            if answer.get("id") == message["id"]:
                return answer


async def until_pong(ws: aiohttp.ClientWebSocketResponse, number: int) -> list[dict[str, Any]]:
    """Every event that came before the answer to a ping: what the hub queued
    for this client before it, since one queue carries both in order."""
    await ws.send_json({"id": number, "type": "ping"})
    events = []
    async with asyncio.timeout(5):
        while True:
            message = await ws.receive_json()
            if message.get("id") == number:
                assert message["type"] == "pong"
                return events
            events.append(message)


async def test_the_stream_shows_each_caller_only_their_sites(auth_hub):  # noqa: F811
    served = await auth_hub()
    hub = served.hub
    sockets = {}
    for role in ("admin", "staff_a", "staff_b", "token_a"):
        ws = await connect(await served.as_role(role))
        answer = await call(
            ws, {"id": 1, "type": "subscribe", "kinds": ["events", "states", "alarms"]}
        )
        assert answer == {"id": 1, "type": "result", "success": True, "result": {"subscription": 1}}
        sockets[role] = ws
    assert metrics_of(hub).websocket_clients() == 4

    alarm_b = await raise_alarm(hub, "diskominfo", "Pintu server dibobol")
    alarm_a = await raise_alarm(hub, "dinkes", "Pintu lobi dibobol")
    for door in (B, A):
        hub.states.set(door, "unlocked", hub.states.get(door).attributes)
    hub.bus.fire("panic.pressed", {"site": "diskominfo"})
    hub.bus.fire("panic.pressed", {"site": "dinkes"})
    hub.bus.fire("door.forced", {"entity_id": B})
    hub.bus.fire("hub.link_lost", {})  # no site: for whoever views every site

    def what(events: list[dict[str, Any]]) -> set[tuple[str, str]]:
        found = set()
        for message in events:
            event = message["event"]
            data = event["data"]
            about = data.get("alarm_id") or data.get("entity_id") or data.get("site") or "-"
            found.add((message["kind"], f"{event['event_type']} {about}"))
        return found

    seen = {role: what(await until_pong(ws, 2)) for role, ws in sockets.items()}
    of_a = {
        ("alarms", f"alarm.raised {alarm_a}"),
        ("states", f"state_changed {A}"),
        ("events", "panic.pressed dinkes"),
    }
    of_b = {
        ("alarms", f"alarm.raised {alarm_b}"),
        ("states", f"state_changed {B}"),
        ("events", "panic.pressed diskominfo"),
        ("events", f"door.forced {B}"),
    }
    assert of_a <= seen["staff_a"] and not seen["staff_a"] & of_b
    assert of_b <= seen["staff_b"] and not seen["staff_b"] & of_a
    assert of_a | of_b | {("events", "hub.link_lost -")} <= seen["admin"]
    assert ("events", "hub.link_lost -") not in seen["staff_a"] | seen["token_a"]
    assert of_a <= seen["token_a"] and not seen["token_a"] & of_b  # the token's site only
    for ws in sockets.values():
        await ws.close()


async def test_subscribe_filters_unsubscribe_and_errors(auth_hub):  # noqa: F811
    served = await auth_hub()
    hub = served.hub
    ws = await connect(await served.as_role("admin"))
    one = await call(
        ws, {"id": 1, "type": "subscribe", "kinds": ["states"], "filters": {"entity": [A]}}
    )
    by_domain = await call(
        ws,
        {"id": 2, "type": "subscribe", "kinds": ["states"], "filters": {"site": "diskominfo"}},
    )
    assert one["result"]["subscription"] == 1 and by_domain["result"]["subscription"] == 2
    for door in (A, B):
        hub.states.set(door, "unlocked", hub.states.get(door).attributes)
    events = await until_pong(ws, 3)
    assert [(m["subscription"], m["event"]["data"]["entity_id"]) for m in events] == [
        (1, A),
        (2, B),
    ]
    assert events[0]["event"]["data"]["new_state"]["state"] == "unlocked"
    assert await call(ws, {"id": 4, "type": "unsubscribe", "subscription": 1}) == {
        "id": 4,
        "type": "result",
        "success": True,
        "result": None,
    }
    hub.states.set(A, "locked", hub.states.get(A).attributes)
    assert await until_pong(ws, 5) == []

    errors = {
        "unknown_type": {"id": 6, "type": "sing"},
        "invalid_format": {"id": 7, "type": "subscribe", "kinds": ["cuaca"]},
        "not_found": {"id": 8, "type": "unsubscribe", "subscription": 99},
    }
    for code, message in errors.items():
        answer = await call(ws, message)
        assert answer["success"] is False and answer["error"]["code"] == code, answer
        assert answer["error"]["message"]
    bad = {"id": 9, "type": "subscribe", "filters": {"site": [1, 2]}}
    assert (await call(ws, bad))["error"]["code"] == "invalid_format"
    await ws.send_str("bukan json")
    assert (await ws.receive_json())["error"]["code"] == "bad_message"
    await ws.send_json({"type": "ping"})
    assert (await ws.receive_json())["error"]["code"] == "bad_message"
    await ws.close()


async def test_another_sites_page_may_not_ride_the_cookie(auth_hub):  # noqa: F811
    served = await auth_hub()
    admin = await served.as_role("admin")
    try:
        await admin.client.ws_connect(
            PATH, headers={**admin.headers, "Origin": "https://jahat.example"}
        )
        raise AssertionError("connected")
    except aiohttp.WSServerHandshakeError as err:
        assert err.status == 403
    anonymous = await served.as_role("anonymous")
    try:
        await connect(anonymous)
        raise AssertionError("connected")
    except aiohttp.WSServerHandshakeError as err:
        assert err.status == 401
    # a system with a token sends no Origin and no cookie
    token = await served.as_role("token_a")
    ws = await token.client.ws_connect(PATH, headers=token.headers)
    assert (await call(ws, {"id": 1, "type": "ping"}))["type"] == "pong"
    await ws.close()


async def test_a_revoked_token_and_a_sign_out_close_their_sockets_at_once(auth_hub):  # noqa: F811
    served = await auth_hub()
    token = await served.as_role("token_a")
    ws_token = await token.client.ws_connect(PATH, headers=token.headers)
    assert (await call(ws_token, {"id": 1, "type": "ping"}))["type"] == "pong"
    admin = await served.as_role("admin")
    ws_admin = await connect(admin)
    assert (await call(ws_admin, {"id": 1, "type": "ping"}))["type"] == "pong"

    store = AuthStore(served.hub.config_dir)  # as `sigap user token revoke` writes it
    data = store.read()
    del data.tokens["erp-dinkes"]
    store.save(data)
    assert (await token.request("GET", "/api/me")).status == 401
    async with asyncio.timeout(5):
        closing = await ws_token.receive()
    assert closing.type == aiohttp.WSMsgType.CLOSE
    assert closing.data == aiohttp.WSCloseCode.POLICY_VIOLATION and closing.extra == "token_revoked"
    assert (await call(ws_admin, {"id": 2, "type": "ping"}))["type"] == "pong"

    assert (await admin.request("POST", "/api/auth/logout")).status == 200
    async with asyncio.timeout(5):
        closing = await ws_admin.receive()
    assert closing.type == aiohttp.WSMsgType.CLOSE and closing.extra == "signed_out"


# -- a slow client ---------------------------------------------------------------------


def _frame(text: str) -> bytes:
    """One masked text frame, as a client sends it."""
    payload = text.encode()
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    assert len(payload) < 126
    return bytes([0x81, 0x80 | len(payload)]) + mask + masked


async def _stalled_client(host: str, port: int, token: str) -> tuple[Any, Any]:
    """A socket that subscribes, then never reads: a phone on a dead link."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (host, port))
    reader, writer = await asyncio.open_connection(sock=sock)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET {PATH} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n"
        ).encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    writer.write(_frame(json.dumps({"id": 1, "type": "subscribe", "kinds": ["events"]})))
    await writer.drain()
    return reader, writer


async def test_a_slow_client_is_dropped_and_never_slows_the_hub(auth_hub):  # noqa: F811
    served = await auth_hub(websocket_queue=50)
    hub = served.hub
    metrics = metrics_of(hub)
    fast = await connect(await served.as_role("admin"))
    await call(
        fast,
        {
            "id": 1,
            "type": "subscribe",
            "kinds": ["events"],
            "filters": {"event_type": "test.beban"},
        },
    )
    server = served.first.server
    reader, writer = await _stalled_client(server.host, server.port, served.tokens["erp-dinkes"])
    async with asyncio.timeout(5):
        while metrics.websocket_clients() < 2:  # the stalled one's subscription is in
            await until_pong(fast, 2)

    received: list[int] = []
    caught_up = asyncio.Event()
    wanted = [-1]  # how many the fast client should have, once known

    async def read_fast() -> None:
        async for message in fast:
            data = json.loads(message.data)
            if data.get("type") == "event":
                received.append(data["event"]["data"]["n"])
                if len(received) == wanted[0]:
                    caught_up.set()

    reading = asyncio.get_running_loop().create_task(read_fast())
    padding = "x" * 1000
    longest = 0.0
    fired = 0

    async def burst() -> None:
        nonlocal fired, longest
        for _ in range(20):
            started = time.perf_counter()
            hub.bus.fire("test.beban", {"n": fired, "site": "dinkes", "padding": padding})
            longest = max(longest, time.perf_counter() - started)
            fired += 1
        await asyncio.sleep(0)  # the writers run between bursts, as between devices' events

    async with asyncio.timeout(60):
        while metrics.websocket_dropped() == 0:
            assert fired < 20_000, "the stalled client was never dropped"
            await burst()
    dropped_after = fired
    for _ in range(5):  # the fast one goes on receiving
        await burst()
    wanted[0] = fired
    if len(received) < fired:
        async with asyncio.timeout(20):
            await caught_up.wait()
    assert received == list(range(fired))
    assert metrics.websocket_dropped() == 1 and metrics.websocket_clients() == 1
    # firing an event costs the hub no waiting on any client: each fire returned at once
    assert longest < 0.05, f"one bus.fire took {longest * 1000:.1f} ms"
    assert dropped_after > 50  # it was dropped for its queue, not at once

    # the stalled client, reading at last, finds the close frame with the reason
    tail = b""
    async with asyncio.timeout(20):
        while b"too_slow" not in tail:
            chunk = await reader.read(65536)
            if not chunk:
                break
            tail = (tail + chunk)[-200:]
    assert b"too_slow" in tail
    writer.close()
    await writer.wait_closed()
    reading.cancel()
    await fast.close()
    scraped = await (await served.as_role("admin")).request("GET", "/metrics")
    assert "sigap_websocket_dropped_total 1.0" in await scraped.text()


async def test_an_open_socket_keeps_its_session_until_its_age(auth_hub):  # noqa: F811
    """A wall screen watching all night is in use: its session does not idle
    out while the socket is open, and still ends at session_max_age."""
    clock = FakeClock()
    served = await auth_hub(clock=clock, session_idle_timeout=600, session_max_age=1800)
    screen = await served.as_role("operator")
    ws = await connect(screen)
    assert (await call(ws, {"id": 1, "type": "ping"}))["type"] == "pong"
    await clock.advance(1500)  # idle for REST, but the socket was open all along
    assert (await screen.request("GET", "/api/me")).status == 200
    assert (await call(ws, {"id": 2, "type": "ping"}))["type"] == "pong"
    await clock.advance(400)  # past its age
    async with asyncio.timeout(5):
        closing = await ws.receive()
    assert closing.type == aiohttp.WSMsgType.CLOSE and closing.extra == "signed_out"
    assert (await screen.request("GET", "/api/me")).status == 401


async def test_past_the_cap_a_socket_is_refused_and_a_stop_closes_them(auth_hub):  # noqa: F811
    served = await auth_hub(websocket_max_clients=1)
    first = await connect(await served.as_role("admin"))
    try:
        await connect(await served.as_role("operator"))
        raise AssertionError("connected past websocket_max_clients")
    except aiohttp.WSServerHandshakeError as err:
        assert err.status == 503
    assert (await call(first, {"id": 1, "type": "ping"}))["type"] == "pong"
    await served.first.server.close()  # the server stops, as at `sigap run`'s end
    async with asyncio.timeout(10):
        closing = await first.receive()
    assert closing.type == aiohttp.WSMsgType.CLOSE
    assert closing.data == aiohttp.WSCloseCode.GOING_AWAY and closing.extra == "hub_stopping"
