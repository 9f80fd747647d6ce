"""hub.recorder.alarms: alarms upserted by id, their history, the queries
the alarm manager and the CLI use; written at once (visible to a second
hub on the same database without any flush)."""

from __future__ import annotations

from typing import Any

ALARM = {
    "id": "al_1",
    "dedupe_key": "door.forced:door.server",
    "site": "diskominfo",
    "priority": "critical",
    "state": "raised",
    "raised_at": 1000.0,
    "acknowledged_at": None,
    "closed_at": None,
    "next_deadline": 1300.0,
    "title": "Pintu dibobol",
    "recipients": ["andi", "dinkes_piket"],
    "count": 1,
}


def alarm(**changes: Any) -> dict[str, Any]:
    return {**ALARM, **changes}


async def test_an_alarm_is_saved_whole_and_updated_by_id(recorder_hub):
    hub = await recorder_hub()
    records = hub.recorder.alarms
    await records.save(ALARM)
    assert await records.get("al_1") == ALARM
    await records.save(alarm(state="acknowledged", acknowledged_at=1100.0, count=3))
    saved = await records.get("al_1")
    assert saved["state"] == "acknowledged"
    assert saved["acknowledged_at"] == 1100.0
    assert saved["count"] == 3
    assert saved["recipients"] == ["andi", "dinkes_piket"]
    assert await records.get("al_nope") is None


async def test_open_alarms_and_dedupe(recorder_hub):
    hub = await recorder_hub()
    records = hub.recorder.alarms
    await records.save(alarm(id="b", raised_at=2000.0, dedupe_key="k"))
    await records.save(alarm(id="a", raised_at=1000.0, dedupe_key="k", state="closed"))
    await records.save(alarm(id="c", raised_at=1500.0, dedupe_key=None, state="notified"))
    assert [a["id"] for a in await records.open()] == ["c", "b"]
    found = await records.find_open_by_dedupe("k")
    assert found is not None and found["id"] == "b"
    assert await records.find_open_by_dedupe("other") is None


async def test_alarms_of_a_site(recorder_hub):
    hub = await recorder_hub()
    records = hub.recorder.alarms
    await records.save(alarm(id="d1", site="dinkes", raised_at=100.0))
    await records.save(alarm(id="d2", site="dinkes", raised_at=200.0, state="closed"))
    await records.save(alarm(id="k1", site="diskominfo", raised_at=150.0))
    await records.save(alarm(id="n1", site=None, raised_at=50.0))

    def ids(found: list[dict[str, Any]]) -> list[str]:
        return [a["id"] for a in found]

    assert ids(await records.of_site("dinkes")) == ["d1", "d2"]
    assert ids(await records.of_site("dinkes", open_only=True)) == ["d1"]
    assert ids(await records.of_site("dinkes", since=150.0)) == ["d2"]
    assert ids(await records.of_site("dinkes", until=200.0)) == ["d1"]
    assert ids(await records.of_site(None)) == ["n1", "d1", "k1", "d2"]


async def test_the_history_of_an_alarm_in_order(recorder_hub):
    hub = await recorder_hub()
    records = hub.recorder.alarms
    await records.save(ALARM)
    await records.add_history(
        "al_1", {"at": 1001.0, "kind": "notified", "who": None, "data": {"to": ["andi"]}}
    )
    await records.add_history(
        "al_1", {"at": 1000.0, "kind": "raised", "who": "automation:pintu", "context_id": "c1"}
    )
    await records.add_history(
        "al_1", {"at": 1001.0, "kind": "reminded", "who": None, "context_id": None, "data": {}}
    )
    await records.add_history("al_2", {"at": 5.0, "kind": "raised", "who": None, "data": {}})
    history = await records.history("al_1")
    assert [(h["at"], h["kind"]) for h in history] == [
        (1000.0, "raised"),
        (1001.0, "notified"),
        (1001.0, "reminded"),
    ]
    assert history[0]["who"] == "automation:pintu"
    assert history[0]["context_id"] == "c1"
    assert history[1]["data"] == {"to": ["andi"]}


async def test_an_alarm_is_in_the_database_when_save_returns(recorder_hub, hub_factory, db_url):
    hub = await recorder_hub()
    await hub.recorder.alarms.save(ALARM)
    await hub.recorder.alarms.add_history("al_1", {"at": 1.0, "kind": "raised", "data": {}})
    # another reader of the same database, while the hub still runs: no flush
    # needed (a reader, not a hub: a hub would take the open alarm up and add to it)
    from hub.core.recorder import database
    from hub.core.recorder.alarms import AlarmRecords
    from hub.core.recorder.settings import RecorderSettings

    settings = RecorderSettings.from_config({"db_url": db_url}, hub.config_dir)
    engine = database.create_engine(settings)
    try:
        other = AlarmRecords(lambda: engine)
        assert await other.get("al_1") == ALARM
        assert [h["kind"] for h in await other.history("al_1")] == ["raised"]
    finally:
        await engine.dispose()
