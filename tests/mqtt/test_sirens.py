"""Each siren dialect against its simulated device on a real broker: the
state topic confirms, a silent device leaves the siren `unconfirmed` (and
fires siren.unconfirmed), a device gone offline makes it unavailable and
commands fail, and every turn_on carries the device-side maximum on-time."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from hub import DeviceError
from hub.plugins.mqtt_devices import simulator as sim
from hub.testing import EventWaiter, wait_for_state
from hub.testing.mosquitto import Mosquitto

from .conftest import mqtt_config

SITES = [{"id": "dinkes", "areas": ["halaman"]}]

# dialect -> (siren config keys, simulated device, how its command shows the on-time)
DIALECTS: dict[str, tuple[dict[str, Any], Callable[[Mosquitto], sim.SimulatedDevice]]] = {
    "tasmota": ({"topic": "sirene_t"}, lambda b: sim.TasmotaSiren(b.host, b.port, "sirene_t")),
    "shelly": ({"topic": "shelly-s"}, lambda b: sim.ShellySiren(b.host, b.port, "shelly-s")),
    "zigbee2mqtt": (
        {"topic": "sirene_z"},
        lambda b: sim.Zigbee2MqttSiren(b.host, b.port, "sirene_z"),
    ),
    "esphome": ({"topic": "node-e"}, lambda b: sim.ESPHomeSwitch(b.host, b.port, "node-e")),
    "generic": (
        {
            "command_topic": "relay-g/set",
            "state_topic": "relay-g/state",
            "availability_topic": "relay-g/status",
            "payload_on": '{"state": "ON", "duration": {duration}}',
        },
        lambda b: sim.GenericSiren(b.host, b.port, "relay-g"),
    ),
}


def on_time_sent(dialect: str, device: sim.SimulatedDevice) -> float | None:
    """The device-side on-time carried by the turn_on the device received."""
    for topic, payload, _ in device.commands:
        if dialect == "tasmota" and topic.endswith("/PulseTime"):
            value = int(payload)
            return value / 10 if value <= 111 else value - 100
        if dialect == "shelly" and json.loads(payload)["method"] == "Switch.Set":
            return json.loads(payload)["params"].get("toggle_after")
        if dialect == "zigbee2mqtt" and topic.endswith("/set"):
            return json.loads(payload)["warning"]["duration"]
        if dialect == "generic" and payload.startswith(b"{"):
            return json.loads(payload)["duration"]
    return None


@pytest.fixture(params=sorted(DIALECTS))
def dialect(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def device(dialect: str, mosquitto: Mosquitto) -> AsyncIterator[sim.SimulatedDevice]:
    simulated = DIALECTS[dialect][1](mosquitto)
    async with simulated:
        yield simulated


@pytest.fixture
async def hub(hub_factory: Any, mosquitto: Mosquitto, dialect: str, device: Any) -> Any:
    siren = {
        "platform": "mqtt",
        "id": "halaman",
        "site": "dinkes",
        "area": "halaman",
        "dialect": dialect,
        "confirm_timeout": 0.5,
        "max_on_time": 60,
        **DIALECTS[dialect][0],
    }
    hub = await hub_factory(
        {"hub": {"id": "uji"}, "sites": SITES, "mqtt": mqtt_config(mosquitto), "siren": [siren]},
        plugins=["hub.plugins.mqtt_devices"],
    )
    assert not hub.plugins.failures, hub.plugins.failures
    return hub


async def turn_on(hub: Any, **data: Any) -> None:
    await hub.services.call("siren", "turn_on", {"entity_id": "siren.halaman", **data})


async def test_state_topic_confirms_and_commands_are_never_retained(hub, dialect, device):
    await turn_on(hub, duration=30)
    state = await wait_for_state(hub, "siren.halaman", "on")
    assert state.attributes["dialect"] == dialect
    await hub.services.call("siren", "turn_off", {"entity_id": "siren.halaman"})
    await wait_for_state(hub, "siren.halaman", "off")
    assert device.commands and not any(retained for _, _, retained in device.commands)


async def test_every_turn_on_carries_the_maximum_on_time(hub, dialect, device):
    await turn_on(hub, duration=1000)  # more than max_on_time: capped at 60 s
    await wait_for_state(hub, "siren.halaman", "on")
    if dialect == "esphome":
        assert on_time_sent(dialect, device) is None  # ESPHome takes no on-time
        assert hub.states.get("siren.halaman").attributes["device_max_on_time"] is False
    else:
        assert on_time_sent(dialect, device) == 60


async def test_siren_switches_off_after_its_on_time(hub, dialect, device):
    await turn_on(hub, duration=1)
    await wait_for_state(hub, "siren.halaman", "on")
    # the device times itself out (ESPHome: the hub sends OFF) and says so
    await wait_for_state(hub, "siren.halaman", "off", timeout=4)


async def test_a_silent_device_leaves_the_siren_unconfirmed(hub, dialect, device):
    device.confirms = False
    with EventWaiter(hub, "siren.unconfirmed") as unconfirmed:
        await turn_on(hub, duration=10)
        event = await unconfirmed.wait(timeout=3)
    assert event.data["entity_id"] == "siren.halaman"
    assert event.data["expected"] == "on" and event.data["command"] == "turn_on"
    assert event.data["site"] == "dinkes"
    assert hub.states.get("siren.halaman").state == "unconfirmed"


async def test_offline_device_makes_the_siren_unavailable(hub, dialect, device):
    await wait_for_state(hub, "siren.halaman", lambda s: s.state != "unavailable")
    await device.go_offline()  # the broker publishes the device's last will
    await wait_for_state(hub, "siren.halaman", "unavailable")
    sent = len(device.commands)
    with pytest.raises(DeviceError, match="unavailable"):
        await turn_on(hub, duration=10)
    assert len(device.commands) == sent


async def test_siren_is_unavailable_while_the_broker_is_away(hub, dialect, device, mosquitto):
    await wait_for_state(hub, "siren.halaman", lambda s: s.state != "unavailable")
    await asyncio.to_thread(mosquitto.stop)
    state = await wait_for_state(hub, "siren.halaman", "unavailable")
    with pytest.raises(DeviceError, match="unavailable"):
        await turn_on(hub, duration=10)
    await asyncio.to_thread(mosquitto.start)
    await device.stop()  # the device, too, reconnects and says it is online
    await device.start()
    await wait_for_state(hub, "siren.halaman", lambda s: s.state != "unavailable", timeout=10)
    assert state.state == "unavailable"


async def test_a_shelly_that_refuses_the_command_is_reported_at_once(
    hub_factory: Any, mosquitto: Mosquitto
) -> None:
    # the relay has one switch (switch:0); the admin wrote channel 3
    async with sim.ShellySiren(mosquitto.host, mosquitto.port, "shelly-s") as device:
        siren = {
            "platform": "mqtt",
            "id": "halaman",
            "site": "dinkes",
            "dialect": "shelly",
            "topic": "shelly-s",
            "channel": 3,
            "confirm_timeout": 30,  # the refusal is reported long before this
        }
        hub = await hub_factory(
            {
                "hub": {"id": "uji"},
                "sites": SITES,
                "mqtt": mqtt_config(mosquitto),
                "siren": [siren],
            },
            plugins=["hub.plugins.mqtt_devices"],
        )
        with EventWaiter(hub, "siren.unconfirmed") as unconfirmed:
            await turn_on(hub, duration=10)
            event = await unconfirmed.wait(timeout=3)
        assert event.data["refused"] == "Argument 'id', value 3 not found! (RPC error -105)"
        state = hub.states.get("siren.halaman")
        assert state.state == "unconfirmed"
        assert state.attributes["refused"] == event.data["refused"]
        assert device.output is False


async def test_a_relay_without_a_last_will_that_falls_silent_is_noticed(
    hub_factory: Any, mosquitto: Mosquitto, observer: Any
) -> None:
    # a home-made relay with no LWT: only its state reports show it is alive
    siren = {
        "platform": "mqtt",
        "id": "halaman",
        "site": "dinkes",
        "dialect": "generic",
        "command_topic": "relay-x/set",
        "state_topic": "relay-x/state",
        "expire_after": 0.5,
    }
    hub = await hub_factory(
        {"hub": {"id": "uji"}, "sites": SITES, "mqtt": mqtt_config(mosquitto), "siren": [siren]},
        plugins=["hub.plugins.mqtt_devices"],
    )
    with EventWaiter(hub, "device.unavailable") as down, EventWaiter(hub, "device.available") as up:
        await observer.publish("relay-x/state", "OFF", qos=1)
        await wait_for_state(hub, "siren.halaman", "off")
        event = await down.wait(3)  # no report for 0.5 s: the relay lost power
        assert event.data["entity_id"] == "siren.halaman"
        assert "expire_after" in event.data["reason"]
        with pytest.raises(DeviceError, match="unavailable"):
            await turn_on(hub, duration=10)
        await observer.publish("relay-x/state", "OFF", qos=1)  # back, and says so
        await up.wait(3)
    assert hub.states.get("siren.halaman").state == "off"
