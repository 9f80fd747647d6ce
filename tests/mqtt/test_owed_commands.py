"""A command the hub owes a device (a siren's switch-off, a door's relock) is
owed until the device confirms it: written to disk before the command that
creates it is sent, and sent as soon as the device is back when it was away
at the moment it fell due."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from hub import DeviceError
from hub.plugins.mqtt_devices import owed as owed_module
from hub.plugins.mqtt_devices import simulator as sim
from hub.plugins.mqtt_devices.owed import OWED
from hub.testing import wait_for_state
from hub.testing.mosquitto import Mosquitto

from .conftest import mqtt_config
from .test_sirens import DIALECTS

SITES = [{"id": "dinkes", "areas": ["halaman"]}, {"id": "diskominfo"}]
OWED_FILE = Path(".storage") / "owed_commands.json"


def sounding(device: sim.SimulatedDevice) -> bool:
    """Whether the simulated siren's relay is on, whatever its firmware calls it."""
    for name in ("power", "output", "alarm", "on"):
        if hasattr(device, name):
            return bool(getattr(device, name))
    raise AttributeError(f"{device!r} has no relay")


def siren(dialect: str, **extra: Any) -> dict[str, Any]:
    return {
        "platform": "mqtt",
        "id": "halaman",
        "site": "dinkes",
        "area": "halaman",
        "dialect": dialect,
        "confirm_timeout": 0.5,
        "max_on_time": 60,
        **DIALECTS[dialect][0],
        **extra,
    }


DOOR = {
    "platform": "mqtt",
    "id": "ruang_server",
    "site": "diskominfo",
    "dialect": "esphome",
    "topic": "pintu-server",
    "confirm_timeout": 0.5,
}


async def start_hub(hub_factory: Any, broker: Mosquitto, **devices: Any) -> Any:
    hub = await hub_factory(
        {"hub": {"id": "uji"}, "sites": SITES, "mqtt": mqtt_config(broker), **devices},
        plugins=["hub.plugins.mqtt_devices"],
    )
    assert not hub.plugins.failures, hub.plugins.failures
    return hub


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
async def test_a_timed_siren_is_switched_off_when_the_device_returns(
    hub_factory: Any, mosquitto: Mosquitto, dialect: str
) -> None:
    # the siren is on for 1 s; the node drops off (its last will) before
    # that ends and comes back later: it must not go on sounding
    async with DIALECTS[dialect][1](mosquitto) as device:
        hub = await start_hub(hub_factory, mosquitto, siren=[siren(dialect)])
        await hub.services.call("siren", "turn_on", {"entity_id": "siren.halaman", "duration": 1})
        await wait_for_state(hub, "siren.halaman", "on")
        await device.go_offline()
        await wait_for_state(hub, "siren.halaman", "unavailable")
        await asyncio.sleep(2)  # away past the on-time (and a device's own grace)
        await device.start()  # back, its relay as it was left
        async with asyncio.timeout(3):
            await device.wait_until(lambda: not sounding(device))
        await wait_for_state(hub, "siren.halaman", "off", timeout=3)


async def test_a_door_unlocked_for_a_time_is_relocked_when_the_controller_returns(
    hub_factory: Any, mosquitto: Mosquitto
) -> None:
    async with sim.ESPHomeDoor(mosquitto.host, mosquitto.port, "pintu-server") as controller:
        hub = await start_hub(hub_factory, mosquitto, door=[DOOR])
        await wait_for_state(hub, "door.ruang_server", "locked")
        await hub.services.call("door", "unlock", {"entity_id": "door.ruang_server", "duration": 1})
        await wait_for_state(hub, "door.ruang_server", "unlocked")
        await controller.go_offline()
        await wait_for_state(hub, "door.ruang_server", "unavailable")
        await asyncio.sleep(1.5)  # away when the relock falls due
        await controller.start()
        async with asyncio.timeout(3):
            await controller.wait_until(lambda: not controller.unlocked)
        await wait_for_state(hub, "door.ruang_server", "locked", timeout=3)


