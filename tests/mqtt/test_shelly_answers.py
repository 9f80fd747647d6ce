"""A Shelly Gen2 publishes no status when its output does not change: the
answer to the hub's own RPC (`{"was_on": ...}` for Switch.Set) is then the
only word it says, and it confirms the command (issue #8)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from hub.plugins.mqtt_devices import simulator as sim
from hub.testing import EventWaiter, wait_for_state
from hub.testing.mosquitto import Mosquitto

from .conftest import mqtt_config


@pytest.fixture
async def device(mosquitto: Mosquitto) -> AsyncIterator[sim.ShellySiren]:
    async with sim.ShellySiren(mosquitto.host, mosquitto.port, "shelly-s") as simulated:
        yield simulated


@pytest.fixture
async def hub(hub_factory: Any, mosquitto: Mosquitto, device: sim.ShellySiren) -> Any:
    siren = {
        "platform": "mqtt",
        "id": "halaman",
        "site": "dinkes",
        "dialect": "shelly",
        "topic": "shelly-s",
        "confirm_timeout": 0.5,
    }
    return await hub_factory(
        {
            "hub": {"id": "uji"},
            "sites": [{"id": "dinkes"}],
            "mqtt": mqtt_config(mosquitto),
            "siren": [siren],
        },
        plugins=["hub.plugins.mqtt_devices"],
    )


async def test_switching_off_an_output_that_is_off_is_confirmed_by_the_answer(
    hub: Any, device: sim.ShellySiren
) -> None:
    await hub.services.call("siren", "turn_on", {"entity_id": "siren.halaman", "duration": 30})
    await wait_for_state(hub, "siren.halaman", "on", timeout=3)
    # its own timer ended while the hub could not hear it (the status was lost):
    # the hub still shows on, so only the answer to Switch.Set can say off
    device.output = False
    with EventWaiter(hub, "siren.unconfirmed") as unconfirmed:
        await hub.services.call("siren", "turn_off", {"entity_id": "siren.halaman"})
        state = await wait_for_state(hub, "siren.halaman", "off", timeout=3)
    assert unconfirmed.events == []  # the confirmation came: nothing is left waiting
    assert state.attributes.get("expected") is None
    sets = [json.loads(p) for t, p, _ in device.commands if json.loads(p)["method"] == "Switch.Set"]
    assert [s["params"]["on"] for s in sets] == [True, False]  # answered, so not sent again


async def test_switching_on_an_output_that_is_on_is_confirmed_by_the_answer(
    hub: Any, device: sim.ShellySiren
) -> None:
    await wait_for_state(hub, "siren.halaman", "off", timeout=3)  # its answer at the start
    # switched on at the device while the hub could not hear it (the status was lost)
    device.output = True
    with EventWaiter(hub, "siren.unconfirmed") as unconfirmed:
        await hub.services.call("siren", "turn_on", {"entity_id": "siren.halaman", "duration": 30})
        await wait_for_state(hub, "siren.halaman", "on", timeout=3)
    assert unconfirmed.events == []
