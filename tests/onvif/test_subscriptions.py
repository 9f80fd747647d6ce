"""A camera allows only a few subscriptions and keeps an abandoned one until
its termination time: the hub keeps its one subscription through network
drops and ends the old one before it makes a new one (#8)."""

from __future__ import annotations

import pytest

from hub.testing import EventWaiter, wait_for_state
from hub.testing.cameras.onvif_device import FakeOnvifCamera

from .conftest import PLUGINS, SITES, camera_config, subscribed

ENTITY = "camera.dinkes_lobi"


@pytest.fixture
async def strict():
    """A camera with room for two subscriptions, each kept 30 s if abandoned."""
    camera = FakeOnvifCamera("lobi", max_subscriptions=2)
    await camera.start()
    yield camera
    await camera.stop()


async def motion_comes_through(hub, fake, within: float = 15.0) -> None:
    with EventWaiter(hub, "camera.motion") as motion:
        fake.emit("motion", True)
        await motion.wait(within)
    fake.emit("motion", False)
    await wait_for_state(hub, ENTITY, "idle", within)


async def test_network_drops_keep_the_one_subscription(hub_factory, strict):
    config = camera_config(strict, subscription_time=30)
    hub = await hub_factory({"sites": SITES, "camera": [config]}, plugins=PLUGINS)
    camera = await subscribed(hub)
    for _ in range(3):  # more drops than the camera has room for subscriptions
        await strict.drop_network(down_for=1.0)
        await motion_comes_through(hub, strict)
    assert camera.subscriptions_made == 1
    assert len(strict.live_subscriptions()) == 1
    assert "SubscribeCreationFailedFault" not in str(camera.link.last_error)


async def test_an_event_during_a_drop_arrives_after_it(hub_factory, strict):
    config = camera_config(strict, subscription_time=30)
    hub = await hub_factory({"sites": SITES, "camera": [config]}, plugins=PLUGINS)
    await subscribed(hub)
    with EventWaiter(hub, "camera.line_crossed") as line:
        await strict.stop()
        strict.emit("line_crossed")  # queued on the camera for the subscription the hub keeps
        await strict.drop_network(down_for=0.5)
        await line.wait(15)


async def test_the_old_subscription_is_ended_before_a_new_one(hub_factory, strict):
    config = camera_config(strict, subscription_time=30)
    hub = await hub_factory({"sites": SITES, "camera": [config]}, plugins=PLUGINS)
    await subscribed(hub)
    for made in (2, 3, 4):  # a pull fault: the camera still knows the old subscription
        strict.faults.pull_faults = 1
        await subscribed(hub, count=made, within=15)
    await motion_comes_through(hub, strict)
    assert len(strict.live_subscriptions()) == 1
    assert strict.requests.count("Unsubscribe") == 3
