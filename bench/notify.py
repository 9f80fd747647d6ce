"""Notify benchmarks, by part:

    .venv/bin/python bench/notify.py --part throughput [--messages 5000] [--chats 200]
    .venv/bin/python bench/notify.py --part latency [--count 200]   # bench/notify_latency.py

throughput: messages a second through the outbox to FakeTelegram with
every limit lifted (the fake's and the messenger's), the database write of
each message included: its row inserted, marked `sending` before the send
and `delivered` after it (SQLite with synchronous=FULL, the hub's setting;
and PostgreSQL at 127.0.0.1:5432 unless --no-postgres). The fake runs in a
process of its own (`python -m hub.testing.messengers --no-limits`), so it
does not share the hub's loop. Baseline in the same run: the same messages
sent straight through the same messenger, as many at once as the outbox
allows (MAX_IN_FLIGHT), no database. Target (issue 12): >= 1,000 messages/s.

latency: camera event -> sendPhoto at the fake, see bench/notify_latency.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from hub import Context, DeliveryError, Notification, Notifier, RateLimits, hookimpl
from hub.core.hub import Hub
from hub.core.outbox import MAX_IN_FLIGHT, OUTBOX

TARGET_PER_S = 1_000
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
FIRST_CHAT = 700_000


class BenchTelegram(Notifier):
    """sendMessage to the fake; every limit lifted (the fake's are too)."""

    platform = "bench_telegram"
    rate_limits = RateLimits()
    CONFIG_SCHEMA = {"api_url": str}

    async def start(self) -> None:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=MAX_IN_FLIGHT))
        self.set_state("ready")

    async def stop(self) -> None:
        await self.session.close()

    async def send(self, notification: Notification, *, context: Context) -> str | None:
        payload = {"chat_id": int(notification.targets[0]), "text": notification.message}
        async with self.session.post(f"{self.config['api_url']}/sendMessage", json=payload) as r:
            body = await r.json()
        if not body.get("ok"):
            raise DeliveryError(str(body.get("description")))
        return str(body["result"]["message_id"])


class _Plugin:
    @hookimpl
    def sigap_notify_platforms(self, hub: Any) -> list[type[Notifier]]:
        return [BenchTelegram]


def start_fake(chats: int) -> tuple[subprocess.Popen[str], str]:
    users = [f"--user={FIRST_CHAT + n}:Petugas" for n in range(chats)]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hub.testing.messengers",
            "--telegram-port",
            "0",
            "--no-limits",
            *users,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    found = re.match(r"telegram (\S+) token (\S+)", line)
    if not found:
        proc.kill()
        raise SystemExit(f"the fake did not start: {line!r}")
    return proc, f"{found[1]}/bot{found[2]}"


async def _hub(folder: Path, api_url: str, db_url: str | None) -> Hub:
    config: dict[str, Any] = {
        "hub": {"name": "Bench", "language": "en"},
        "notify": [{"platform": "bench_telegram", "id": "tg", "api_url": api_url}],
    }
    if db_url is not None:
        config["recorder"] = {"db_url": db_url}
    hub = Hub(folder, plugins=[_Plugin()], autoload=False, config=config)
    await hub.start()
    return hub


async def direct(hub: Hub, count: int, chats: int) -> float:
    """The baseline: notifier.send straight, MAX_IN_FLIGHT at once, no database."""
    notifier = hub.devices.get("notify.tg")
    assert isinstance(notifier, Notifier)
    todo = iter(range(count))
    context = Context(actor="bench")

    async def worker() -> None:
        for n in todo:
            chat = str(FIRST_CHAT + n % chats)
            await notifier.send(Notification(message=f"b{n}", targets=[chat]), context=context)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(MAX_IN_FLIGHT)))
    return count / (time.perf_counter() - start)


async def through_outbox(hub: Hub, count: int, chats: int) -> tuple[float, int]:
    """Messages put in batches of 100 (an alarm burst), timed until every one
    is delivered and its delivered mark committed."""
    outbox = hub.data[OUTBOX]
    delivered = 0
    done = asyncio.Event()

    def on_delivered(_event: Any) -> None:
        nonlocal delivered
        delivered += 1
        if delivered == count:
            done.set()

    unlisten = hub.bus.listen("notify.delivered", on_delivered)
    before = len(await hub.recorder.outbox.listing(["delivered"]))
    start = time.perf_counter()
    for first in range(0, count, 100):
        batch = [
            outbox.message("notify.tg", str(FIRST_CHAT + n % chats), text=f"o{n}")
            for n in range(first, min(count, first + 100))
        ]
        await outbox.put(batch)
    await asyncio.wait_for(done.wait(), 600)
    await outbox.idle()
    rate = count / (time.perf_counter() - start)
    unlisten()
    rows = await hub.recorder.outbox.listing(["delivered"])
    return rate, len(rows) - before


async def _postgres(action: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(f"{POSTGRES_SERVER}/postgres", timeout=5)
    try:
        await connection.execute(
            f'CREATE DATABASE "{name}"' if action == "create" else f'DROP DATABASE "{name}"'
        )
    finally:
        await connection.close()


async def throughput(args: argparse.Namespace) -> None:
    proc, api_url = start_fake(args.chats)
    try:
        print(f"# bench/notify.py --part throughput: {args.messages} messages, {args.chats} chats")
        print(f"# load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared machine)")
        print(f"command: .venv/bin/python bench/notify.py --part throughput "
              f"--messages {args.messages} --chats {args.chats}")  # fmt: skip
        databases: list[tuple[str, str | None]] = [("SQLite (synchronous=FULL)", None)]
        pg_name = f"sigap_bench_{secrets.token_hex(4)}"
        if not args.no_postgres:
            try:
                await _postgres("create", pg_name)
                databases.append(("PostgreSQL", f"{POSTGRES_SERVER}/{pg_name}"))
            except Exception as err:
                print(f"# PostgreSQL left out: {err}")
        try:
            for label, db_url in databases:
                with tempfile.TemporaryDirectory() as folder:
                    hub = await _hub(Path(folder), api_url, db_url)
                    try:
                        for round_ in range(args.repeat):
                            base = await direct(hub, args.messages, args.chats)
                            rate, stored = await through_outbox(hub, args.messages, args.chats)
                            print(
                                f"{label:26} round {round_ + 1}: direct send (baseline) "
                                f"{base:7,.0f} msg/s   outbox {rate:7,.0f} msg/s  "
                                f"({rate / base:.0%} of direct; {stored} rows delivered; "
                                f"target >= {TARGET_PER_S:,})"
                            )
                    finally:
                        await hub.stop()
        finally:
            if len(databases) > 1:
                await _postgres("drop", pg_name)
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("throughput", "latency"), default="throughput")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-postgres", action="store_true")
    args, rest = parser.parse_known_args()
    if args.part == "latency":
        sys.argv = [str(Path(__file__).with_name("notify_latency.py")), *rest]
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import notify_latency

        notify_latency.main()
        return
    asyncio.run(throughput(args))


if __name__ == "__main__":
    main()
