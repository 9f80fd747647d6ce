"""Setting a camera up: a clock behind a login or not readable at all does
not keep it from working (#8)."""

from __future__ import annotations

import logging

import pytest

from hub.testing import EventWaiter

from .conftest import PLUGINS, SITES, camera_config, subscribed


async def test_a_clock_behind_a_login_is_read_with_the_credentials(hub_factory, fake):
    fake.faults.clock_needs_login = True
    fake.faults.clock_skew = 2.0
    hub = await hub_factory({"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS)
    camera = await subscribed(hub)
    assert camera.clock_offset == pytest.approx(2.0, abs=1.5)
    with EventWaiter(hub, "camera.motion") as motion:
        fake.emit("motion")
        await motion.wait(5)


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
