"""The MQTT devices' timers run on the hub's one clock: a siren's switch-off,
a door's relock and a confirmation time-out come when the FakeClock says,
with no real waiting (the broker and the devices are real)."""

from __future__ import annotations

import asyncio
from typing import Any

from hub.plugins.mqtt_devices import simulator as sim
from hub.testing import FakeClock, wait_for_state
from hub.testing.mosquitto import Mosquitto

from .conftest import mqtt_config

SITES = [{"id": "dinkes"}, {"id": "diskominfo"}]
SIREN = {
    "platform": "mqtt",
    "id": "halaman",
    "site": "dinkes",
    "dialect": "esphome",  # no device-side timer: the hub's switch-off is the only one
    "topic": "node-e",
    "confirm_timeout": 3,
}
DOOR = {
    "platform": "mqtt",
    "id": "ruang_server",
    "site": "diskominfo",
    "dialect": "esphome",
    "topic": "pintu-server",
    "confirm_timeout": 3,
}


async def start_hub(hub_factory: Any, broker: Mosquitto, clock: FakeClock) -> Any:
    return await hub_factory(
        {"sites": SITES, "mqtt": mqtt_config(broker), "siren": [SIREN], "door": [DOOR]},
        plugins=["hub.plugins.mqtt_devices"],
        clock=clock,
    )


async def command_count(device: sim.SimulatedDevice, count: int) -> None:
    async with asyncio.timeout(5):  # a broker round trip, not the device's time
        await device.wait_command(count)


async def test_a_siren_goes_off_and_a_door_relocks_when_the_clock_says(
    hub_factory: Any, mosquitto: Mosquitto
) -> None:
    clock = FakeClock()
    siren = sim.ESPHomeSwitch(mosquitto.host, mosquitto.port, "node-e")
    door = sim.ESPHomeDoor(mosquitto.host, mosquitto.port, "pintu-server")
    async with siren, door:
        hub = await start_hub(hub_factory, mosquitto, clock)
        await wait_for_state(hub, "siren.halaman", "off")
        await hub.services.call("siren", "turn_on", {"entity_id": "siren.halaman", "duration": 100})
        await hub.services.call(
            "door", "unlock", {"entity_id": "door.ruang_server", "duration": 60}
        )
        # confirmed by the devices over the real broker before time moves on
        await wait_for_state(hub, "siren.halaman", "on")
        await wait_for_state(hub, "door.ruang_server", "unlocked")
        assert siren.on and door.unlocked
        await clock.advance(59)
        assert len(door.commands) == 1  # not a moment early
        await clock.advance(1)
        await command_count(door, 2)  # a minute passed in no time: relocked
        await wait_for_state(hub, "door.ruang_server", "locked")
        assert not door.unlocked and siren.on and len(siren.commands) == 1
        await clock.advance(40)
        await command_count(siren, 2)  # 100 s after turn_on: silenced
        await wait_for_state(hub, "siren.halaman", "off")
        assert not siren.on


async def test_a_confirmation_times_out_when_the_clock_says(
    hub_factory: Any, mosquitto: Mosquitto
) -> None:
    clock = FakeClock()
    siren = sim.ESPHomeSwitch(mosquitto.host, mosquitto.port, "node-e")
    async with siren:
        hub = await start_hub(hub_factory, mosquitto, clock)
        await wait_for_state(hub, "siren.halaman", "off")
        siren.confirm_delay = 3600.0  # the relay acts but its report is an hour late
        await hub.services.call("siren", "turn_on", {"entity_id": "siren.halaman", "duration": 60})
        await command_count(siren, 1)
        await clock.advance(2.9)
        assert hub.states.get("siren.halaman").state != "unconfirmed"
        await clock.advance(0.1)
        state = await wait_for_state(hub, "siren.halaman", "unconfirmed")
        assert state.state == "unconfirmed"


async def test_a_wall_clock_set_back_does_not_keep_a_siren_sounding(
    hub_factory: Any, mosquitto: Mosquitto
) -> None:
    clock = FakeClock()
    siren = sim.ESPHomeSwitch(mosquitto.host, mosquitto.port, "node-e")
    async with siren:
        hub = await start_hub(hub_factory, mosquitto, clock)
        await wait_for_state(hub, "siren.halaman", "off")
        await hub.services.call("siren", "turn_on", {"entity_id": "siren.halaman", "duration": 60})
        await wait_for_state(hub, "siren.halaman", "on")
        await clock.jump(-2 * 3600)  # NTP sets the box's clock back two hours
        await clock.advance(60)  # a minute of sounding, as asked
        await command_count(siren, 2)
        await wait_for_state(hub, "siren.halaman", "off")
        assert not siren.on
