"""Mistakes in MQTT device and trigger configuration are reported with the
key, and a near miss gets a did-you-mean."""

from __future__ import annotations

from hub.core.hub import Hub


def errors_of(config: dict) -> list[str]:
    hub = Hub(config=config, plugins=["hub.plugins.mqtt_devices"], autoload=False)
    return [str(e) for e in hub.load()]


BASE = {"hub": {"id": "uji"}, "mqtt": {}, "sites": [{"id": "dinkes"}]}


def test_dialect_and_key_mistakes_are_named():
    errors = errors_of(
        {
            **BASE,
            "siren": [
                {"platform": "mqtt", "id": "a", "site": "dinkes", "dialect": "tasmotta"},
                {"platform": "mqtt", "id": "b", "site": "dinkes", "dialect": "shelly"},
                {
                    "platform": "mqtt",
                    "id": "c",
                    "site": "dinkes",
                    "dialect": "zigbee2mqtt",
                    "topic": "z",
                    "confirm_timeot": 3,
                },
            ],
            "door": [{"platform": "mqtt", "id": "d", "site": "dinkes", "dialect": "tasmota"}],
        }
    )
    text = "\n".join(errors)
    assert "siren[0].dialect: unknown dialect 'tasmotta' (did you mean 'tasmota'?)" in text
    assert "siren[1]: required key 'topic' is missing" in text
    assert "'confirm_timeot' is not a key of a zigbee2mqtt device" in text
    assert "(did you mean 'confirm_timeout'?)" in text
    assert "door[0].dialect: unknown dialect 'tasmota'; one of: esphome, generic" in text
    assert len(errors) == 4


def test_mqtt_section_is_checked():
    errors = errors_of({**BASE, "mqtt": {"port": 70000, "keepalive": 1}})
    assert any("mqtt" in e and "port" in e for e in errors)
    assert any("keepalive" in e for e in errors)
