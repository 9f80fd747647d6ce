"""Each kind is kept as long as `keep_days` says (events and states 30
days, audit and alarms 2 years by default), purged in the background on
the hub's clock: a FakeClock moves through the years here."""

from __future__ import annotations

from hub.core.clock import FakeClock
from hub.testing.waiting import EventWaiter

DAY = 86400.0
WEEK = 7 * DAY


async def test_each_kind_is_purged_after_its_retention(recorder_hub):
    clock = FakeClock()
    hub = await recorder_hub(clock=clock, purge_interval=WEEK)
    recorder = hub.recorder
    start = clock.timestamp()
    hub.bus.fire("camera.motion", {"entity_id": "camera.lobi"})
    hub.states.set("sensor.suhu", "30")
    hub.states.set("sensor.suhu", "31")  # the entity's latest state: kept whatever its age
    recorder.audit({"who": "andi", "action": "view", "entity_id": "camera.lobi"})
    closed = {"priority": "high", "raised_at": start - 10, "closed_at": start, "state": "closed"}
    await recorder.alarms.save({"id": "old_closed", **closed})
    await recorder.alarms.add_history("old_closed", {"at": start, "kind": "closed", "data": {}})
    # open for years (nobody closed it): an open alarm is never purged
    await recorder.alarms.save(
        {"id": "still_open", "priority": "low", "state": "notified", "raised_at": start - 900 * DAY}
    )
    await recorder.flush()

    async def purge_after(seconds: float) -> dict:
        with EventWaiter(hub, "recorder.purged") as purged:
            await clock.advance(seconds)
            return (await purged.wait()).data

    await purge_after(60)  # the first purge, a minute after start
    purges = [await purge_after(WEEK) for _ in range(4)]  # day 28
    assert all(p["events"] + p["states"] + p["audit"] + p["alarms"] == 0 for p in purges)
    assert len(await recorder.events("camera.motion")) == 1

    fifth = await purge_after(WEEK)  # day 35
    assert fifth["events"] >= 1  # the motion, the hub's start, ...
    assert (fifth["states"], fifth["audit"], fifth["alarms"]) == (1, 0, 0)
    assert await recorder.events("camera.motion") == []
    assert [h["state"] for h in await recorder.history("sensor.suhu")] == ["31"]
    assert (await recorder.last_states())["sensor.suhu"]["state"] == "31"
    assert len(await recorder.audit_trail(person="andi")) == 1

    for _ in range(99):  # day 728: two years are not over
        await purge_after(WEEK)
    assert len(await recorder.audit_trail(person="andi")) == 1
    assert await recorder.alarms.get("old_closed") is not None

    last = await purge_after(WEEK)  # day 735
    assert (last["audit"], last["alarms"]) == (1, 1)
    assert await recorder.audit_trail(person="andi") == []
    assert await recorder.alarms.get("old_closed") is None
    assert await recorder.alarms.history("old_closed") == []
    assert (await recorder.alarms.get("still_open"))["state"] == "notified"


async def test_keep_days_is_per_kind(recorder_hub):
    clock = FakeClock()
    hub = await recorder_hub(clock=clock, keep_days={"events": 1, "audit": 3})
    hub.bus.fire("door.forced", {"entity_id": "door.server"})
    hub.recorder.audit({"who": "budi", "action": "snapshot"})
    await hub.recorder.flush()
    counts = await hub.recorder.purge(now=clock.timestamp() + 2 * DAY)
    assert counts["events"] >= 1 and counts["audit"] == 0
    assert await hub.recorder.events("door.forced") == []
    counts = await hub.recorder.purge(now=clock.timestamp() + 4 * DAY)
    assert counts["audit"] == 1