class Witness:
    """Reads the owed-commands file at the moment a device is told to act."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: list[dict[str, Any]] = []

    def look(self) -> None:
        self.seen.append(json.loads(self.path.read_text())["owed"])


class WitnessedSiren(sim.ESPHomeSwitch):
    witness: Witness

    async def handle(self, topic: str, payload: bytes) -> None:
        if payload == b"ON":
            self.witness.look()
        await super().handle(topic, payload)


class WitnessedDoor(sim.ESPHomeDoor):
    witness: Witness

    async def handle(self, topic: str, payload: bytes) -> None:
        if payload == b"ON":
            self.witness.look()
        await super().handle(topic, payload)


async def test_what_is_owed_is_on_disk_before_the_command_that_creates_it(
    hub_factory: Any, mosquitto: Mosquitto, tmp_path: Path
) -> None:
    witness = Witness(tmp_path / OWED_FILE)
    WitnessedSiren.witness = WitnessedDoor.witness = witness
    async with (
        WitnessedSiren(mosquitto.host, mosquitto.port, "node-e"),
        WitnessedDoor(mosquitto.host, mosquitto.port, "pintu-server") as controller,
    ):
        hub = await start_hub(hub_factory, mosquitto, siren=[siren("esphome")], door=[DOOR])
        await wait_for_state(hub, "door.ruang_server", "locked")
        asked = time.time()
        await hub.services.call("siren", "turn_on", {"entity_id": "siren.halaman", "duration": 30})
        await hub.services.call(
            "door", "unlock", {"entity_id": "door.ruang_server", "duration": 20}
        )
        await wait_for_state(hub, "siren.halaman", "on")
        await wait_for_state(hub, "door.ruang_server", "unlocked")
        on, unlocked = witness.seen
        assert on["siren.halaman"]["command"] == "turn_off"
        assert asked + 29 < on["siren.halaman"]["due"] < time.time() + 30
        assert unlocked["door.ruang_server"]["command"] == "lock"
        assert asked + 19 < unlocked["door.ruang_server"]["due"] < time.time() + 20

        # confirmed: owed no more, on disk too
        await hub.services.call("siren", "turn_off", {"entity_id": "siren.halaman"})
        await hub.services.call("door", "lock", {"entity_id": "door.ruang_server"})
        await wait_for_state(hub, "siren.halaman", "off")
        await wait_for_state(hub, "door.ruang_server", "locked")
        async with asyncio.timeout(3):
            await controller.wait_until(lambda: not controller.unlocked)
        await hub.data[OWED].flush()
        assert json.loads(witness.path.read_text())["owed"] == {}
        assert (witness.path.stat().st_mode & 0o777) == 0o600


async def test_a_turn_on_whose_switch_off_cannot_be_saved_is_not_sent(
    hub_factory: Any, mosquitto: Mosquitto, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sim.ESPHomeSwitch(mosquitto.host, mosquitto.port, "node-e") as device:
        hub = await start_hub(hub_factory, mosquitto, siren=[siren("esphome")])
        await wait_for_state(hub, "siren.halaman", "off")

        def disk_full(*args: Any, **kwargs: Any) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(owed_module, "_write_atomic", disk_full)
        with pytest.raises(DeviceError) as caught:
            await hub.services.call(
                "siren", "turn_on", {"entity_id": "siren.halaman", "duration": 30}
            )
        error = caught.value.args[0]
        assert "cannot save the turn_off" in str(error) and "No space left" in str(error)
        assert "tidak dapat menyimpan perintah turn_off" in error.render("id")
        assert device.commands == []  # nothing the hub could not take back was sent


async def test_a_door_the_hub_did_not_unlock_for_a_time_stays_as_it_was_told(
    hub_factory: Any, mosquitto: Mosquitto, observer: Any
) -> None:
    # fail secure is "relock what the hub unlocked for a time": a door the
    # fire panel released (an evacuation) is not the hub's to relock
    host, port = mosquitto.host, mosquitto.port
    async with (
        sim.ESPHomeSwitch(host, port, "node-e") as device,
        sim.ESPHomeDoor(host, port, "pintu-server") as controller,
    ):
        hub = await start_hub(hub_factory, mosquitto, siren=[siren("esphome")], door=[DOOR])
        await wait_for_state(hub, "door.ruang_server", "locked")
        await observer.publish("pintu-server/switch/lock_relay/command", "ON", qos=1)
        await wait_for_state(hub, "door.ruang_server", "unlocked")
        await hub.services.call("siren", "turn_on", {"entity_id": "siren.halaman", "duration": 60})
        await wait_for_state(hub, "siren.halaman", "on")
        await hub.stop()  # pays what it owes before it goes: the siren's switch-off
        async with asyncio.timeout(3):
            await device.wait_until(lambda: not device.on)
        assert controller.unlocked
        assert [p for t, p, _ in controller.commands if t.endswith("/command")] == [b"ON"]

        # nor does the next start relock it: it owes that door nothing
        await observer.subscribe("pintu-server/#", qos=1)
        hub = await start_hub(hub_factory, mosquitto, siren=[siren("esphome")], door=[DOOR])
        await wait_for_state(hub, "door.ruang_server", "unlocked")
        # a marker after the start: a relock the hub sent would reach us before it
        marker = {"topic": "pintu-server/marker", "payload": "1", "qos": 1}
        await hub.services.call("mqtt", "publish", marker)
        relay: list[bytes] = []
        async with asyncio.timeout(5):
            async for message in observer.messages:
                if message.topic.value == "pintu-server/marker":
                    break
                if message.topic.value.endswith("/command"):
                    relay.append(bytes(message.payload))
        assert relay == [] and controller.unlocked
