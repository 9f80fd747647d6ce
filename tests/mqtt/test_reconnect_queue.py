"""After a reconnect the broker hands over the QoS 1 messages it queued for
the hub's persistent session at once, before the hub has re-subscribed and
said `online`. Their automations' actions must find the connection usable:
an echo automation answers every one of them."""

from __future__ import annotations

import asyncio
import json

import aiomqtt

from hub.core.mqtt import EVENT_MQTT_CONNECTED
from hub.testing import EventWaiter
from hub.testing.mosquitto import Mosquitto

from .conftest import connection_of
from .test_automation import write_config

EVENTS = 20


async def test_messages_queued_while_away_are_answered_after_the_reconnect(
    hub_factory, mosquitto: Mosquitto, observer: aiomqtt.Client, tmp_path
):
    folder = write_config(
        tmp_path / "config",
        mosquitto,
        """\
        - id: gema
          mode: parallel
          max: 100
          triggers:
            - trigger: mqtt
              topic: kamera/+/gerakan
          actions:
            - action: mqtt.publish
              data:
                topic: "gema/{{ trigger.payload_json.seq }}"
                payload: "{{ trigger.payload_json.seq }}"
                qos: 1
        """,
    )
    hub = await hub_factory(config_dir=folder)
    conn = connection_of(hub)
    await observer.subscribe("gema/+", qos=1)
    with EventWaiter(hub, EVENT_MQTT_CONNECTED) as back:
        # the hub goes away; its session (with the trigger's filter) stays on
        # the broker, which queues what the camera sends meanwhile
        await conn.stop()
        for seq in range(EVENTS):
            await observer.publish("kamera/lobi/gerakan", json.dumps({"seq": seq}), qos=1)
        conn._stopping = False
        conn._stop_requested.clear()
        conn.start()
        await back.wait(timeout=10)
    echoed: set[int] = set()
    try:
        async with asyncio.timeout(5):
            async for message in observer.messages:
                echoed.add(int(message.payload))
                if len(echoed) == EVENTS:
                    break
    except TimeoutError:
        pass
    assert echoed == set(range(EVENTS)), f"{EVENTS - len(echoed)} of {EVENTS} never echoed"
