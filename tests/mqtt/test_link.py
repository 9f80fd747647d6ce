"""The connection on paho's public API (issue #10): what paho would send
again on a new connection is sorted by the hub, and the wait between
attempts is on the hub's clock."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import aiomqtt

from hub.core.clock import FakeClock
from hub.core.mqtt import MqttConnection
from hub.testing.mosquitto import Mosquitto


def connection(host: str, port: int, **extra: object) -> MqttConnection:
    return MqttConnection(
        host=host, port=port, client_id="uji-link", status_topic="sigap/uji-link", **extra
    )


async def test_a_hung_broker_gets_the_late_messages_again_and_never_the_now_or_never(
    mosquitto: Mosquitto,
) -> None:
    # the hub comes back well after the watcher, who sees what it sends again
    conn = connection(mosquitto.host, mosquitto.port, reconnect_min=3.0, reconnect_max=3.0)
    conn.start()
    try:
        async with asyncio.timeout(5):
            await conn.wait_connected()
        assert mosquitto.process is not None
        os.kill(mosquitto.process.pid, signal.SIGSTOP)  # the broker hangs
        # written to the socket: the hub cannot know the broker is not reading
        await conn.publish("uji/report", "kept", qos=1)
        await conn.publish("uji/siren", "ON", qos=1, late=False)
        await asyncio.to_thread(mosquitto.kill)
        await asyncio.to_thread(mosquitto.start)
        async with aiomqtt.Client(mosquitto.host, mosquitto.port, timeout=5) as watcher:
            await watcher.subscribe("uji/#", qos=1)
            assert not conn.connected  # the watcher is there first
            async with asyncio.timeout(10):
                await conn.wait_connected()
            await conn.publish("uji/marker", "1", qos=1)
            seen: list[tuple[str, bytes]] = []
            async with asyncio.timeout(5):
                async for message in watcher.messages:
                    seen.append((message.topic.value, bytes(message.payload)))
                    if message.topic.value == "uji/marker":
                        break
    finally:
        await conn.stop()
    assert ("uji/report", b"kept") in seen  # QoS 1 is kept by the session
    assert all(topic != "uji/siren" for topic, _ in seen), seen  # an act is never late


async def test_the_wait_between_attempts_is_on_the_hubs_clock(tmp_path: Path) -> None:
    clock = FakeClock()
    broker = Mosquitto(tmp_path / "later")  # not started: each attempt is refused at once
    conn = connection(broker.host, broker.port, reconnect_min=2.0, reconnect_max=2.0, clock=clock)
    conn.start()
    try:
        async with asyncio.timeout(5):
            assert not await conn.wait_first_attempt()
        assert clock.pending() == 1  # the next attempt waits for the hub's clock
        await asyncio.to_thread(broker.start)
        await clock.advance(2.0)
        async with asyncio.timeout(5):
            await conn.wait_connected()
    finally:
        await conn.stop()
        await asyncio.to_thread(broker.stop)
