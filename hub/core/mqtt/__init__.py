"""MQTT, a room of the core built as a plugin: the `mqtt:` configuration
section, the one shared connection (`hub.data[MQTT]`) for the hub's
lifetime, the `mqtt` automation trigger and the `mqtt.publish` service.

Without an `mqtt:` section the room stays idle: the demo needs no broker.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import voluptuous as vol

from ..config.validators import port
from ..hookspecs import hookimpl
from ..hub import EVENT_HUB_STARTED, EVENT_HUB_STOPPING
from ..i18n import t
from ..keys import HubKey
from .connection import Message, MessageCallback, MqttConnection, MqttError, MqttNotConnected
from .publish import register_publish_service
from .session_filters import last_filters, saver
from .topics import InvalidTopic, check_filter, check_topic, matches
from .trigger import MqttTrigger

if TYPE_CHECKING:
    from ..hub import Hub

__all__ = [
    "EVENT_MQTT_CONNECTED",
    "EVENT_MQTT_DISCONNECTED",
    "MQTT",
    "InvalidTopic",
    "Message",
    "MessageCallback",
    "MqttConnection",
    "MqttError",
    "MqttNotConnected",
    "check_filter",
    "check_topic",
    "matches",
]

_LOGGER = logging.getLogger("hub.mqtt")

#: the hub's MQTT connection, present while the hub runs with an `mqtt:` section
MQTT: HubKey[MqttConnection] = HubKey("mqtt")

EVENT_MQTT_CONNECTED = "mqtt.connected"
EVENT_MQTT_DISCONNECTED = "mqtt.disconnected"

# How long start-up waits for the first connection attempt before going on
# without the broker (the connection keeps retrying in the background).
FIRST_CONNECT_TIMEOUT = 5.0

CONFIG_SCHEMA = vol.Schema(
    {
        vol.Optional("host", default="127.0.0.1"): str,
        vol.Optional("port", default=1883): port,
        vol.Optional("username"): str,
        vol.Optional("password"): str,  # use !secret; never logged
        vol.Optional("tls", default=False): bool,
        vol.Optional("tls_ca_file"): str,
        vol.Optional("client_id"): vol.All(str, vol.Length(min=1, max=128)),
        vol.Optional("keepalive", default=30): vol.All(vol.Coerce(int), vol.Range(min=5, max=3600)),
        # seconds between reconnect attempts: doubling from min up to max
        vol.Optional("reconnect_min", default=0.25): vol.All(
            vol.Coerce(float), vol.Range(min=0.01)
        ),
        vol.Optional("reconnect_max", default=4.0): vol.All(vol.Coerce(float), vol.Range(min=0.1)),
    }
)


def hub_id(hub: Hub) -> str:
    return str(hub.settings.get("id") or "sigap")


def status_topic(hub: Hub) -> str:
    """Where the hub says `online` (birth) and `offline` (last will), retained."""
    return f"sigap/{hub_id(hub)}/status"


@hookimpl
def sigap_config_schema(hub: Hub) -> dict[str, Any]:
    return {"mqtt": CONFIG_SCHEMA}


@hookimpl
def sigap_trigger_platforms(hub: Hub) -> list[type]:
    return [MqttTrigger]


@hookimpl
def sigap_lifespan(hub: Hub) -> Any:
    settings = hub.config.get("mqtt")
    if settings is None:
        return None

    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        def on_state(connected: bool, reason: str) -> None:
            if connected:
                hub.bus.fire(EVENT_MQTT_CONNECTED, {"broker": broker}, hub.context)
            else:
                hub.bus.fire(
                    EVENT_MQTT_DISCONNECTED, {"broker": broker, "reason": reason}, hub.context
                )

        broker = f"{settings['host']}:{settings['port']}"
        client_id = settings.get("client_id") or f"sigap-{hub_id(hub)}"
        connection = MqttConnection(
            host=settings["host"],
            port=settings["port"],
            client_id=client_id,
            status_topic=status_topic(hub),
            username=settings.get("username"),
            password=settings.get("password"),
            tls=settings["tls"],
            tls_ca_file=settings.get("tls_ca_file"),
            keepalive=settings["keepalive"],
            reconnect_min=settings["reconnect_min"],
            reconnect_max=settings["reconnect_max"],
            on_state=on_state,
            # the filters of the session, kept by the recorder between runs
            last_filters=await last_filters(hub, client_id),
            save_filters=saver(hub),
            language=lambda: hub.console_language,
            clock=hub.clock,
        )
        connection.start()
        try:
            async with asyncio.timeout(FIRST_CONNECT_TIMEOUT):
                connected = await connection.wait_first_attempt()
        except TimeoutError:
            connected = False
        if not connected:
            _LOGGER.warning("%s", t("mqtt.not_answering", hub.console_language, broker=broker))
        hub.data[MQTT] = connection
        unregister = register_publish_service(hub, connection)
        unlisten = [
            hub.bus.listen(EVENT_HUB_STARTED, lambda e: connection.hub_started()),
            hub.bus.listen(EVENT_HUB_STOPPING, lambda e: connection.hub_stopping()),
        ]
        try:
            yield
        finally:
            for undo in unlisten:
                undo()
            unregister()
            hub.data.pop(MQTT, None)
            await connection.stop()

    return lifespan()
