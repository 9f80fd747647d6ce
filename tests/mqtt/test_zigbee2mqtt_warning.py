"""A Zigbee2MQTT siren takes only the warning modes and levels of the
Zigbee2MQTT warning schema: a tone or level it does not know is an error
at check-config and at the service call, with a did-you-mean, and never
reaches the device (which would refuse it) (issue #8)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from hub import DeviceError
from hub.core.hub import Hub
from hub.plugins.mqtt_devices import simulator as sim
from hub.testing import wait_for_state
from hub.testing.mosquitto import Mosquitto

from .conftest import mqtt_config

SITES = [{"id": "dinkes", "areas": ["halaman"]}]


def siren(**extra: Any) -> dict[str, Any]:
    return {
        "platform": "mqtt",
        "id": "halaman",
        "site": "dinkes",
        "dialect": "zigbee2mqtt",
        "topic": "sirene_z",
        "confirm_timeout": 0.5,
        **extra,
    }


def errors_of(*sirens: dict[str, Any]) -> list[str]:
    config = {"hub": {"id": "uji"}, "mqtt": {}, "sites": SITES, "siren": list(sirens)}
    hub = Hub(config=config, plugins=["hub.plugins.mqtt_devices"], autoload=False)
    return [str(e) for e in hub.load()]


def test_check_config_names_an_unknown_tone_or_level() -> None:
    errors = errors_of(
        siren(tone="burglr"),
        {**siren(level="very high"), "id": "b"},
        {**siren(tone="stop"), "id": "c"},  # stop silences: it is what turn_off sends
    )
    text = "\n".join(errors)
    assert (
        "siren[0].tone: 'burglr' is not a Zigbee2MQTT warning mode (did you mean 'burglar'?);"
        " one of: burglar, fire, emergency, police_panic, fire_panic, emergency_panic" in text
    )
    assert (
        "siren[1].level: 'very high' is not a Zigbee2MQTT warning level"
        " (did you mean 'very_high'?); one of: low, medium, high, very_high" in text
    )
    assert "siren[2].tone: 'stop' is not a Zigbee2MQTT warning mode" in text
    assert len(errors) == 3


def test_known_tones_and_levels_pass_in_any_case() -> None:
    assert errors_of(siren(tone="Police_Panic", level="VERY_HIGH")) == []


@pytest.fixture
async def device(mosquitto: Mosquitto) -> AsyncIterator[sim.Zigbee2MqttSiren]:
    async with sim.Zigbee2MqttSiren(mosquitto.host, mosquitto.port, "sirene_z") as simulated:
        yield simulated


@pytest.fixture
async def hub(hub_factory: Any, mosquitto: Mosquitto, device: sim.Zigbee2MqttSiren) -> Any:
    config = {"hub": {"id": "uji"}, "sites": SITES, "mqtt": mqtt_config(mosquitto)}
    return await hub_factory({**config, "siren": [siren()]}, plugins=["hub.plugins.mqtt_devices"])


def warnings_sent(device: sim.Zigbee2MqttSiren) -> list[dict[str, Any]]:
    return [json.loads(p)["warning"] for t, p, _ in device.commands if t.endswith("/set")]


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"tone": "polic_panic"}, "'polic_panic' is not a Zigbee2MQTT warning mode"
         " (did you mean 'police_panic'?)"),
        ({"level": "loud"}, "'loud' is not a Zigbee2MQTT warning level"),
        ({"tone": "fire", "level": "hihg"}, "(did you mean 'high'?)"),
    ],
)  # fmt: skip
async def test_the_service_refuses_an_unknown_tone_or_level(
    hub: Any, device: sim.Zigbee2MqttSiren, data: dict[str, str], said: str
) -> None:
    with pytest.raises(DeviceError) as refused:
        await hub.services.call("siren", "turn_on", {"entity_id": "siren.halaman", **data})
    assert said in str(refused.value)
    assert warnings_sent(device) == [] and device.refused == []
    assert hub.states.get("siren.halaman").state != "unconfirmed"


async def test_a_known_tone_and_level_reach_the_device(
    hub: Any, device: sim.Zigbee2MqttSiren
) -> None:
    await hub.services.call(
        "siren",
        "turn_on",
        {"entity_id": "siren.halaman", "tone": "Fire", "level": "very_high", "duration": 5},
    )
    await wait_for_state(hub, "siren.halaman", "on")
    (warning,) = warnings_sent(device)
    assert (warning["mode"], warning["level"], warning["duration"]) == ("fire", "very_high", 5)
    assert device.refused == []
