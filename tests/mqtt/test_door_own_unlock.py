"""An opening that follows the hub's own door.unlock is never `door.forced`,
however slowly the relay confirms; a relay that never confirms leaves the
door `unconfirmed` until it reports, whatever the contact does (issue #8)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

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
        "dialect": "esphome",
        "topic": "pintu-server",
        "held_open_after": 30,
        "confirm_timeout": 0.5,
    }
    hub = await hub_factory(
        {
            "hub": {"id": "uji"},
            "sites": [{"id": "diskominfo"}],
            "mqtt": mqtt_config(mosquitto),
            "door": [door],
        },
        plugins=["hub.plugins.mqtt_devices"],
    )
    await wait_for_state(hub, "door.ruang_server", "locked")
    return hub


async def unlock(hub: Any, controller: ESPHomeDoor, seconds: float) -> None:
    sent = len(controller.commands)
    await hub.services.call(
        "door", "unlock", {"entity_id": "door.ruang_server", "duration": seconds}
    )
    async with asyncio.timeout(3):
        await controller.wait_command(sent + 1)  # the relay has the command


async def test_an_opening_before_a_slow_relay_confirms_is_not_forced(
    hub: Any, controller: ESPHomeDoor
) -> None:
    controller.confirm_delay = 1.0  # the relay reports a second after it switched
    with EventWaiter(hub, "door.forced") as forced, EventWaiter(hub, "door.opened") as opened:
        await unlock(hub, controller, 5)
        await controller.open_door()  # the visitor pushes at once, before the report
        await opened.wait(timeout=3)
        state = await wait_for_state(hub, "door.ruang_server", lambda s: s.attributes["relay"])
        assert forced.events == []
    assert state.state == "open"


async def test_an_opening_after_the_unlock_time_is_forced(
    hub: Any, controller: ESPHomeDoor
) -> None:
    await unlock(hub, controller, 0.3)
    await wait_for_state(hub, "door.ruang_server", "unlocked")
    await wait_for_state(hub, "door.ruang_server", "locked", timeout=3)  # relocked
    with EventWaiter(hub, "door.forced") as forced:
        await controller.open_door()
        await forced.wait(timeout=3)


async def test_a_relay_that_never_confirms_stays_unconfirmed_until_it_reports(
    hub: Any, controller: ESPHomeDoor
) -> None:
    controller.confirms = False
    with (
        EventWaiter(hub, "door.unconfirmed") as unconfirmed,
        EventWaiter(hub, "door.opened") as opened,
        EventWaiter(hub, "door.forced") as forced,
    ):
        await unlock(hub, controller, 5)
        await unconfirmed.wait(timeout=3)
        await controller.open_door()  # the relay did switch; only its report is missing
        await opened.wait(timeout=3)
        state = hub.states.get("door.ruang_server")
        assert state.state == "unconfirmed"  # not overwritten by the contact
        assert state.attributes["contact_open"] is True
        assert state.attributes["expected"] == "unlocked"
        assert forced.events == []
        await controller.close_door()
        await wait_for_state(
            hub, "door.ruang_server", lambda s: s.attributes["contact_open"] is False
        )
        assert hub.states.get("door.ruang_server").state == "unconfirmed"
    # the relay reports at last: the door shows what it is
    await controller.publish("pintu-server/switch/lock_relay/state", "ON", retain=True)
    await wait_for_state(hub, "door.ruang_server", "unlocked")
