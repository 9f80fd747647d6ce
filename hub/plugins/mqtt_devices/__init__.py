"""MQTT sirens and relay doors (Tasmota, Shelly Gen2, Zigbee2MQTT, ESPHome,
or topics from YAML), through the hub's one MQTT connection; and a device
simulator for tests, benchmarks and demos (`simulator.py`)."""

from pathlib import Path

from hub import hookimpl, i18n

# this plugin's words (locale/<lang>/LC_MESSAGES/mqtt_devices.po), named before its
# modules are imported: a module may build a Text when it is loaded
i18n.add_domain("mqtt_devices", Path(__file__).parent / "locale")

from .door import MqttDoor  # noqa: E402
from .siren import MqttSiren  # noqa: E402


@hookimpl
def sigap_siren_platforms(hub):
    return [MqttSiren]


@hookimpl
def sigap_door_platforms(hub):
    return [MqttDoor]
