"""MQTT device mistakes render in Indonesian too (the plugin's own catalog)."""

from __future__ import annotations

from hub.core.hub import Hub

from .test_config_errors import BASE


def test_dialect_and_key_mistakes_in_indonesian():
    hub = Hub(
        config={
            **BASE,
            "siren": [
                {"platform": "mqtt", "id": "a", "site": "dinkes", "dialect": "tasmotta"},
                {
                    "platform": "mqtt",
                    "id": "c",
                    "site": "dinkes",
                    "dialect": "zigbee2mqtt",
                    "topic": "z",
                    "confirm_timeot": 3,
                },
            ],
        },
        plugins=["hub.plugins.mqtt_devices"],
        autoload=False,
    )
    text = "\n".join(e.render("id") for e in hub.load())
    assert (
        "siren[0].dialect: dialek 'tasmotta' tidak dikenal (maksud Anda 'tasmota'?); "
        "salah satu dari:"
    ) in text, text
    assert (
        "'confirm_timeot' bukan kunci perangkat zigbee2mqtt (maksud Anda 'confirm_timeout'?)"
    ) in text, text
