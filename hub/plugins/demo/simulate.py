"""The one loop every simulated device shares: wait a random while, then
let something happen."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence

import voluptuous as vol

from hub import Clock

SIMULATION_SCHEMA = {
    # seconds until the first simulated event, then the mean gap between events
    vol.Optional("first_event_after", default=3.0): vol.All(vol.Coerce(float), vol.Range(min=0)),
    vol.Optional("mean_interval", default=20.0): vol.All(vol.Coerce(float), vol.Range(min=0.01)),
    vol.Optional("seed"): int,
    vol.Optional("simulate", default=True): bool,
}


async def run_simulation(
    clock: Clock,
    config: dict,
    happenings: Sequence[tuple[float, Callable[[random.Random], object]]],
) -> None:
    """Fire weighted happenings at exponentially distributed intervals,
    as real motion and door traffic arrive; the waits are on the hub's
    clock, so a test moves them with a FakeClock."""
    rng = random.Random(config.get("seed"))
    weights = [w for w, _ in happenings]
    await clock.sleep(config["first_event_after"])
    while True:
        _, happen = rng.choices(happenings, weights)[0]
        result = happen(rng)
        if asyncio.iscoroutine(result):
            await result
        await clock.sleep(rng.expovariate(1 / config["mean_interval"]))
