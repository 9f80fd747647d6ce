"""The `mqtt.publish` service: topic, payload (text, number, or a mapping
sent as JSON), qos, retain."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import voluptuous as vol

from .. import i18n
from ..services import ServiceCall
from .connection import MqttConnection
from .topics import InvalidTopic, check_topic

if TYPE_CHECKING:
    from ..hub import Hub


def _topic(value: Any) -> str:
    try:
        return check_topic(str(value))
    except InvalidTopic as err:
        raise vol.Invalid(i18n.message(err)) from None


SCHEMA = {
    vol.Required("topic"): _topic,
    vol.Optional("payload"): vol.Any(str, int, float, bool, dict, list, None),
    vol.Optional("qos", default=0): vol.All(vol.Coerce(int), vol.In((0, 1, 2))),
    vol.Optional("retain", default=False): bool,
}


def encode_payload(payload: Any) -> str | bytes:
    if payload is None:
        return b""
    if isinstance(payload, str | bytes):
        return payload
    if isinstance(payload, bool):
        return "true" if payload else "false"
    if isinstance(payload, int | float):
        return str(payload)
    return json.dumps(payload, separators=(",", ":"))


def register_publish_service(hub: Hub, connection: MqttConnection) -> Callable[[], None]:
    async def handle(call: ServiceCall) -> None:
        data = call.data
        await connection.publish(
            data["topic"], encode_payload(data.get("payload")), data["qos"], data["retain"]
        )

    return hub.services.register("mqtt", "publish", handle, SCHEMA)
