"""What the hub makes of a camera's event messages: one event per line
crossing, one state per topic, and motion that began while the hub was cut
off from the camera is not missed (#8)."""

from __future__ import annotations

from hub.testing import EventWaiter, wait_for_state

from .conftest import PLUGINS, SITES, camera_config, subscribed

ENTITY = "camera.dinkes_lobi"


async def test_a_line_crossing_fires_once_whatever_the_camera_says_after(hub_factory, fake):
    hub = await hub_factory({"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS)
    await subscribed(hub)
    with (
        EventWaiter(hub, "camera.line_crossed") as line,
        EventWaiter(hub, "camera.tamper") as after,
    ):
        for kind in ("line_crossed", "line_cross"):  # ObjectId 1 then 0; IsLineCross true, false
            fake.emit(kind, True)
            fake.emit(kind, False)
        fake.emit("tamper")  # queued after the crossings: once it is here, they all are
        await after.wait(5)
    assert [e.data["topic"] for e in line.events] == [
        "tns1:RuleEngine/LineDetector/Crossed",
        "tns1:RuleEngine/CellMotionDetector/LineCross",
    ]


async def test_two_topics_with_one_source_keep_their_own_state(hub_factory, fake):
    hub = await hub_factory({"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS)
    await subscribed(hub)
    fake.emit("motion", True)  # CellMotionDetector
    await wait_for_state(hub, ENTITY, "motion")
    with EventWaiter(hub, "camera.tamper") as after:
        # the region detector of the same rule (same Source) turns on and off again
        fake.emit("motion_region", True)
        fake.emit("motion_region", False)
        fake.emit("tamper")
        await after.wait(5)
    # the cell detector has not said its motion is over
    assert hub.states.get(ENTITY).state == "motion"
    assert hub.states.get(ENTITY).attributes["motion"] is True
    fake.emit("motion", False)
    await wait_for_state(hub, ENTITY, "idle")


async def test_motion_that_began_during_an_outage_fires_the_event(hub_factory, fake):
    hub = await hub_factory({"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS)
    await subscribed(hub)
    assert hub.states.get(ENTITY).state == "idle"
    with EventWaiter(hub, "camera.motion") as motion:
        await fake.stop()
        fake.subscriptions.clear()  # a reboot: the hub must subscribe again
        fake.emit("motion", True)  # the intrusion begins while the hub cannot hear
        await fake.start()
        event = await motion.wait(20)
    # the camera tells it as the current state ("Initialized") of the new subscription
    assert event.data["topic"] == "tns1:RuleEngine/CellMotionDetector/Motion"
    assert hub.states.get(ENTITY).state == "motion"


async def test_motion_already_on_at_start_fires_the_event(hub_factory, fake):
    fake.emit("motion", True)
    hub = await hub_factory(
        {"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS, start=False
    )
    with EventWaiter(hub, "camera.motion") as motion:
        await hub.start()
        await motion.wait(10)
    assert hub.states.get(ENTITY).state == "motion"


async def test_motion_known_before_a_drop_is_not_fired_twice(hub_factory, fake):
    hub = await hub_factory({"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS)
    await subscribed(hub)
    with EventWaiter(hub, "camera.motion") as motion:
        fake.emit("motion", True)
        await motion.wait(5)
        await fake.reboot(down_for=0.5)  # still in motion when it is back
        await subscribed(hub, count=2)
        with EventWaiter(hub, "camera.tamper") as after:
            fake.emit("tamper")  # queued after the new subscription's Initialized motion
            await after.wait(10)
    assert len(motion.events) == 1
    assert hub.states.get(ENTITY).state == "motion"
