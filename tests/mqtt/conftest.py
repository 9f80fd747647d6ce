"""Fixtures for the MQTT tests: a real Mosquitto on a free port per test,
and hubs connected to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from hub.core.mqtt import MQTT, MqttConnection
from hub.testing.mosquitto import Mosquitto, running_broker


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    """A running broker; the test may stop(), kill() and start() it again."""
    yield from running_broker(tmp_path / "mosquitto")


@pytest.fixture
def hub_factory(mosquitto: Mosquitto, hub_factory: Any) -> Any:
    """The hub_factory of hub.testing, set up after the broker so that it is
    torn down before it: every hub says goodbye to a running broker, whatever
    order a test names its fixtures in (else the broker could stop first and
    the hub's stop raced its going)."""
    return hub_factory


def mqtt_config(broker: Mosquitto, **extra: Any) -> dict[str, Any]:
    return {
        "host": broker.host,
        "port": broker.port,
        "reconnect_min": 0.1,
        "reconnect_max": 1.0,
        **extra,
    }


@pytest.fixture
def hub_config(mosquitto: Mosquitto) -> dict[str, Any]:
    return {"hub": {"id": "uji"}, "mqtt": mqtt_config(mosquitto)}


def connection_of(hub: Any) -> MqttConnection:
    return hub.data[MQTT]


@pytest.fixture
async def observer(mosquitto: Mosquitto) -> AsyncIterator[aiomqtt.Client]:
    """A plain MQTT client standing for a device or a person watching."""
    async with aiomqtt.Client(
        mosquitto.host, mosquitto.port, identifier="observer", timeout=5
    ) as client:
        yield client
