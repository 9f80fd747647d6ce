"""Deadlines live in the database: a hub stopped in the middle of one and
started again on the same configuration folder still escalates on time,
and one that was down past the moment escalates at once. On SQLite (the
config folder's sigap.db) and on PostgreSQL (127.0.0.1:5432, a fresh
database for the session, emptied for each test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.core.clock import FakeClock
from hub.testing import EventWaiter
from tests.recorder.conftest import empty_postgres, postgres_database  # noqa: F401

from .conftest import START, manager, raise_alarm, sent


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sigap.db'}"
    url = request.getfixturevalue("postgres_database")
    empty_postgres(url)
    return url


CHAIN = {
    "recipients": ["dinkes_piket"],
    "respond_within": 300,
    "escalation": [{"recipients": ["pusat_komando"]}, {"after": 600, "recipients": ["admin"]}],
    "repeat": 240,
}


async def test_a_restart_in_the_middle_of_a_deadline_still_escalates_on_time(alarm_hub, db_url):
    first = await alarm_hub(db_url=db_url)
    alarm_id = await raise_alarm(first, **CHAIN)
    await first.clock.advance(100)
    await first.stop()

    # the same folder and database, 100 s after the raise
    hub = await alarm_hub(db_url=db_url, clock=FakeClock(START + 100))
    alarm = manager(hub).open[alarm_id]
    assert alarm.record["tier"] == 0
    told = EventWaiter(hub, "alarm.notified", lambda e: e.data["reason"] == "escalated")
    with EventWaiter(hub, "alarm.escalated") as escalated:
        await hub.clock.advance(199)
        assert escalated.events == [] and alarm.record["tier"] == 0
        await hub.clock.advance(1)
        event = await escalated.wait()
        assert event.data["alarm_id"] == alarm_id and event.data["tier"] == 1
        # and so is the next tier, ten minutes later
        await hub.clock.advance(600)
        assert (await escalated.wait()).data["tier"] == 2
        # both tiers were told (through the outbox: stored, then sent)
        assert [(await told.wait()).data["tier"] for _ in range(2)] == [1, 2]
    moments = {
        (e["kind"], e["at"])
        for e in await hub.recorder.alarms.history(alarm_id)
        if e["kind"] in ("escalated", "reminded")
    }
    assert moments == {
        ("escalated", START + 300),
        ("reminded", START + 240),
        ("reminded", START + 480),
        ("reminded", START + 720),
        ("escalated", START + 900),
    }
    escalations = [n for n in sent(hub) if "Escalation" in n.title or "Eskalasi" in n.title]
    assert [n.targets for n in escalations] == [["citra"], ["admin"]]


async def test_a_deadline_that_passed_while_the_hub_was_down_fires_at_once(alarm_hub, db_url):
    first = await alarm_hub(db_url=db_url)
    alarm_id = await raise_alarm(first, **CHAIN)
    await first.stop()

    hub = await alarm_hub(db_url=db_url, clock=FakeClock(START + 400), start=False)
    with EventWaiter(hub, "alarm.escalated") as escalated:
        await hub.start()
        event = await escalated.wait()
    assert event.data["alarm_id"] == alarm_id and event.data["tier"] == 1
    (entry,) = [e for e in await hub.recorder.alarms.history(alarm_id) if e["kind"] == "escalated"]
    assert entry["at"] == START + 400
    # the next tier counts its ten minutes from the escalation that happened
    assert manager(hub).open[alarm_id].deadlines["escalate"] == START + 1000


async def test_an_acknowledged_alarm_stays_quiet_after_a_restart(alarm_hub, db_url):
    first = await alarm_hub(db_url=db_url)
    alarm_id = await raise_alarm(first, **CHAIN)
    await first.services.call("alarm", "acknowledge", {"alarm_id": alarm_id})
    await first.stop()

    hub = await alarm_hub(db_url=db_url, clock=FakeClock(START + 60))
    with EventWaiter(hub, "alarm.escalated") as escalated:
        await hub.clock.advance(3600)
        assert escalated.events == []
    assert manager(hub).open[alarm_id].state == "acknowledged"
    assert sent(hub) == []


async def test_an_auto_close_comes_back_after_a_restart(alarm_hub, db_url):
    """Its time limit from the database, its state to wait for re-armed."""
    first = await alarm_hub(db_url=db_url)
    timed = await raise_alarm(first, auto_close_on={"after": 3600})
    watched = await raise_alarm(
        first,
        title="Kamera tidak terhubung",
        auto_close_on={"entity_id": "camera.dinkes_lobi", "state": "unavailable"},
    )
    await first.clock.advance(100)
    await first.stop()

    hub = await alarm_hub(db_url=db_url, clock=FakeClock(START + 100))
    assert set(manager(hub).open) == {timed, watched}
    with EventWaiter(hub, "alarm.closed") as closed:
        hub.devices.get("camera.dinkes_lobi").set_available(False, "link down")
        assert (await closed.wait()).data["alarm_id"] == watched
        await hub.clock.advance(3499)
        assert len(closed.events) == 1
        await hub.clock.advance(1)
        assert (await closed.wait()).data["alarm_id"] == timed
    assert (await hub.recorder.alarms.get(timed))["closed_at"] == START + 3600
    assert manager(hub).open == {}
