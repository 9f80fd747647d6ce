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
