"""The one source of time for automations: triggers, delays, timeouts, `for:`
and `now()` read it, so tests move time forward instead of waiting.

`hub.data[CLOCK]` holds the hub's clock; set a `FakeClock` there before the
hub starts to drive time by hand (`await clock.advance(seconds)`).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..keys import HubKey

Cancel = Callable[[], None]


class Clock:
    """Real time, on the running event loop."""

    def timestamp(self) -> float:
        """Seconds since the epoch (UTC), like time.time()."""
        return time.time()

    def now(self) -> datetime:
        """The current moment, timezone-aware in UTC."""
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def call_at(self, timestamp: float, callback: Callable[[], Any]) -> Cancel:
        """Call `callback()` at epoch time `timestamp`; returns the cancel."""
        loop = asyncio.get_running_loop()
        handle = loop.call_later(max(0.0, timestamp - time.time()), callback)
        return handle.cancel

    def call_later(self, seconds: float, callback: Callable[[], Any]) -> Cancel:
        return self.call_at(self.timestamp() + seconds, callback)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class FakeClock(Clock):
    """Time that moves only when a test says so. Starts at the real time (so
    states stamped with time.time() line up) unless given a start."""

    def __init__(self, start: float | datetime | None = None) -> None:
        if isinstance(start, datetime):
            start = start.timestamp()
        self._now = time.time() if start is None else float(start)
        self._timers: list[tuple[float, int, Callable[[], Any]]] = []
        self._cancelled: set[int] = set()
        self._seq = itertools.count()

    def timestamp(self) -> float:
        return self._now

    def call_at(self, timestamp: float, callback: Callable[[], Any]) -> Cancel:
        seq = next(self._seq)
        heapq.heappush(self._timers, (timestamp, seq, callback))
        return lambda: self._cancelled.add(seq)

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()

        def wake() -> None:
            if not future.done():
                future.set_result(None)

        cancel = self.call_later(seconds, wake)
        try:
            await future
        finally:
            cancel()

    async def advance(self, seconds: float) -> None:
        """Move time forward, running every timer due on the way in order,
        and let the loop run what they woke."""
        await self.set_time(self._now + seconds)

    async def set_time(self, timestamp: float | datetime) -> None:
        if isinstance(timestamp, datetime):
            timestamp = timestamp.timestamp()
        await _settle()
        while self._timers and self._timers[0][0] <= timestamp:
            when, seq, callback = heapq.heappop(self._timers)
            if seq in self._cancelled:
                self._cancelled.discard(seq)
                continue
            self._now = max(self._now, when)
            callback()
            await _settle()
        self._now = max(self._now, timestamp)
        await _settle()

    def pending(self) -> int:
        return sum(1 for _, seq, _ in self._timers if seq not in self._cancelled)


async def _settle(rounds: int = 20) -> None:
    # Let woken tasks run up to their next wait; a few loop turns suffice for
    # a run to reach its next step.
    for _ in range(rounds):
        await asyncio.sleep(0)


CLOCK: HubKey[Clock] = HubKey("automation.clock")


def clock_of(hub: Any) -> Clock:
    """The hub's clock (real time unless a test put a FakeClock there)."""
    clock = hub.data.get(CLOCK)
    if clock is None:
        clock = hub.data.setdefault(CLOCK, Clock())
    return clock
