"""PostgreSQL goes away under a running hub (its connections cut, new ones
refused): events keep being queued, the batch that could not be written is
kept and written once the server takes connections again; nothing is lost
and the event path never waited."""

from __future__ import annotations

import logging

from hub.core.clock import FakeClock

from .conftest import _admin, empty_postgres, in_thread


def set_reachable(url: str, reachable: bool) -> None:
    name = url.rsplit("/", 1)[1]
    allow = "true" if reachable else "false"
    sql = f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {allow}'
    if not reachable:
        sql += f"; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    in_thread(lambda: _admin(sql))


async def test_a_batch_waits_while_postgres_is_away(hub_factory, postgres_database, caplog):
    empty_postgres(postgres_database)
    hub = await hub_factory(config={"recorder": {"db_url": postgres_database}}, clock=FakeClock())
    recorder = hub.recorder
    await recorder.flush()
    set_reachable(postgres_database, False)
    try:
        for n in range(20):
            hub.bus.fire("door.forced", {"n": n})
        hub.recorder.audit({"who": "andi", "action": "export"})
        with caplog.at_level(logging.ERROR, logger="hub.recorder"):
            assert await recorder.flush() is False  # kept, not lost
        assert recorder.queued == 21
        assert any("did not take a batch of 21 rows" in r.getMessage() for r in caplog.records)
    finally:
        set_reachable(postgres_database, True)
    assert await recorder.flush() is True
    assert [e["data"]["n"] for e in await recorder.events("door.forced")] == list(range(20))
    assert len(await recorder.audit_trail(person="andi")) == 1
    assert recorder.dropped == 0


async def test_the_audit_waits_on_disk_not_in_memory_while_postgres_is_away(
    hub_factory, postgres_database, tmp_path, caplog
):
    """The audit is never dropped, and a night without the database does
    not grow the hub's memory with it: past SPILL_AT records the oldest go
    to a private file, written back when the database returns."""
    from hub.core.recorder.spill import SPILL_AT, SPILL_FILE

    empty_postgres(postgres_database)
    config = {"recorder": {"db_url": postgres_database}}
    hub = await hub_factory(config=config, clock=FakeClock())
    recorder = hub.recorder
    await recorder.flush()
    spill = tmp_path / ".storage" / SPILL_FILE
    set_reachable(postgres_database, False)
    try:
        with caplog.at_level(logging.ERROR, logger="hub.recorder"):
            for n in range(3 * SPILL_AT):
                recorder.audit({"who": "andi", "action": "viewed_live", "data": {"n": n}})
            assert await recorder.flush() is False
        assert recorder.queued <= SPILL_AT + 1000  # at most SPILL_AT, and the failed batch
        assert spill.exists() and (spill.stat().st_mode & 0o777) == 0o600
        spilled = len(spill.read_text().splitlines())
        assert spilled >= SPILL_AT
    finally:
        set_reachable(postgres_database, True)
    with caplog.at_level(logging.INFO, logger="hub.recorder"):
        assert await recorder.flush() is True
    assert not spill.exists()
    assert any(f"{spilled} audit records" in r.getMessage() for r in caplog.records)
    trail = await recorder.audit_trail(person="andi")
    assert sorted(r["data"]["n"] for r in trail) == list(range(3 * SPILL_AT))


async def test_audit_left_on_disk_at_a_stop_is_written_at_the_next_start(
    hub_factory, postgres_database, tmp_path
):
    from hub.core.recorder.spill import SPILL_FILE

    empty_postgres(postgres_database)
    config = {"recorder": {"db_url": postgres_database}}
    hub = await hub_factory(config=config, clock=FakeClock())
    await hub.recorder.flush()
    set_reachable(postgres_database, False)
    try:
        for n in range(10):
            hub.recorder.audit({"who": "dewi", "action": "export", "data": {"n": n}})
        await hub.stop()  # the database is away at the end: nothing of it is lost
        assert (tmp_path / ".storage" / SPILL_FILE).exists()
    finally:
        set_reachable(postgres_database, True)
    again = await hub_factory(config=config, clock=FakeClock())
    assert not (tmp_path / ".storage" / SPILL_FILE).exists()
    trail = await again.recorder.audit_trail(person="dewi")
    assert sorted(r["data"]["n"] for r in trail) == list(range(10))
