"""The outbox's world: FakeTelegram on the hub's FakeClock, a messenger
that speaks to it (stub.py), people with Telegram ids, and a way to move
time only while nothing is in flight (the fake and the outbox then count
every second alike)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hub.core.clock import FakeClock
from hub.core.outbox import OUTBOX, Outbox
from hub.testing.messengers import FakeTelegram
from tests.recorder.conftest import empty_postgres, postgres_database  # noqa: F401

START = 1796220000.0  # 2 Dec 2026 22:00 WITA
ANDI, BUDI, CITRA = 1001, 1002, 1003


def config(tg: FakeTelegram, db_url: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "hub": {"name": "Test", "language": "id", "time_zone": "Asia/Makassar"},
        "sites": [{"id": "dinkes", "name": "Dinas Kesehatan"}],
        "notify": [{"platform": "stub_telegram", "id": "tg", "api_url": tg.api_url}],
        "people": [
            {"id": "andi", "name": "Andi", "role": "staff", "sites": ["dinkes"], "telegram": ANDI},
            {"id": "budi", "name": "Budi", "role": "staff", "sites": ["dinkes"], "telegram": BUDI},
            {
                "id": "citra",
                "name": "Citra",
                "language": "en",
                "role": "operator",
                "sites": ["dinkes"],
                "telegram": CITRA,
            },
        ],
    }
    if db_url is not None:
        found["recorder"] = {"db_url": db_url}
    return found


@dataclass
class World:
    hub: Any
    tg: FakeTelegram
    clock: FakeClock

    @property
    def outbox(self) -> Outbox:
        return self.hub.data[OUTBOX]

    async def run_until(
        self, done: Callable[[], Any], *, seconds: float = 600.0, step: float = 1.0
    ) -> float:
        """Move the clock timer by timer (never while a send is in flight)
        until `done()`, at most `seconds` of hub time; returns the time taken."""
        start = self.clock.monotonic()
        while not done():
            step_now = step
            try:
                await asyncio.wait_for(self.outbox.idle(), 0.3)
            except TimeoutError:
                # only a send the fake holds unanswered (hang_next) ends by
                # itself: by our time-out, on the hub's clock
                held = [c for c in self.tg.requests if c.status == 0]
                assert held, "the outbox is busy but the fake holds no request"
                step_now = float("inf")
            if done():
                break
            elapsed = self.clock.monotonic() - start
            assert elapsed <= seconds, f"not done after {elapsed:.1f} s of hub time"
            due = self.clock.next_due()
            await self.clock.advance(step if due is None else min(due, step_now))
        return self.clock.monotonic() - start


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sigap.db'}"
    url = request.getfixturevalue("postgres_database")
    empty_postgres(url)
    return url


@pytest.fixture
async def fake_telegram():
    clock = FakeClock(START)
    async with FakeTelegram(clock=clock) as tg:
        for user, name in ((ANDI, "Andi"), (BUDI, "Budi"), (CITRA, "Citra")):
            tg.add_user(user, name)
        yield tg


@pytest.fixture
def world(hub_factory, fake_telegram):
    """`w = await world(db_url=None, **hub_options)`: a started hub (a second
    call is a restart on the same folder and database)."""

    async def make(*, db_url: str | None = None, start: bool = True, **options: Any) -> World:
        tg = fake_telegram
        hub = await hub_factory(
            config=config(tg, db_url),
            plugins=["hub.plugins.demo", "tests.outbox.stub"],
            clock=tg.clock,
            start=start,
            **options,
        )
        if start:
            await tg.clock.advance(0)
        return World(hub, tg, tg.clock)

    return make
