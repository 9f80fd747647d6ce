"""A hub with a demo camera, a console messenger, people of two sites and
the alarm room, on a FakeClock, recording to SQLite in tmp_path."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from hub.core.alarms import ALARMS
from hub.core.clock import FakeClock
from hub.core.context import Context
from hub.testing import EventWaiter

from ..media.conftest import full_disk

# 2 Dec 2026 22:00 WITA (14:00 UTC): night at the health office
START = 1796220000.0

CONFIG = {
    "hub": {"name": "Test", "language": "id", "time_zone": "Asia/Makassar"},
    "sites": [
        {"id": "dinkes", "name": {"id": "Dinas Kesehatan", "en": "Health Office"}},
        {"id": "disdik", "name": {"id": "Dinas Pendidikan", "en": "Education Office"}},
    ],
    "camera": [
        {
            "platform": "demo",
            "id": "dinkes_lobi",
            "name": "Lobi",
            "site": "dinkes",
            "simulate": False,
        },
    ],
    "notify": [{"platform": "console", "id": "pusat_komando"}],
    "people": [
        {"id": "andi", "name": "Andi Pratama", "role": "staff", "sites": ["dinkes"]},
        {"id": "budi", "name": "Budi Santoso", "role": "staff", "sites": ["dinkes"]},
        {
            "id": "citra",
            "name": "Citra Dewi",
            "language": "en",
            "role": "operator",
            "sites": ["dinkes", "disdik"],
        },
        {"id": "dewi", "name": "Dewi Lestari", "role": "staff", "sites": ["disdik"]},
        {"id": "admin", "name": "Admin Kota", "language": "en", "role": "admin"},
    ],
    "groups": [
        {"id": "dinkes_piket", "name": "Petugas Piket Dinkes", "members": ["andi", "budi"]},
        {"id": "pusat_komando", "name": "Pusat Komando", "members": ["citra"]},
    ],
}


def staff(person_id: str) -> Context:
    """The context of a person answering from a messenger."""
    return Context(user_id=person_id, actor=f"telegram:{person_id}")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def alarm_hub(hub_factory, tmp_path, clock):
    """`hub = await alarm_hub()`: started on the test's FakeClock (unless
    given another), recording to `<tmp_path>/sigap.db`: a second hub of the
    test is a restart on the same folder and database."""

    async def make(
        *,
        config: dict | None = None,
        clock: FakeClock = clock,
        start: bool = True,
        db_url: str | None = None,
        **kwargs: Any,
    ):
        config = dict(config or CONFIG)
        if db_url is not None:
            config["recorder"] = {"db_url": db_url}
        hub = await hub_factory(
            config=config,
            plugins=["hub.plugins.demo"],
            clock=clock,
            start=False,
            **kwargs,
        )
        if start:
            await hub.start()
            await clock.advance(0)
        return hub

    return make


def manager(hub):
    return hub.data[ALARMS]


async def background_done(hub) -> None:
    """Wait (5 s at most) until the alarm room's background work (notices,
    deadlines) is done."""
    tasks = set(manager(hub)._tasks)
    if tasks:
        await asyncio.wait(tasks, timeout=5.0)


def sent(hub) -> list:
    """What the console messenger was handed, in order."""
    return hub.devices.get("notify.pusat_komando").sent


async def raise_alarm(hub, **data) -> str:
    data.setdefault("title", {"id": "Gerakan di lobi", "en": "Motion in the lobby"})
    data.setdefault("site", "dinkes")
    answer = await hub.services.call(
        "alarm", "raise", data, Context(actor="automation:gerakan_malam")
    )
    # the first messages go out in a task of their own (through the outbox and
    # its database): let them land before a test moves the clock past a deadline
    notice = f"alarm {answer['alarm_id']} notice"
    pending = {t for t in manager(hub)._tasks if t.get_name() == notice}
    if pending:
        await asyncio.wait(pending, timeout=10)
    return answer["alarm_id"]


__all__ = ["START", "EventWaiter", "full_disk", "manager", "raise_alarm", "sent", "staff"]
