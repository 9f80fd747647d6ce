"""Sigap: the public API vendors import.

A plugin imports only from here and from `hub.kit` (the protocol helpers
device plugins share), and its own protocol libraries. The hub object,
the bus and the MQTT connection are not part of it: a plugin reaches them
through the `hub` its hooks and devices are given::

    from hub import Siren, hookimpl

    class TasmotaSiren(Siren):
        platform = "tasmota"
        ...

    @hookimpl
    def sigap_siren_platforms(hub):
        return [TasmotaSiren]
"""

from importlib.metadata import PackageNotFoundError, version

from . import kit
from .core import i18n
from .core.bus import MATCH_ALL, Event, Unsubscribe
from .core.clock import Clock
from .core.config import ConfigError, ConfigErrors, suggest
from .core.context import Context
from .core.domains import EntityDomain, EntityService
from .core.hookspecs import hookimpl
from .core.hub import EVENT_HUB_STARTED, EVENT_HUB_STOPPING
from .core.keys import HubKey
from .core.lograte import LogRate, shown
from .core.media import MEDIA, MediaFile, MediaRoom
from .core.mqtt import (
    EVENT_MQTT_CONNECTED,
    EVENT_MQTT_DISCONNECTED,
    MQTT,
    MqttError,
    MqttNotConnected,
)
from .core.mqtt import Message as MqttMessage
from .core.platform import (
    EVENT_DEVICE_AVAILABLE,
    EVENT_DEVICE_UNAVAILABLE,
    BinarySensor,
    Camera,
    DeliveryError,
    Device,
    DeviceError,
    DeviceUnavailable,
    Door,
    Notification,
    Notifier,
    RateLimits,
    Sensor,
    Siren,
    TriggerAction,
    TriggerPlatform,
)
from .core.services import ServiceCall, ServiceNotFound, ServiceValidationError
from .core.state import (
    EVENT_STATE_CHANGED,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    State,
)
from .core.storage import storage_dir, write_atomic

try:
    __version__ = version("sigap-hub")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "EVENT_DEVICE_AVAILABLE",
    "EVENT_DEVICE_UNAVAILABLE",
    "EVENT_HUB_STARTED",
    "EVENT_HUB_STOPPING",
    "EVENT_MQTT_CONNECTED",
    "EVENT_MQTT_DISCONNECTED",
    "EVENT_STATE_CHANGED",
    "MATCH_ALL",
    "MEDIA",
    "MQTT",
    "STATE_UNAVAILABLE",
    "STATE_UNKNOWN",
    "BinarySensor",
    "Camera",
    "Clock",
    "ConfigError",
    "ConfigErrors",
    "Context",
    "DeliveryError",
    "Device",
    "DeviceError",
    "DeviceUnavailable",
    "Door",
    "EntityDomain",
    "EntityService",
    "Event",
    "HubKey",
    "LogRate",
    "MediaFile",
    "MediaRoom",
    "MqttError",
    "MqttMessage",
    "MqttNotConnected",
    "Notification",
    "Notifier",
    "RateLimits",
    "Sensor",
    "ServiceCall",
    "ServiceNotFound",
    "ServiceValidationError",
    "Siren",
    "State",
    "TriggerAction",
    "TriggerPlatform",
    "Unsubscribe",
    "__version__",
    "hookimpl",
    "i18n",
    "kit",
    "shown",
    "storage_dir",
    "suggest",
    "write_atomic",
]
