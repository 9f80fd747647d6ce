"""Fault tests: the broker goes away while QoS 1 camera events stream in.

Delivery is at least once: every event the broker accepted (PUBACK to the
camera) reaches the trigger; an event can arrive twice when the camera
re-sends one whose PUBACK the broker's stop swallowed. The test counts and
prints those duplicates; an automation that must act once keys on the
event's own id (here `seq`).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import paho.mqtt.client as paho

from hub import hookimpl
from hub.core.mqtt import EVENT_MQTT_CONNECTED, EVENT_MQTT_DISCONNECTED
from hub.core.mqtt.trigger import MqttTrigger
from hub.testing import EventWaiter
from hub.testing.mosquitto import Mosquitto

from .conftest import connection_of

EVENTS = 1000


class Camera:
    """A camera that publishes QoS 1 events and, like real firmware, keeps
    unacknowledged ones and sends them again after a reconnect."""

    def __init__(self, broker: Mosquitto, loop: asyncio.AbstractEventLoop) -> None:
        self.accepted: set[int] = set()
        self._loop = loop
        self._changed = asyncio.Event()
        self._mids: dict[int, int] = {}
        self._early: set[int] = set()
        self._lock = threading.Lock()
        self.client = paho.Client(
            paho.CallbackAPIVersion.VERSION2,
            client_id="kamera-lobi",
            clean_session=False,
            protocol=paho.MQTTv311,
        )
        self.client.max_inflight_messages_set(100)
        self.client.reconnect_delay_set(0.05, 0.2)
        self.client.on_publish = self._on_publish
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def _on_publish(self, client: Any, userdata: Any, mid: int, rc: Any, props: Any) -> None:
        # called on paho's thread, maybe before send() recorded the mid
        with self._lock:
            seq = self._mids.pop(mid, None)
            if seq is None:
                self._early.add(mid)
            else:
                self.accepted.add(seq)
        self._loop.call_soon_threadsafe(self._changed.set)

    def send(self, seq: int) -> None:
        payload = json.dumps({"seq": seq, "camera": "lobi", "event": "motion"})
        info = self.client.publish("kamera/lobi/gerakan", payload, qos=1)
        with self._lock:  # never held around paho's own locks
            if info.mid in self._early:
                self._early.discard(info.mid)
                self.accepted.add(seq)
            else:
                self._mids[info.mid] = seq

    async def wait_accepted(self, count: int) -> None:
        while len(self.accepted) < count:
            self._changed.clear()
            await self._changed.wait()

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


class Recorder:
    """Stands for the automation: counts each event's deliveries by seq."""

    def __init__(self) -> None:
        self.received: Counter[int] = Counter()
        self._changed = asyncio.Event()

    def action(self, variables: Any, context: Any) -> None:
        self.received[variables["payload_json"]["seq"]] += 1
        self._changed.set()

    async def wait_for(self, seqs: set[int]) -> None:
        while not seqs <= self.received.keys():
            self._changed.clear()
            await self._changed.wait()


async def attach_recorder(hub: Any) -> Recorder:
    recorder = Recorder()
    trigger = MqttTrigger(hub, {"topic": "kamera/+/gerakan", "qos": 1})
    await trigger.attach(recorder.action)
    return recorder


async def test_broker_restart_with_1000_events_in_flight(hub_factory, mosquitto):
    # the default back-off (capped at 4 s), so the 5 s promise is the real one
    config = {"hub": {"id": "uji"}, "mqtt": {"host": mosquitto.host, "port": mosquitto.port}}
    hub = await hub_factory(config)
    recorder = await attach_recorder(hub)
    received = recorder.received
    camera = await asyncio.to_thread(Camera, mosquitto, asyncio.get_running_loop())
    try:
        lost = EventWaiter(hub, EVENT_MQTT_DISCONNECTED)
        back = EventWaiter(hub, EVENT_MQTT_CONNECTED)
        for seq in range(EVENTS):
            camera.send(seq)
            if seq == 300:
                # mid-stream: the broker stops (saving its sessions) and the
                # camera goes on queueing events while it is away
                await asyncio.to_thread(mosquitto.stop)
                await lost.wait()
                await asyncio.sleep(6)  # away long enough for the back-off to reach its cap
            if seq == 600:
                await asyncio.to_thread(mosquitto.start)
                returned = time.monotonic()
                await back.wait(timeout=10)
                reconnect_s = time.monotonic() - returned
            if seq % 50 == 0:
                await asyncio.sleep(0.01)  # about 5,000 events/s
        async with asyncio.timeout(20):
            await recorder.wait_for(set(range(EVENTS)))
            await camera.wait_accepted(EVENTS)  # the camera's last PUBACKs
    finally:
        await asyncio.to_thread(camera.close)
    duplicates = sum(n - 1 for n in received.values())
    print(
        f"\nbroker restart: hub back {reconnect_s:.2f} s after the broker; "
        f"{len(camera.accepted)} accepted, {len(received)} distinct delivered, "
        f"{duplicates} duplicates"
    )
    assert reconnect_s < 5.0
    assert camera.accepted == set(range(EVENTS))
    assert set(received) >= camera.accepted  # at least once
    assert connection_of(hub).connects == 2


