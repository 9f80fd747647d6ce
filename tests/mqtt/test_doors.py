"""The MQTT relay door against a simulated ESPHome door controller: unlock
for N seconds then relock, forced, held open, unconfirmed, unavailable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from hub import DeviceError
from hub.plugins.mqtt_devices.simulator import ESPHomeDoor
from hub.testing import EventWaiter, wait_for_state
from hub.testing.mosquitto import Mosquitto

from .conftest import mqtt_config

RELAY = "pintu-server/switch/lock_relay/command"


@pytest.fixture
async def controller(mosquitto: Mosquitto) -> AsyncIterator[ESPHomeDoor]:
    async with ESPHomeDoor(mosquitto.host, mosquitto.port, "pintu-server") as door:
        yield door


@pytest.fixture
async def hub(hub_factory: Any, mosquitto: Mosquitto, controller: ESPHomeDoor) -> Any:
    door = {
        "platform": "mqtt",
        "id": "ruang_server",
        "site": "diskominfo",
        "area": "ruang_server",
        "dialect": "esphome",
        "topic": "pintu-server",
        "unlock_for": 5,
        "held_open_after": 0.4,
        "confirm_timeout": 0.5,
    }
    hub = await hub_factory(
        {
            "hub": {"id": "uji"},
            "sites": [{"id": "diskominfo", "areas": ["ruang_server"]}],
            "mqtt": mqtt_config(mosquitto),
            "door": [door],
        },
        plugins=["hub.plugins.mqtt_devices"],
    )
    assert not hub.plugins.failures, hub.plugins.failures
    await wait_for_state(hub, "door.ruang_server", "locked")
    return hub


def relay_commands(controller: ESPHomeDoor) -> list[bytes]:
    return [payload for topic, payload, _ in controller.commands if topic == RELAY]


async def test_unlock_for_n_seconds_then_relock(hub, controller):
    await hub.services.call("door", "unlock", {"entity_id": "door.ruang_server", "duration": 0.5})
    await wait_for_state(hub, "door.ruang_server", "unlocked")
    await wait_for_state(hub, "door.ruang_server", "locked", timeout=3)
    assert relay_commands(controller) == [b"ON", b"OFF"]
    assert not any(retained for _, _, retained in controller.commands)


async def test_lock_at_once(hub, controller):
    await hub.services.call("door", "unlock", {"entity_id": "door.ruang_server"})
    await wait_for_state(hub, "door.ruang_server", "unlocked")
    await hub.services.call("door", "lock", {"entity_id": "door.ruang_server"})
    await wait_for_state(hub, "door.ruang_server", "locked")
    assert relay_commands(controller) == [b"ON", b"OFF"]


async def test_contact_opening_while_locked_is_forced(hub, controller):
    with EventWaiter(hub, "door.forced") as forced, EventWaiter(hub, "door.opened") as opened:
        await controller.open_door()
        event = await forced.wait()
        await opened.wait()
    assert event.data["entity_id"] == "door.ruang_server"
    assert event.data["site"] == "diskominfo"
    assert hub.states.get("door.ruang_server").state == "open"


async def test_door_held_open_then_closed(hub, controller):
    await hub.services.call("door", "unlock", {"entity_id": "door.ruang_server"})
    await wait_for_state(hub, "door.ruang_server", "unlocked")
    with (
        EventWaiter(hub, "door.forced") as forced,
        EventWaiter(hub, "door.held_open") as held,
        EventWaiter(hub, "door.closed") as closed,
    ):
        await controller.open_door()  # opened while unlocked: not forced
        event = await held.wait(timeout=3)
        assert event.data["seconds"] == 0.4
        await controller.close_door()
        await closed.wait()
        assert forced.events == []
    await wait_for_state(hub, "door.ruang_server", "unlocked")


async def test_relay_that_does_not_answer_is_unconfirmed(hub, controller):
    controller.confirms = False
    with EventWaiter(hub, "door.unconfirmed") as unconfirmed:
        await hub.services.call("door", "unlock", {"entity_id": "door.ruang_server"})
        event = await unconfirmed.wait(timeout=3)
    assert event.data["expected"] == "unlocked"
    assert hub.states.get("door.ruang_server").state == "unconfirmed"


async def test_offline_controller_makes_the_door_unavailable(hub, controller):
    await controller.go_offline()
    await wait_for_state(hub, "door.ruang_server", "unavailable")
    with pytest.raises(DeviceError, match="unavailable"):
        await hub.services.call("door", "unlock", {"entity_id": "door.ruang_server"})
