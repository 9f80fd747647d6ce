"""Stopping ends every MQTT task even when a cancel is lost.

Python 3.11's asyncio.wait_for (aiomqtt's publish and subscribe wait for the
broker's PUBACK/SUBACK through it) drops a cancel that arrives in the same
loop turn as the answer and returns the answer instead. A task that relied on
the cancel alone then waited for its next message forever: the intermittent
hung teardowns of the siren and door tests. Here the lost cancel is made
deterministic: the awaited call swallows the cancel, as wait_for does then.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiomqtt

from hub.core.mqtt import MqttConnection
from hub.plugins.mqtt_devices import simulator as sim
from hub.testing.mosquitto import Mosquitto


async def ends_within(seconds: float, stopping: Any) -> bool:
    """Whether `stopping` ends by itself within `seconds`. Not asyncio.timeout:
    its cancel could itself end a stuck stop and hide the hang."""
    task = asyncio.ensure_future(stopping)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        task.cancel()
        await asyncio.wait({task})
        return False
    task.result()
    return True


async def lose_the_cancel() -> None:
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        pass  # the answer came in the same loop turn: wait_for returns it


class SirenThatLosesTheCancel(sim.GenericSiren):
    async def handle(self, topic: str, payload: bytes) -> None:
        await lose_the_cancel()


async def test_a_simulated_device_stops_although_its_reader_lost_the_cancel(
    mosquitto: Mosquitto, observer: aiomqtt.Client
) -> None:
    device = SirenThatLosesTheCancel(mosquitto.host, mosquitto.port, "relay-x")
    await device.start()
    await observer.publish("relay-x/set", "ON", qos=1)
    async with asyncio.timeout(5):
        await device.wait_command()
    assert await ends_within(8, device.stop())
    assert device.commands == [("relay-x/set", b"ON", False)]


async def test_the_hub_connection_stops_although_its_runner_lost_the_cancel(
    mosquitto: Mosquitto, monkeypatch: Any
) -> None:
    connection = MqttConnection(
        host=mosquitto.host, port=mosquitto.port, client_id="uji-x", status_topic="sigap/uji-x"
    )
    await connection.subscribe("gedung/#", lambda message: None)  # made on connect
    subscribing = asyncio.Event()

    async def subscribe(*args: Any, **kwargs: Any) -> None:
        subscribing.set()
        await lose_the_cancel()

    monkeypatch.setattr(connection._client, "subscribe", subscribe)
    connection.start()
    async with asyncio.timeout(5):
        await subscribing.wait()
    assert await ends_within(8, connection.stop())
    assert not connection.connected  # and it never announced itself online after stop
