"""After a device comes back, or the hub gets its broker back, the hub asks
the device for its state where the dialect can (Tasmota: an empty
`cmnd/<t>/POWER`; Shelly: `Switch.GetStatus`; Zigbee2MQTT: `/get`): a
siren its own timer switched off during the outage is not shown `on`
(issue #8)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import aiomqtt
import pytest

from hub.plugins.mqtt_devices import simulator as sim
from hub.testing import wait_for_state
from hub.testing.mosquitto import Mosquitto

from .conftest import mqtt_config

# dialect -> (siren keys, simulated device, is it sounding?, is this command the question?)
ASKABLE: dict[str, tuple[dict[str, Any], Any, Callable[[Any], bool], Callable[..., bool]]] = {
    "tasmota": (
        {"topic": "sirene_t"},
        lambda b: sim.TasmotaSiren(b.host, b.port, "sirene_t"),
        lambda d: d.power,
        lambda topic, payload: topic == "cmnd/sirene_t/POWER" and payload == b"",
    ),
    "shelly": (
        {"topic": "shelly-s"},
        lambda b: sim.ShellySiren(b.host, b.port, "shelly-s"),
        lambda d: d.output,
        lambda topic, payload: json.loads(payload)["method"] == "Switch.GetStatus",
    ),
    "zigbee2mqtt": (
        {"topic": "sirene_z"},
        lambda b: sim.Zigbee2MqttSiren(b.host, b.port, "sirene_z"),
        lambda d: d.alarm,
        lambda topic, payload: topic == "zigbee2mqtt/sirene_z/get",
    ),
}


async def start_hub(hub_factory: Any, broker: Mosquitto, dialect: str) -> Any:
    siren = {
        "platform": "mqtt",
        "id": "halaman",
        "site": "dinkes",
        "dialect": dialect,
        "confirm_timeout": 0.5,
        **ASKABLE[dialect][0],
    }
    config = {"hub": {"id": "uji"}, "sites": [{"id": "dinkes"}], "mqtt": mqtt_config(broker)}
    return await hub_factory({**config, "siren": [siren]}, plugins=["hub.plugins.mqtt_devices"])


def questions(dialect: str, device: Any) -> int:
    asked = ASKABLE[dialect][3]
    return sum(1 for topic, payload, _ in device.commands if asked(topic, payload))


@pytest.mark.parametrize("dialect", sorted(ASKABLE))
async def test_a_siren_that_timed_out_while_offline_is_not_shown_on(
    hub_factory: Any, mosquitto: Mosquitto, dialect: str
) -> None:
    sounding = ASKABLE[dialect][2]
    async with ASKABLE[dialect][1](mosquitto) as device:
        hub = await start_hub(hub_factory, mosquitto, dialect)
        await hub.services.call("siren", "turn_on", {"entity_id": "siren.halaman", "duration": 1})
        await wait_for_state(hub, "siren.halaman", "on")
        await device.go_offline()  # the broker sends its will; the device's timer runs on
        await wait_for_state(hub, "siren.halaman", "unavailable")
        async with asyncio.timeout(4):
            await device.wait_until(lambda: not sounding(device))  # its report is lost
        asked = questions(dialect, device)
        await device.start()  # back on the network: it says it is online
        await wait_for_state(hub, "siren.halaman", "off")
        assert questions(dialect, device) == asked + 1


async def test_after_the_broker_is_back_the_hub_asks_again(
    hub_factory: Any, mosquitto: Mosquitto
) -> None:
    # firmware reconnects by itself after its broker went away
    async with sim.TasmotaSiren(
        mosquitto.host, mosquitto.port, "sirene_t", reconnects=True
    ) as device:
        hub = await start_hub(hub_factory, mosquitto, "tasmota")
        # switched on by another controller (its button, a panel): the hub owes it nothing
        async with aiomqtt.Client(mosquitto.host, mosquitto.port, timeout=5) as panel:
            await panel.publish("cmnd/sirene_t/PulseTime", "10", qos=1)
            await panel.publish("cmnd/sirene_t/POWER", "ON", qos=1)
        await wait_for_state(hub, "siren.halaman", "on")
        await asyncio.to_thread(mosquitto.stop)
        await wait_for_state(hub, "siren.halaman", "unavailable")
        async with asyncio.timeout(4):
            await device.wait_until(lambda: not device.power)  # while no broker hears it
        asked = questions("tasmota", device)
        await asyncio.to_thread(mosquitto.start)  # the device, too, is back and says so
        await wait_for_state(hub, "siren.halaman", "off", timeout=10)
        assert questions("tasmota", device) > asked
