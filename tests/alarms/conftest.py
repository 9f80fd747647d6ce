"""A hub with demo cameras, a console messenger, people of two sites and the
alarm room, on a FakeClock; `hub.recorder` is a small in-memory stand-in of
its interface (INTERFACES-11) until the real recorder runs."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping
from typing import Any

import pytest

from hub.core.alarms import ALARMS
from hub.core.clock import FakeClock
from hub.core.context import Context
from hub.testing import EventWaiter

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


class AlarmRecords:
    """hub.recorder.alarms in memory: each write is a copy, as a database's would be."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.entries: dict[str, list[dict[str, Any]]] = {}

    async def save(self, alarm: Mapping[str, Any]) -> None:
        await asyncio.sleep(0)
        self.rows[alarm["id"]] = copy.deepcopy(dict(alarm))

    async def get(self, alarm_id: str) -> dict | None:
        row = self.rows.get(alarm_id)
        return copy.deepcopy(row) if row else None

    async def open(self) -> list[dict]:
        rows = [r for r in self.rows.values() if r["state"] != "closed"]
        return copy.deepcopy(sorted(rows, key=lambda r: r["raised_at"]))

    async def find_open_by_dedupe(self, key: str) -> dict | None:
        rows = [r for r in await self.open() if r.get("dedupe_key") == key]
        return rows[0] if rows else None

    async def of_site(self, site, *, open_only=False, since=None, until=None) -> list[dict]:
        rows = await self.open() if open_only else copy.deepcopy(list(self.rows.values()))
        return [r for r in rows if r["site"] == site]

    async def add_history(self, alarm_id: str, entry: Mapping[str, Any]) -> None:
        await asyncio.sleep(0)
        self.entries.setdefault(alarm_id, []).append(copy.deepcopy(dict(entry)))

    async def history(self, alarm_id: str) -> list[dict]:
        return sorted(copy.deepcopy(self.entries.get(alarm_id, [])), key=lambda e: e["at"])


class Recorder:
    def __init__(self) -> None:
        self.alarms = AlarmRecords()
        self.audited: list[dict[str, Any]] = []

    def audit(self, record: Mapping[str, Any]) -> None:
        self.audited.append(dict(record))


def staff(person_id: str) -> Context:
    """The context of a person answering from a messenger."""
    return Context(user_id=person_id, actor=f"telegram:{person_id}")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def alarm_hub(hub_factory, tmp_path, clock, recorder):
    """`hub = await alarm_hub()`: started, with the stand-ins; `clock` and
    `recorder` (shared by every hub of the test: a restart keeps its data)."""

    async def make(
        *, config: dict | None = None, clock: FakeClock = clock, start: bool = True, **kwargs: Any
    ):
        hub = await hub_factory(
            config=config or CONFIG,
            plugins=["hub.core.alarms", "hub.plugins.demo"],
            clock=clock,
            start=False,
            **kwargs,
        )
        hub.recorder = recorder
        if start:
            await hub.start()
            await clock.advance(0)
        return hub

    return make


def manager(hub):
    return hub.data[ALARMS]


def sent(hub) -> list:
    """What the console messenger was handed, in order."""
    return hub.devices.get("notify.pusat_komando").sent


async def raise_alarm(hub, **data) -> str:
    data.setdefault("title", {"id": "Gerakan di lobi", "en": "Motion in the lobby"})
    data.setdefault("site", "dinkes")
    answer = await hub.services.call(
        "alarm", "raise", data, Context(actor="automation:gerakan_malam")
    )
    return answer["alarm_id"]


__all__ = ["START", "EventWaiter", "manager", "raise_alarm", "sent", "staff"]
