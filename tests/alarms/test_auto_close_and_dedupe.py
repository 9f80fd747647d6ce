"""An alarm that ends by itself (the camera is back, an event says so),
and a flapping sensor that makes one alarm with a counter, not fifty."""

from __future__ import annotations

import asyncio

from hub.testing import EventWaiter

from .conftest import manager, raise_alarm, sent


async def test_the_camera_back_online_closes_its_alarm(alarm_hub):
    hub = await alarm_hub()
    camera = hub.devices.get("camera.dinkes_lobi")
    camera.set_available(False, "link down")
    with EventWaiter(hub, "alarm.closed") as closed:
        alarm_id = await raise_alarm(
            hub,
            title={"id": "Kamera tidak terhubung", "en": "Camera offline"},
            auto_close_on={"entity_id": "camera.dinkes_lobi", "state": "idle"},
        )
        other = await raise_alarm(
            hub, auto_close_on={"entity_id": "camera.dinkes_lobi", "state": "motion"}
        )
        camera.set_available(True)
        event = await closed.wait()
        await asyncio.sleep(0)
        assert len(closed.events) == 1
    assert event.data["alarm_id"] == alarm_id and event.data["who"] == "system"
    assert event.data["note"] == "closed by itself: camera.dinkes_lobi is idle"
    assert list(manager(hub).open) == [other]
    row = await hub.recorder.alarms.get(alarm_id)
    assert row["state"] == "closed" and row["closed_by"] == "system"


async def test_an_event_closes_its_alarm(alarm_hub):
    hub = await alarm_hub()
    camera = hub.devices.get("camera.dinkes_lobi")
    with EventWaiter(hub, "alarm.closed") as closed:
        alarm_id = await raise_alarm(
            hub,
            auto_close_on=[
                {"event": "device.available", "event_data": {"entity_id": "camera.dinkes_lobi"}}
            ],
        )
        hub.bus.fire("device.available", {"entity_id": "camera.dinkes_halaman"})
        await hub.clock.advance(0)
        assert closed.events == []
        camera.set_available(False, "link down")
        camera.set_available(True)
        event = await closed.wait()
    assert event.data["alarm_id"] == alarm_id
    assert event.data["note"] == "closed by itself: device.available happened"
    assert manager(hub).auto_close._listeners == {}  # nothing left listening


async def test_fifty_raises_with_one_key_make_one_alarm_with_a_counter(alarm_hub):
    hub = await alarm_hub()
    with EventWaiter(hub, "alarm.raised") as raised:
        answers = await asyncio.gather(
            *(
                hub.services.call(
                    "alarm",
                    "raise",
                    {
                        "title": "Gerakan di lobi",
                        "site": "dinkes",
                        "dedupe_key": "motion:camera.dinkes_lobi",
                        "recipients": ["dinkes_piket"],
                    },
                )
                for _ in range(50)
            )
        )
        await hub.clock.advance(0)
        assert len(raised.events) == 1
    ids = {a["alarm_id"] for a in answers}
    assert len(ids) == 1
    (alarm_id,) = ids
    assert sorted(a["count"] for a in answers) == list(range(1, 51))
    assert sum(a["deduplicated"] for a in answers) == 49
    row = await hub.recorder.alarms.get(alarm_id)
    assert row["count"] == 50
    assert len(await hub.recorder.alarms.open()) == 1
    kinds = [e["kind"] for e in await hub.recorder.alarms.history(alarm_id)]
    assert kinds.count("raised") == 1 and kinds.count("deduplicated") == 49
    # the people on duty heard of it once each
    assert sorted(n.targets[0] for n in sent(hub)) == ["andi", "budi"]

    # once it is closed, the same key starts a new alarm
    await hub.services.call("alarm", "close", {"alarm_id": alarm_id})
    answer = await hub.services.call(
        "alarm", "raise", {"title": "Gerakan", "dedupe_key": "motion:camera.dinkes_lobi"}
    )
    assert answer["alarm_id"] != alarm_id and answer["count"] == 1
