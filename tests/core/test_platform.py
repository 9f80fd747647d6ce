"""What the Device base class gives every platform: its entity and state,
availability with device.available / device.unavailable, and events with
the entity, site and area attached."""

from __future__ import annotations

from typing import Any

import pytest

from hub import (
    EVENT_DEVICE_AVAILABLE,
    EVENT_DEVICE_UNAVAILABLE,
    Camera,
    Context,
    DeviceUnavailable,
    hookimpl,
)
from hub.testing import EventWaiter


class PlainCamera(Camera):
    platform = "plain"

    async def start(self) -> None:
        self.set_state("idle", {"resolution": "1080p"})


class Plugin:
    name = "plain"

    @hookimpl
    def sigap_camera_platforms(self, hub: Any) -> Any:
        return [PlainCamera]


CONFIG = {
    "sites": [{"id": "dinkes", "name": "Dinas Kesehatan", "areas": ["lobi"]}],
    "camera": [
        {
            "platform": "plain",
            "id": "dinkes_lobi",
            "name": "Kamera Lobi",
            "site": "dinkes",
            "area": "lobi",
        }
    ],
}


@pytest.fixture
async def camera(hub_factory) -> PlainCamera:
    hub = await hub_factory(config=CONFIG, plugins=[Plugin()])
    return hub.devices.get("camera.dinkes_lobi")


async def test_the_entity_carries_name_site_area_and_platform(camera: PlainCamera) -> None:
    state = camera.state
    assert camera.entity_id == "camera.dinkes_lobi"
    assert state.state == "idle"
    assert dict(state.attributes) == {
        "friendly_name": "Kamera Lobi",
        "site": "dinkes",
        "area": "lobi",
        "platform": "plain",
        "resolution": "1080p",
    }


async def test_fire_attaches_entity_site_and_area(camera: PlainCamera) -> None:
    context = Context()
    with EventWaiter(camera.hub, "camera.motion") as waiter:
        fired = camera.fire("camera.motion", {"zone": 2}, context)
        event = await waiter.wait()
    assert event is fired
    assert dict(event.data) == {
        "entity_id": "camera.dinkes_lobi",
        "site": "dinkes",
        "area": "lobi",
        "zone": 2,
    }
    assert event.context is context


async def test_availability_goes_and_comes_back_with_one_event_each(camera: PlainCamera) -> None:
    hub = camera.hub
    with (
        EventWaiter(hub, EVENT_DEVICE_UNAVAILABLE) as gone,
        EventWaiter(hub, EVENT_DEVICE_AVAILABLE) as back,
    ):
        camera.set_available(False, "no answer to ping")
        camera.set_available(False, "still no answer")  # no second event
        assert camera.state.state == "unavailable"
        assert camera.state.attributes["resolution"] == "1080p"
        with pytest.raises(DeviceUnavailable, match=r"camera\.dinkes_lobi is unavailable"):
            camera.require_available()

        camera.set_state("motion")  # remembered while offline, shown when back
        assert camera.state.state == "unavailable"

        camera.set_available(True)
        assert camera.state.state == "motion"
        camera.require_available()

        event = await gone.wait()
        assert event.data["reason"] == "no answer to ping"
        assert event.data["entity_id"] == "camera.dinkes_lobi"
        await back.wait()
        assert len(gone.events) == 1 and len(back.events) == 1


async def test_set_state_without_attributes_keeps_the_last_ones(camera: PlainCamera) -> None:
    camera.set_state("motion")
    assert camera.state.attributes["resolution"] == "1080p"
    camera.set_state("idle", {})
    assert "resolution" not in camera.state.attributes
