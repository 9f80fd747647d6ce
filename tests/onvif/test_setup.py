"""Setting a camera up: a clock behind a login or not readable at all, or
no events service, does not keep it from working (#8)."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from hub.testing import EventWaiter, FakeClock, wait_for_state
from hub.testing.cameras.onvif_device import FakeOnvifCamera

from .conftest import PLUGINS, SITES, camera_config, subscribed

ENTITY = "camera.dinkes_lobi"


async def test_a_clock_behind_a_login_is_read_with_the_credentials(hub_factory, fake):
    fake.faults.clock_needs_login = True
    fake.faults.clock_skew = 2.0
    hub = await hub_factory({"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS)
    camera = await subscribed(hub)
    assert camera.clock_offset == pytest.approx(2.0, abs=1.5)
    with EventWaiter(hub, "camera.motion") as motion:
        fake.emit("motion")
        await motion.wait(5)


async def test_the_camera_clock_is_compared_with_the_hub_clock(hub_factory, fake):
    # the hub's wall clock (a FakeClock an hour ahead) is the one the
    # camera's is held against, not the machine's
    clock = FakeClock(time.time() + 3600)
    hub = await hub_factory(
        {"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS, clock=clock
    )
    camera = await subscribed(hub)
    assert camera.clock_offset == pytest.approx(-3600, abs=5)


@pytest.mark.parametrize("adjust_time", [False, True])
async def test_an_unreadable_clock_is_a_warning_not_a_dead_camera(
    hub_factory, fake, caplog, adjust_time
):
    caplog.set_level(logging.WARNING)
    fake.faults.clock_refused = True
    hub = await hub_factory(
        {"sites": SITES, "camera": [camera_config(fake, adjust_time=adjust_time)]},
        plugins=PLUGINS,
    )
    camera = await subscribed(hub)
    assert camera.clock_offset is None
    assert camera.available
    said = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "clock" in r.getMessage()
    ]
    assert len(said) == 1, said
    assert "camera.dinkes_lobi" in said[0] and f"{fake.host}:{fake.port}" in said[0]
    assert "not supported" in said[0]  # what the camera answered
    with EventWaiter(hub, "camera.motion") as motion:
        fake.emit("motion")
        await motion.wait(5)


@pytest.fixture
async def no_events():
    camera = FakeOnvifCamera("lobi", events=False)
    await camera.start()
    yield camera
    await camera.stop()


@pytest.mark.parametrize("how", ["no events service", "PullPoint refused"])
async def test_a_camera_without_events_serves_snapshots_and_ptz(
    hub_factory, fake, no_events, caplog, how
):
    caplog.set_level(logging.WARNING)
    if how == "PullPoint refused":  # an NVR channel lists the service, then refuses it
        camera_fake = fake
        fake.faults.no_pullpoint = True
    else:
        camera_fake = no_events
    config = camera_config(camera_fake)
    hub = await hub_factory({"sites": SITES, "camera": [config]}, plugins=PLUGINS)
    state = await wait_for_state(
        hub, ENTITY, lambda s: s.attributes.get("reports_events") is False, 15
    )
    assert state.state != "unavailable"
    answer = await hub.services.call("camera", "snapshot", {"entity_id": ENTITY})
    assert ENTITY in answer["files"], answer
    await hub.services.call("camera", "ptz_preset", {"entity_id": ENTITY, "preset": "Gerbang"})
    assert camera_fake.preset_calls == ["1"]
    # still available well past unavailable_after (2 s), the camera asked now and then
    asked = camera_fake.requests.count("GetSystemDateAndTime")
    async with asyncio.timeout(15):
        while camera_fake.requests.count("GetSystemDateAndTime") < asked + 3:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    assert hub.devices.get(ENTITY).available
    said = [r.getMessage() for r in caplog.records if "events" in r.getMessage()]
    assert len(said) == 1, said  # one clear warning, not one per retry
    assert f"{camera_fake.host}:{camera_fake.port}" in said[0]


async def test_a_camera_without_events_that_goes_away_is_unavailable(hub_factory, no_events):
    hub = await hub_factory({"sites": SITES, "camera": [camera_config(no_events)]}, plugins=PLUGINS)
    await wait_for_state(hub, ENTITY, lambda s: s.attributes.get("reports_events") is False, 15)
    with EventWaiter(hub, "device.unavailable") as down, EventWaiter(hub, "device.available") as up:
        await no_events.stop()
        await down.wait(15)
        await no_events.start()
        await up.wait(15)


@pytest.fixture
async def dead():
    """Three cameras that take every request and never answer."""
    cameras = [FakeOnvifCamera(f"mati{n}") for n in range(3)]
    for camera in cameras:
        camera.faults.mute = True
        await camera.start()
    yield cameras
    for camera in cameras:
        await camera.stop()


async def test_dead_cameras_do_not_delay_a_healthy_one(hub_factory, fake, dead):
    # the dead ones first: before, each held the others for the 15 s request timeout
    entries = [{**camera_config(camera), "id": f"dinkes_mati{n}"} for n, camera in enumerate(dead)]
    config = {"sites": SITES, "camera": [*entries, camera_config(fake)]}
    hub = await hub_factory(config, plugins=PLUGINS)
    await subscribed(hub, within=8)
    with EventWaiter(hub, "camera.motion") as motion:
        fake.emit("motion")
        await motion.wait(5)
    assert all(camera.requests for camera in dead)  # they were asked, at the same time
