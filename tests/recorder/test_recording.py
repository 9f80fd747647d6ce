"""Events, state changes and the audit are recorded in batches off the
event path, and read back by the queries the CLI and the API use."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
import sqlalchemy as sa

from hub.core.clock import FakeClock
from hub.core.context import Context
from hub.core.permissions import PermissionDenied
from hub.core.recorder.tables import audit, events, states


async def count(hub, table) -> int:
    """Rows committed (read straight from the database: no flush)."""
    async with hub.recorder.engine.connect() as connection:
        return (await connection.execute(sa.select(sa.func.count()).select_from(table))).scalar()


async def test_events_and_states_are_recorded_and_read_back(recorder_hub):
    hub = await recorder_hub()
    person = Context(user_id="andi", actor="telegram:123")
    hub.bus.fire("camera.motion", {"entity_id": "camera.lobi", "zone": 2}, person)
    hub.bus.fire("door.forced", {"entity_id": "door.server"})
    hub.states.set("camera.lobi", "idle", {"site": "dinkes"})
    await hub.clock.advance(0.5)  # states are stamped by the hub's clock
    hub.states.set("camera.lobi", "motion", {"site": "dinkes"}, context=person)
    hub.states.set("door.server", "locked")

    motion = await hub.recorder.events("camera.motion")
    assert len(motion) == 1
    assert motion[0]["data"] == {"entity_id": "camera.lobi", "zone": 2}
    assert motion[0]["context"]["user_id"] == "andi"
    assert motion[0]["context"]["actor"] == "telegram:123"
    assert [e["event_type"] for e in await hub.recorder.events(context_id=person.id)] == [
        "camera.motion"
    ]
    # a state change is a row of the entity's history, not an event
    assert await hub.recorder.events("state_changed") == []

    history = await hub.recorder.history("camera.lobi")
    assert [h["state"] for h in history] == ["idle", "motion"]
    assert history[1]["attributes"] == {"site": "dinkes"}
    assert history[1]["user_id"] == "andi"
    since = history[1]["last_updated"]
    assert [h["state"] for h in await hub.recorder.history("camera.lobi", since=since)] == [
        "motion"
    ]
    assert [h["state"] for h in await hub.recorder.history("camera.lobi", limit=1)] == ["idle"]


async def test_rows_are_written_a_batch_at_a_time_off_the_event_path(recorder_hub):
    clock = FakeClock()
    hub = await recorder_hub(clock=clock, batch_size=50, commit_interval=2)
    await hub.recorder.flush()  # what start-up fired
    before = await count(hub, events)
    for n in range(10):
        hub.bus.fire("camera.motion", {"n": n})
    assert hub.recorder.queued == 10  # fire() only queued them
    await clock.advance(1)
    assert await count(hub, events) == before  # not yet: the interval is 2 s
    await clock.advance(1)
    async with asyncio.timeout(5):
        await hub.recorder.until_written(10)
    assert await count(hub, events) == before + 10

    # a full batch is written at once, whatever the clock says
    written = hub.recorder.written
    for n in range(50):
        hub.bus.fire("camera.motion", {"n": n})
    async with asyncio.timeout(5):
        await hub.recorder.until_written(written + 50)
    assert await count(hub, events) == before + 60


async def test_service_calls_are_the_audit_with_who_and_what(recorder_hub):
    hub = await recorder_hub()
    seen = []

    async def snapshot(call):
        seen.append(call)

    hub.services.register("test", "snapshot", snapshot)
    robot = Context(actor="automation:gerakan_lobi")
    await hub.services.call(
        "test",
        "snapshot",
        {"entity_id": ["camera.lobi", "camera.halaman"], "alarm_id": "al_7", "token": "rahasia"},
        robot,
    )
    # nobody configured: a person's call is refused, and that is audited too
    with pytest.raises(PermissionDenied):
        await hub.services.call(
            "test", "snapshot", {"entity_id": "camera.lobi"}, Context(user_id="budi")
        )
    hub.recorder.audit(
        {
            "who": "andi",
            "action": "export",
            "entity_id": "camera.lobi",
            "site": "dinkes",
            "reason": "permintaan polisi no. 12",
            "data": {"clip": "lobi-0930.mp4", "alarm_id": "al_7"},
            "context_id": "ctx1",
        }
    )
    lobby = await hub.recorder.audit_trail(entity_id="camera.lobi")
    assert [(a["action"], a["who"]) for a in lobby] == [
        ("call_service", "automation:gerakan_lobi"),
        ("refused", "budi"),
        ("export", "andi"),
    ]
    assert lobby[0]["data"]["service"] == "test.snapshot"
    assert lobby[0]["data"]["data"]["token"] != "rahasia"  # masked before it is recorded
    assert lobby[0]["context_id"] == robot.id
    assert [a["entity_id"] for a in await hub.recorder.audit_trail(alarm_id="al_7")] == [
        "camera.lobi",
        "camera.halaman",
        "camera.lobi",
    ]
    by_andi = await hub.recorder.audit_trail(person="andi")
    assert [(a["action"], a["reason"]) for a in by_andi] == [("export", "permintaan polisi no. 12")]
    assert await hub.recorder.audit_trail(site="dinkes") == by_andi


async def test_the_last_states_are_there_after_a_restart(recorder_hub, hub_factory, db_url):
    first = await recorder_hub()
    first.states.set("siren.halaman", "on", {"duration": 60})
    first.states.set("siren.halaman", "off", {"duration": 60})
    first.states.set("door.server", "unlocked")
    first.states.set("camera.gone", "idle")
    first.states.remove("camera.gone")
    await first.stop()

    second = await hub_factory(config={"recorder": {"db_url": db_url}}, clock=FakeClock())
    assert second.recorder.last_state("siren.halaman") == {
        "state": "off",
        "attributes": {"duration": 60},
        "last_changed": pytest.approx(second.recorder.last_state("siren.halaman")["last_changed"]),
    }
    assert second.recorder.last_state("door.server")["state"] == "unlocked"
    assert second.recorder.last_state("camera.gone") is None
    last = await second.recorder.last_states()
    assert {k: v["state"] for k, v in last.items() if not k.startswith("automation.")} == {
        "siren.halaman": "off",
        "door.server": "unlocked",
    }


async def test_a_full_queue_drops_the_oldest_events_never_the_audit(recorder_hub, caplog):
    clock = FakeClock()
    hub = await recorder_hub(clock=clock, max_queue=100, batch_size=100_000, commit_interval=30)
    await hub.recorder.flush()  # what start-up fired
    for n in range(250):
        hub.bus.fire("camera.motion", {"n": n})
    for n in range(120):
        hub.recorder.audit({"who": "andi", "action": "view", "data": {"n": n}})
    assert hub.recorder.dropped == 150
    with caplog.at_level(logging.WARNING, logger="hub.recorder"):
        await clock.advance(30)  # the commit interval (the first purge is at 60 s)
        async with asyncio.timeout(5):
            await hub.recorder.until_written(220)
    kept = await hub.recorder.events("camera.motion")
    assert [e["data"]["n"] for e in kept] == list(range(150, 250))  # the newest 100
    assert await count(hub, audit) == 120  # beyond max_queue, and all of it
    said = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert len(said) == 1 and "150" in said[0]


async def test_states_are_dropped_like_events_when_the_queue_is_full(recorder_hub):
    hub = await recorder_hub(max_queue=100, batch_size=100_000, commit_interval=3600)
    await hub.recorder.flush()
    before = await count(hub, states)
    for n in range(150):
        hub.states.set("sensor.suhu", str(n))
    assert hub.recorder.dropped == 50
    await hub.recorder.flush()
    assert await count(hub, states) == before + 100
    assert (await hub.recorder.last_states())["sensor.suhu"]["state"] == "149"


async def test_text_no_database_can_store_is_made_storable_not_lost(recorder_hub):
    hub = await recorder_hub()
    hub.bus.fire("camera.motion\ud800", {"name": "lobi\ud800\x00"})
    hub.states.set("sensor.pintu", "terbuka\x00\ud800", {"nama": "\ud800"})
    hub.bus.fire("camera.motion", {"n": 1})
    await hub.recorder.flush()
    assert hub.recorder.rejected == 0
    assert [e["data"] for e in await hub.recorder.events("camera.motion")] == [{"n": 1}]
    assert len(await hub.recorder.events("camera.motion?")) == 1
    assert (await hub.recorder.history("sensor.pintu"))[0]["state"] == "terbuka\ufffd?"


async def test_a_known_secret_is_masked_in_what_is_recorded(recorder_hub):
    from hub.core.config.secrets import register_secret

    secret = "kunci-" + __import__("secrets").token_hex(8)
    register_secret(secret)
    hub = await recorder_hub()
    hub.bus.fire("uji.sent", {"url": f"https://api.example/bot{secret}/send"})
    hub.states.set("sensor.kunci", "on", {"token_hint": secret})
    hub.recorder.audit({"who": "andi", "action": "export", "data": {"note": secret}})
    await hub.recorder.flush()
    async with hub.recorder.engine.connect() as connection:
        rows = [
            str(tuple(row))
            for table in (events, states, audit)
            for row in (await connection.execute(sa.select(table))).all()
        ]
    assert rows and not any(secret in row for row in rows)
    assert (await hub.recorder.events("uji.sent"))[0]["data"]["url"] == (
        "https://api.example/bot***/send"
    )


async def test_a_value_of_a_megabyte_is_stored_cut_with_a_marker(recorder_hub):
    # issue #9: 100 webhook posts of 1 MB handed to a service wrote 103 MB of
    # audit rows; a row keeps about ROW_DATA characters of any value, cut as a trace is
    from hub.core.config.secrets import register_secret
    from hub.core.recorder.rows import ROW_DATA, ROW_ITEMS, ROW_TEXT

    secret = "kunci-" + __import__("secrets").token_hex(8)
    register_secret(secret)
    hub = await recorder_hub()
    big = "y" * (ROW_TEXT - 4) + secret + "y" * 1_000_000

    async def record(call):
        pass

    hub.services.register("test", "record", record)
    await hub.services.call("test", "record", {"isi": big}, Context(actor="automation:laporan"))
    hub.bus.fire("laporan.masuk", {"isi": big, "daftar": list(range(200_000)), "n": 7})
    hub.states.set("sensor.laporan", "on", {"isi": big})
    hub.bus.fire("laporan.kecil", {"isi": "x" * ROW_TEXT * 2})  # under ROW_DATA: kept whole
    await hub.recorder.flush()
    async with hub.recorder.engine.connect() as connection:
        stored = [
            row.data if table is not states else row.attributes
            for table in (events, states, audit)
            for row in (await connection.execute(sa.select(table))).all()
        ]
    assert max(len(data or "") for data in stored) < ROW_DATA + 4096
    assert not any(secret[:8] in (data or "") for data in stored)  # not even in part
    (event,) = await hub.recorder.events("laporan.masuk")
    assert event["data"]["n"] == 7
    cut = event["data"]["isi"]  # the secret across the cut is masked whole, then cut
    assert cut.startswith("y" * (ROW_TEXT - 4) + "***") and len(cut) < ROW_TEXT + 20
    assert cut.endswith(f"…(+{len(big) - ROW_TEXT})")
    assert event["data"]["daftar"][:3] == [0, 1, 2]
    assert event["data"]["daftar"][-1] == f"…(+{200_000 - ROW_ITEMS})"
    [call] = [a for a in await hub.recorder.audit_trail() if a["action"] == "call_service"]
    # (the bus had masked the secret already: the cut is elsewhere by its length)
    assert re.fullmatch(r"y+\*\*\*y*…\(\+\d+\)", call["data"]["data"]["isi"])
    assert len(call["data"]["data"]["isi"]) < ROW_TEXT + 20
    (small,) = await hub.recorder.events("laporan.kecil")
    assert small["data"] == {"isi": "x" * ROW_TEXT * 2}
