"""What the MQTT room raises."""

from __future__ import annotations

from .. import i18n


class MqttError(Exception):
    """An MQTT operation failed; the message says which and why."""


class MqttNotConnected(MqttError):
    def __init__(self, host: str, port: int, topic: str) -> None:
        super().__init__(i18n.Text("mqtt.not_connected", host=host, port=port, topic=topic))
