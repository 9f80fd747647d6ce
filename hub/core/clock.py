"""The hub's one clock: `hub.clock`.

Everything that waits reads it (automations' triggers, delays and `for:`,
device timers, link watches, media, alarm deadlines, outbox retries), so a
test moves time forward with a `FakeClock` instead of waiting.

Two kinds of time, kept apart on purpose:
- durations (`call_later`, `sleep`, `monotonic`) run on the event loop's
  monotonic clock: a siren's 60 s stay 60 s when NTP corrects the wall clock;
- moments (`call_at`, `timestamp`, `now`) are wall-clock times. An edge box
  without a battery clock boots with a wrong time and NTP corrects it later,
  so a timer for a moment re-reads the wall clock at least every
  `recheck` seconds and fires when the moment has really come.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .keys import HubKey

Cancel = Callable[[], None]

# How late a wall-clock timer may fire after the wall clock jumped forward.
RECHECK_SECONDS = 10.0


class Clock:
    """Real time, on the running event loop."""

    def __init__(
        self, *, wall: Callable[[], float] = time.time, recheck: float = RECHECK_SECONDS
    ) -> None:
        self._wall = wall
        self._recheck = recheck

    def timestamp(self) -> float:
        """Wall-clock seconds since the epoch (UTC), like time.time()."""
        return self._wall()

    def now(self) -> datetime:
        """The current moment, timezone-aware in UTC."""
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (for measuring durations)."""
        return asyncio.get_running_loop().time()

    def call_later(self, seconds: float, callback: Callable[[], Any]) -> Cancel:
        """Call `callback()` after `seconds` of monotonic time; returns the cancel."""
        handle = asyncio.get_running_loop().call_later(max(0.0, seconds), callback)
        return handle.cancel

    def call_at(self, timestamp: float, callback: Callable[[], Any]) -> Cancel:
        """Call `callback()` once the wall clock reads `timestamp`, even if
        it jumps on the way; returns the cancel."""
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle | None = None

        def check() -> None:
            nonlocal handle
            remaining = timestamp - self.timestamp()
            if remaining <= 0:
                handle = None
                callback()
                return
            handle = loop.call_later(min(remaining, self._recheck), check)

        check_soon = loop.call_later(0, check)
        handle = check_soon

        def cancel() -> None:
            if handle is not None:
                handle.cancel()

        return cancel

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class FakeClock(Clock):
    """Time that moves only when a test says so: `await advance(seconds)`
    moves both clocks, `await jump(seconds)` moves only the wall clock (an
    NTP correction). Starts at the real wall time unless given a start."""

    def __init__(self, start: float | datetime | None = None) -> None:
        super().__init__()
        if isinstance(start, datetime):
            start = start.timestamp()
        self._mono = 0.0
        self._offset = time.time() if start is None else float(start)  # wall = mono + offset
        # seq -> (due, on the wall clock?, callback)
        self._timers: dict[int, tuple[float, bool, Callable[[], Any]]] = {}
        self._seq = itertools.count()

    def timestamp(self) -> float:
        return self._mono + self._offset

    def monotonic(self) -> float:
        return self._mono

    def call_later(self, seconds: float, callback: Callable[[], Any]) -> Cancel:
        return self._add(self._mono + max(0.0, seconds), False, callback)

    def call_at(self, timestamp: float, callback: Callable[[], Any]) -> Cancel:
        return self._add(timestamp, True, callback)

    def _add(self, due: float, wall: bool, callback: Callable[[], Any]) -> Cancel:
        seq = next(self._seq)
        self._timers[seq] = (due, wall, callback)
        return lambda: self._timers.pop(seq, None)  # type: ignore[return-value]

    def _mono_due(self, due: float, wall: bool) -> float:
        return due - self._offset if wall else due

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
        await self._run_until(self._mono + seconds)

    async def set_time(self, timestamp: float | datetime) -> None:
        """Advance until the wall clock reads `timestamp` (never backwards)."""
        if isinstance(timestamp, datetime):
            timestamp = timestamp.timestamp()
        await self._run_until(timestamp - self._offset)

    async def jump(self, seconds: float) -> None:
        """The wall clock is corrected by `seconds` (NTP after boot); durations
        do not move. Wall-clock timers now due fire."""
        self._offset += seconds
        await self._run_until(self._mono)

    async def _run_until(self, mono: float) -> None:
        await _settle()
        while True:
            due = [
                (self._mono_due(when, wall), seq)
                for seq, (when, wall, _) in self._timers.items()
                if self._mono_due(when, wall) <= mono
            ]
            if not due:
                break
            when, seq = min(due)
            _, _, callback = self._timers.pop(seq)
            self._mono = max(self._mono, when)
            callback()
            await _settle()
        self._mono = max(self._mono, mono)
        await _settle()

    def pending(self) -> int:
        return len(self._timers)

    def next_due(self) -> float | None:
        """Seconds until the next timer is due (None: none is armed); a test
        advancing exactly that far never moves time while work is in flight."""
        if not self._timers:
            return None
        due = min(self._mono_due(when, wall) for when, wall, _ in self._timers.values())
        return max(0.0, due - self._mono)


async def _settle(rounds: int = 20) -> None:
    # Let woken tasks run up to their next wait; a few loop turns suffice for
    # a run to reach its next step.
    for _ in range(rounds):
        await asyncio.sleep(0)


CLOCK: HubKey[Clock] = HubKey("clock")


def clock_of(hub: Any) -> Clock:
    """The hub's clock (real time unless a test put a FakeClock there)."""
    clock = hub.data.get(CLOCK)
    if clock is None:
        clock = hub.data.setdefault(CLOCK, Clock())
    return clock
