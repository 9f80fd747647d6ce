"""A confirmation that comes after the command went `unconfirmed` sets the
real state and fires siren.confirmed_late / door.confirmed_late, in the
command's context, so an alarm raised for `unconfirmed` can be closed by
an automation (issue #8)."""

from __future__ import annotations

from typing import Any

import aiomqtt

from hub.plugins.mqtt_devices import simulator as sim
from hub.testing import EventWaiter, wait_for_state
from hub.testing.mosquitto import Mosquitto

from .conftest import mqtt_config

SIREN = {
    "platform": "mqtt",
    "id": "halaman",
    "site": "dinkes",
    "dialect": "tasmota",
    "topic": "sirene_t",
    "confirm_timeout": 0.5,
}
DOOR = {
    "platform": "mqtt",
    "id": "ruang_server",
    "site": "dinkes",
    "dialect": "esphome",
    "topic": "pintu-server",
    "confirm_timeout": 0.5,
}


async def start_hub(hub_factory: Any, broker: Mosquitto, **devices: Any) -> Any:
    config = {"hub": {"id": "uji"}, "sites": [{"id": "dinkes"}], "mqtt": mqtt_config(broker)}
    return await hub_factory({**config, **devices}, plugins=["hub.plugins.mqtt_devices"])


async def test_a_siren_confirmed_late_fires_siren_confirmed_late(
    hub_factory: Any, mosquitto: Mosquitto
) -> None:
    async with sim.TasmotaSiren(mosquitto.host, mosquitto.port, "sirene_t") as device:
        device.confirm_delay = 1.0  # twice confirm_timeout
        hub = await start_hub(hub_factory, mosquitto, siren=[SIREN])
        await wait_for_state(hub, "siren.halaman", "off", timeout=3)  # its answer at the start
        with (
            EventWaiter(hub, "siren.unconfirmed") as unconfirmed,
            EventWaiter(hub, "siren.confirmed_late") as late,
        ):
            await hub.services.call(
                "siren", "turn_on", {"entity_id": "siren.halaman", "duration": 30}
            )
            await unconfirmed.wait(timeout=3)
            assert hub.states.get("siren.halaman").state == "unconfirmed"
            event = await late.wait(timeout=3)
    assert event.data["entity_id"] == "siren.halaman" and event.data["site"] == "dinkes"
    assert (event.data["expected"], event.data["command"]) == ("on", "turn_on")
    assert 0.5 <= event.data["seconds"] < 3
    assert event.context.id == unconfirmed.events[0].context.id  # one story
    assert hub.states.get("siren.halaman").state == "on"


async def test_a_report_of_another_state_is_no_late_confirmation(
    hub_factory: Any, mosquitto: Mosquitto, observer: aiomqtt.Client
) -> None:
    async with sim.TasmotaSiren(mosquitto.host, mosquitto.port, "sirene_t") as device:
        device.confirms = False
        hub = await start_hub(hub_factory, mosquitto, siren=[SIREN])
        with (
            EventWaiter(hub, "siren.unconfirmed") as unconfirmed,
            EventWaiter(hub, "siren.confirmed_late") as late,
        ):
            await hub.services.call(
                "siren", "turn_on", {"entity_id": "siren.halaman", "duration": 30}
            )
            await unconfirmed.wait(timeout=3)
            await observer.publish("stat/sirene_t/POWER", "OFF", qos=1)  # it did not sound
            await wait_for_state(hub, "siren.halaman", "off")
            assert late.events == []


async def test_a_door_relay_confirmed_late_fires_door_confirmed_late(
    hub_factory: Any, mosquitto: Mosquitto
) -> None:
    async with sim.ESPHomeDoor(mosquitto.host, mosquitto.port, "pintu-server") as controller:
        hub = await start_hub(hub_factory, mosquitto, door=[DOOR])
        await wait_for_state(hub, "door.ruang_server", "locked")
        controller.confirm_delay = 1.0
        with (
            EventWaiter(hub, "door.unconfirmed") as unconfirmed,
            EventWaiter(hub, "door.confirmed_late") as late,
        ):
            await hub.services.call(
                "door", "unlock", {"entity_id": "door.ruang_server", "duration": 10}
            )
            await unconfirmed.wait(timeout=3)
            event = await late.wait(timeout=3)
    assert (event.data["expected"], event.data["command"]) == ("unlocked", "unlock")
    assert event.data["door"] == "door.ruang_server" and event.data["seconds"] >= 0.5
    assert event.context.id == unconfirmed.events[0].context.id
    assert hub.states.get("door.ruang_server").state == "unlocked"
