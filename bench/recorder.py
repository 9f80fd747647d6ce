"""The recorder: events per second it writes without falling behind, on
SQLite and on PostgreSQL, and what it adds to the event path.

    python bench/recorder.py [--events N] [--repeat R] [--postgres URL|none]

- sustained: with three secrets known (as a configured hub has; every row
  is searched for them), a producer fires events (half plain events, half state changes,
  as a hub's mix) as fast as it can while the queue stays under two batches
  (it yields to the writer when more wait): the rate is what the database
  takes for as long as it goes, with nothing dropped (checked). Defaults:
  batch_size 1000, commit_interval 1 s, SQLite synchronous=FULL.
- event path: bus.fire of N events to one plain listener, with and without
  the recorder listening too, interleaved in the same process; the
  difference per event is what the recorder adds to every fire().

Targets (issue #11): >= 5,000 events/s on SQLite, <= 10 us added per event.
PostgreSQL is the server at 127.0.0.1:5432 (a fresh database, dropped after).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub.core.config.secrets import register_secret
from hub.core.context import Context
from hub.core.hub import Hub

TARGET_EVENTS_PER_S = 5_000
TARGET_ADDED_US = 10.0
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"


async def started_hub(folder: Path, **recorder: Any) -> Hub:
    hub = Hub(folder, plugins=[], autoload=False, config={"recorder": recorder})
    await hub.start()
    await hub.recorder.flush()
    return hub


async def sustained(hub: Hub, count: int) -> tuple[float, int]:
    """Events/s committed for `count` events fired as fast as the writer
    keeps up; returns (rate, dropped)."""
    recorder = hub.recorder
    batch = recorder._batch_size
    context = Context(actor="automation:bench")
    written = recorder.written
    start = time.perf_counter()
    for n in range(count):
        if n % 2:
            hub.bus.fire(
                "camera.motion", {"entity_id": f"camera.c{n % 50}", "zone": n % 4}, context
            )
        else:
            hub.states.set(f"binary_sensor.s{n % 50}", "on" if n % 4 else "off", {"n": n})
        if recorder.queued > 2 * batch:  # the writer's turn: the queue stays bounded
            await recorder.until_written(written + n + 1 - batch)
    await recorder.flush()
    async with asyncio.timeout(60):
        await recorder.until_written(written + count)
    return count / (time.perf_counter() - start), recorder.dropped


def fire_loop(hub: Hub, count: int) -> float:
    context = Context(actor="automation:bench")
    fire = hub.bus.fire
    data = {"entity_id": "camera.lobi", "zone": 1}
    start = time.perf_counter()
    for _ in range(count):
        fire("camera.motion", data, context)
    return time.perf_counter() - start


async def event_path(hub: Hub, count: int, repeat: int) -> tuple[list[float], list[float]]:
    """Seconds per event of bus.fire to one listener, with and without the
    recorder's listener, interleaved; the queue is written between runs."""
    from hub.core.bus import MATCH_ALL

    hub.bus.listen("camera.motion", lambda event: None)
    recorder = hub.recorder
    with_r, without_r = [], []
    for round_ in range(repeat + 1):
        took = fire_loop(hub, count) / count
        await recorder.flush()
        recorder._unlisten()
        bare = fire_loop(hub, count) / count
        recorder._unlisten = hub.bus.listen(MATCH_ALL, recorder._on_event, owner="hub.recorder")
        if round_:  # the first round warms up
            with_r.append(took)
            without_r.append(bare)
    return with_r, without_r


async def postgres_database() -> tuple[str, Any] | None:
    import asyncpg

    name = f"sigap_bench_{secrets.token_hex(4)}"
    try:
        admin = await asyncpg.connect(f"{POSTGRES_SERVER}/postgres", timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as err:
        print(f"PostgreSQL not reachable ({err}): skipped")
        return None
    await admin.execute(f'CREATE DATABASE "{name}"')

    async def drop() -> None:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    return f"{POSTGRES_SERVER}/{name}", drop


async def main(events: int, fires: int, repeat: int, postgres: bool) -> None:
    # as a configured hub has (a bot token, a database and an MQTT password):
    # every row the recorder writes is searched for them
    for secret in ("123456:AAbbCCddEEffGGhhIIjjKK", "pg-rahasia-2026", "mqtt-rahasia"):
        register_secret(secret)
    with tempfile.TemporaryDirectory() as folder:
        databases: list[tuple[str, dict[str, Any], Any]] = [
            ("SQLite", {"max_queue": 10_000_000}, None)
        ]
        if postgres and (pg := await postgres_database()) is not None:
            url, drop = pg
            databases.append(("PostgreSQL", {"db_url": url, "max_queue": 10_000_000}, drop))
        print("sustained writes (half events, half state changes; batch 1000, interval 1 s)")
        path_hub = None
        for name, settings, drop in databases:
            hub = await started_hub(Path(folder) / name, **settings)
            try:
                rates = []
                for _ in range(repeat):
                    rate, dropped = await sustained(hub, events)
                    assert dropped == 0
                    rates.append(rate)
                verdict = ""
                if name == "SQLite":
                    verdict = "MET" if max(rates) >= TARGET_EVENTS_PER_S else "NOT MET"
                    verdict = f"  target >= {TARGET_EVENTS_PER_S:,}: {verdict}"
                print(
                    f"  {name:<10} {max(rates):>9,.0f} events/s written"
                    f" (median {statistics.median(rates):>9,.0f}; {events:,} per run,"
                    f" best of {repeat}; dropped 0){verdict}"
                )
            finally:
                if name == "SQLite":
                    path_hub = hub
                else:
                    await hub.stop()
                    if drop is not None:
                        await drop()
        assert path_hub is not None
        path_hub.loop_watch.stop()  # the timed loops hold the loop on purpose
        try:
            with_r, without_r = await event_path(path_hub, fires, repeat)
        finally:
            await path_hub.stop()
    added = [(w - b) * 1e6 for w, b in zip(with_r, without_r, strict=True)]
    best_with, best_without = min(with_r) * 1e6, min(without_r) * 1e6
    print(
        f"\nevent path (bus.fire of {fires:,} events to one listener, {repeat} rounds interleaved)"
    )
    print(f"  without the recorder  {best_without:6.2f} us/event  ({1 / min(without_r):>11,.0f}/s)")
    print(f"  with the recorder     {best_with:6.2f} us/event  ({1 / min(with_r):>11,.0f}/s)")
    verdict = "MET" if statistics.median(added) <= TARGET_ADDED_US else "NOT MET"
    print(
        f"  added per event       {statistics.median(added):6.2f} us median"
        f" (best round {min(added):.2f} us)  target <= {TARGET_ADDED_US:g} us: {verdict}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--fires", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    print("$ python bench/recorder.py " + shlex.join(sys.argv[1:]))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"python {platform.python_version()} ({platform.python_implementation()}),"
        f" {platform.machine()}, {cpus} CPUs (shared), asyncio loop; not pinned:"
        " the SQLite and asyncpg drivers work in their own thread"
    )
    asyncio.run(main(args.events, args.fires, args.repeat, not args.no_postgres))