async def test_hub_resubscribes_to_a_broker_that_forgot_it(hub_factory, hub_config, mosquitto):
    hub = await hub_factory(hub_config)
    recorder = await attach_recorder(hub)
    with (
        EventWaiter(hub, EVENT_MQTT_DISCONNECTED) as lost,
        EventWaiter(hub, EVENT_MQTT_CONNECTED) as back,
    ):
        await asyncio.to_thread(mosquitto.stop)
        await lost.wait()
        # a broker without its saved state knows no session and no subscription
        (mosquitto.workdir / "mosquitto.db").unlink()
        await asyncio.to_thread(mosquitto.start)
        await back.wait(timeout=10)
    camera = await asyncio.to_thread(Camera, mosquitto, asyncio.get_running_loop())
    try:
        camera.send(42)
        async with asyncio.timeout(5):
            await recorder.wait_for({42})
    finally:
        await asyncio.to_thread(camera.close)


async def test_events_published_while_the_hub_was_away_arrive_after_reconnect(
    hub_factory, hub_config, mosquitto
):
    hub = await hub_factory(hub_config)
    recorder = await attach_recorder(hub)
    conn = connection_of(hub)
    camera = await asyncio.to_thread(Camera, mosquitto, asyncio.get_running_loop())
    try:
        with EventWaiter(hub, EVENT_MQTT_CONNECTED) as back:
            # the hub's session stays on the broker; its runner is held
            # back until the camera's events are queued there
            await conn.stop()
            assert not conn.connected
            for seq in range(100):
                camera.send(seq)
            async with asyncio.timeout(5):
                await camera.wait_accepted(100)
            assert not recorder.received
            conn._stopping = False
            conn.start()
            await back.wait(timeout=10)
        async with asyncio.timeout(5):
            await recorder.wait_for(set(range(100)))
    finally:
        await asyncio.to_thread(camera.close)


class Automations:
    """Attaches a recording trigger while the hub starts and detaches it when
    the hub stops, as the automation engine does."""

    def __init__(self) -> None:
        self.recorder = Recorder()

    @hookimpl
    def sigap_lifespan(self, hub: Any) -> Any:
        @asynccontextmanager
        async def attached() -> AsyncIterator[None]:
            trigger = MqttTrigger(hub, {"topic": "kamera/+/gerakan", "qos": 1})
            detach = await trigger.attach(self.recorder.action)
            yield
            detach()

        return attached()


async def test_events_sent_while_the_hub_restarts_arrive_after_it(hub_factory, mosquitto):
    # a stopping hub keeps its broker subscriptions (persistent session), so
    # the broker queues what cameras send until the next hub is up; that hub
    # holds them until its triggers have attached
    config = {"hub": {"id": "uji"}, "mqtt": {"host": mosquitto.host, "port": mosquitto.port}}
    first = await hub_factory(config, plugins=[Automations()])
    await first.stop()
    camera = await asyncio.to_thread(Camera, mosquitto, asyncio.get_running_loop())
    try:
        for seq in range(50):
            camera.send(seq)
        async with asyncio.timeout(5):
            await camera.wait_accepted(50)
        second = Automations()
        await hub_factory(config, plugins=[second])
        async with asyncio.timeout(5):
            await second.recorder.wait_for(set(range(50)))
    finally:
        await asyncio.to_thread(camera.close)
