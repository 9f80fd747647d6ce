"""The fake ONVIF camera of hub.testing and a hub's camera entry for it,
shared by the ONVIF tests."""

from __future__ import annotations

import pytest

from hub.testing import wait_for_state
from hub.testing.cameras.onvif_device import FakeOnvifCamera

PLUGINS = ["hub.plugins.onvif"]
SITES = [{"id": "dinkes", "name": "Dinas Kesehatan", "areas": ["lobi"]}]


@pytest.fixture
async def fake():
    camera = FakeOnvifCamera("lobi")
    await camera.start()
    yield camera
    await camera.stop()


def camera_config(fake: FakeOnvifCamera, **extra):
    return {
        "platform": "onvif",
        "id": "dinkes_lobi",
        "site": "dinkes",
        "area": "lobi",
        "host": fake.host,
        "port": fake.port,
        "username": "admin",
        "password": "sandi123",
        # short periods so a reboot or a lost subscription heals in seconds
        "pull_timeout": 2,
        "subscription_time": 6,
        "unavailable_after": 2,
        "retry_max": 1,
        **extra,
    }


async def subscribed(hub, count: int = 1, within: float = 20.0):
    camera = hub.devices.get("camera.dinkes_lobi")
    await wait_for_state(
        hub,
        "camera.dinkes_lobi",
        lambda s: s.attributes.get("events_stale") is False and camera.subscriptions_made >= count,
        within,
    )
    return camera
