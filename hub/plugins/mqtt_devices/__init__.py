"""MQTT sirens and relay doors (Tasmota, Shelly Gen2, Zigbee2MQTT, ESPHome,
or topics from YAML), through the hub's one MQTT connection; and a device
simulator for tests, benchmarks and demos (`simulator.py`)."""

from hub import hookimpl

from .door import MqttDoor
from .siren import MqttSiren


@hookimpl
def sigap_siren_platforms(hub):
    return [MqttSiren]


@hookimpl
def sigap_door_platforms(hub):
    return [MqttDoor]
