"""One clock for the hub: durations on monotonic time, moments on the wall
clock, and a wall-clock timer that still fires at its moment when NTP
corrects the clock of an edge box that booted without a battery clock."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from hub import Clock
from hub.testing import FakeClock

WITA = ZoneInfo("Asia/Makassar")


async def test_a_wall_clock_timer_fires_at_its_moment_after_the_clock_jumps_forward():
    wall = [1_780_000_000.0]
    clock = Clock(wall=lambda: wall[0], recheck=0.02)
    fired = asyncio.Event()
    clock.call_at(wall[0] + 2 * 3600, fired.set)  # 2 h away on the box's wrong clock
    await asyncio.sleep(0.05)
    assert not fired.is_set()
    wall[0] += 2 * 3600  # NTP: the box was 2 h behind
    async with asyncio.timeout(1):
        await fired.wait()


async def test_a_wall_clock_timer_waits_when_the_clock_jumps_back():
    wall = [1_780_000_000.0]
    clock = Clock(wall=lambda: wall[0], recheck=0.02)
    fired = asyncio.Event()
    clock.call_at(wall[0] + 0.05, fired.set)
    wall[0] -= 3600  # the box was an hour ahead: the moment is an hour away again
    await asyncio.sleep(0.15)
    assert not fired.is_set()
    wall[0] += 3600 + 0.06  # corrected back, and the moment has come
    async with asyncio.timeout(1):
        await fired.wait()


async def test_durations_do_not_move_with_the_wall_clock():
    wall = [1_780_000_000.0]
    clock = Clock(wall=lambda: wall[0], recheck=0.02)
    fired = asyncio.Event()
    started = clock.monotonic()
    clock.call_later(0.2, fired.set)
    wall[0] += 3600  # a siren's 0.2 s stay 0.2 s
    async with asyncio.timeout(2):
        await fired.wait()
    assert clock.monotonic() - started >= 0.2


async def test_a_cancelled_wall_clock_timer_never_fires():
    clock = Clock(recheck=0.02)
    fired = []
    cancel = clock.call_at(clock.timestamp() + 0.05, lambda: fired.append(1))
    cancel()
    await asyncio.sleep(0.1)
    assert fired == []


async def test_the_fake_clock_moves_durations_and_moments_apart():
    clock = FakeClock(datetime(2026, 12, 1, 5, 58, tzinfo=WITA))
    seen: list[str] = []
    clock.call_later(300, lambda: seen.append("siren off (5 min)"))
    clock.call_at(datetime(2026, 12, 1, 8, 0, tzinfo=WITA).timestamp(), lambda: seen.append("8:00"))
    await clock.jump(2 * 3600)  # NTP: 07:58 now, no duration passed
    assert seen == [] and clock.monotonic() == 0
    await clock.advance(120)
    assert seen == ["8:00"]
    await clock.advance(180)
    assert seen == ["8:00", "siren off (5 min)"]


async def test_the_hub_has_one_clock_and_tests_set_it(hub_factory):
    clock = FakeClock()
    hub = await hub_factory(config={}, clock=clock)
    assert hub.clock is clock
    plain = await hub_factory(config={})
    assert isinstance(plain.clock, Clock) and not isinstance(plain.clock, FakeClock)
