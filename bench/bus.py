"""Events per second through the bus to 1, 10 and 100 listeners, and service
calls per second through the registry with a voluptuous schema, on one core.

Each figure is measured against a baseline in the same run: a bare Python
loop making the same number of calls, its runs interleaved with the
measured ones so that a busy machine slows both alike. Machines compare by
the ratio (bus rate / baseline rate) as well as by the raw rate.

    python bench/bus.py [--events N] [--calls N] [--repeat R] [--cpu C]

Targets (issue #2): >= 200,000 events/s to one listener, >= 50,000 service
calls/s. The best of R runs is shown (the least disturbed), and the median.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import voluptuous as vol
from pinning import pin_to_one_cpu

from hub.core.bus import MATCH_ALL, Event, EventBus
from hub.core.context import Context
from hub.core.services import ServiceCall, ServiceRegistry

TARGET_EVENTS_PER_S = 200_000
TARGET_CALLS_PER_S = 50_000

Run = Callable[[], Any]


def _timed(run: Run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def compare(run: Run, baseline: Run, repeat: int) -> tuple[list[float], list[float]]:
    """Seconds per run of `run` and of `baseline`, interleaved, after one
    unmeasured warm-up of each (the first run pays for allocator growth)."""
    run(), baseline()
    runs, bases = [], []
    for _ in range(repeat):
        runs.append(_timed(run))
        bases.append(_timed(baseline))
    return runs, bases


def row(label: str, n: int, runs: list[float], base_n: int, bases: list[float]) -> str:
    rate, median = n / min(runs), n / statistics.median(runs)
    base_rate = base_n / min(bases)
    # the same work in both: the ratio of times, not of per-item rates
    return (
        f"  {label:<38} {rate:>12,.0f}/s (median {median:>10,.0f})"
        f"  baseline {base_rate:>12,.0f} calls/s  ratio {min(bases) / min(runs):6.3f}"
    )


# -- events -----------------------------------------------------------------


def bench_events(n: int, repeat: int) -> tuple[list[str], float]:
    out = []
    data = {"entity_id": "camera.dinkes_lobi", "site": "dinkes", "area": "lobi"}
    seen = [0]

    def listener(event: Event) -> None:
        seen[0] += 1

    def bare_calls(calls: int) -> Run:
        """The baseline: a bare loop calling the listener `calls` times."""

        def loop() -> None:
            for _ in range(calls):
                listener(data)  # type: ignore[arg-type]

        return loop

    one_listener_rate = 0.0
    for count in (1, 10, 100):
        bus = EventBus()
        for _ in range(count):
            bus.listen("camera.motion", listener)
        bus.listen("door.forced", listener)  # other event types must cost nothing
        seen[0] = 0

        def fire(bus: EventBus = bus) -> None:
            for _ in range(n):
                bus.fire("camera.motion", data)

        runs, bases = compare(fire, bare_calls(n * count), repeat)
        # the listeners really got every event (warm-up, runs, and baselines)
        assert seen[0] == (repeat + 1) * 2 * n * count, "listeners missed events"
        out.append(row(f"bus.fire to {count:>3} listener(s): events", n, runs, n * count, bases))
        if count == 1:
            one_listener_rate = n / min(runs)

    # What every fire() pays before any listener: a new Event and Context.
    def make_events() -> None:
        for _ in range(n):
            Event("camera.motion", data)

    runs, bases = compare(make_events, bare_calls(n), repeat)
    out.append(row("(Event + Context construction alone)", n, runs, n, bases))

    # A realistic mix: a MATCH_ALL recorder and 20 automations filtering on
    # their camera, of which one matches.
    bus = EventBus()
    bus.listen(MATCH_ALL, listener)
    for i in range(20):
        wanted = f"camera.c{i}"
        bus.listen("camera.motion", listener, lambda e, w=wanted: e.data["entity_id"] == w)
    motion = {"entity_id": "camera.c3"}

    def mixed() -> None:
        for _ in range(n):
            bus.fire("camera.motion", motion)

    runs, bases = compare(mixed, bare_calls(n * 22), repeat)  # 20 filters + 2 listener calls
    out.append(row("bus.fire to MATCH_ALL + 20 filtered", n, runs, n * 22, bases))

    # Coroutine listeners cost a task each: shown for their price.
    async def coroutine_listener(event: Event) -> None:
        seen[0] += 1

    async def fire_async(count: int) -> None:
        bus = EventBus()
        bus.listen("camera.motion", coroutine_listener)
        for _ in range(count):
            bus.fire("camera.motion", data)
        await bus.drain()

    async def await_bare(count: int) -> None:
        event = Event("camera.motion", data)
        for _ in range(count):
            await coroutine_listener(event)

    n_async = max(n // 10, 1)
    runs, bases = compare(
        lambda: asyncio.run(fire_async(n_async)), lambda: asyncio.run(await_bare(n_async)), repeat
    )
    out.append(row("bus.fire to 1 coroutine listener", n_async, runs, n_async, bases))
    return out, one_listener_rate


# -- services ---------------------------------------------------------------


def bench_services(n: int, repeat: int) -> tuple[list[str], float]:
    out = []
    # the shape of siren.turn_on: a target and validated options
    schema = vol.Schema(
        {
            vol.Optional("entity_id"): vol.Coerce(str),
            vol.Optional("site"): str,
            vol.Optional("duration"): vol.All(vol.Coerce(float), vol.Range(min=0)),
            vol.Optional("tone"): str,
        }
    )
    data = {"entity_id": "siren.dinkes_halaman", "duration": 10}
    done = [0]

    async def handler(call: ServiceCall) -> None:
        done[0] += 1

    registry = ServiceRegistry()
    registry.register("siren", "turn_on", handler, schema)

    async def calls() -> None:
        context = Context()
        for _ in range(n):
            await registry.call("siren", "turn_on", data, context)

    async def bare_awaits() -> None:
        call = ServiceCall("siren", "turn_on", data, Context())
        for _ in range(n):
            await handler(call)

    async def schema_alone() -> None:
        for _ in range(n):
            schema(data)

    runs, bases = compare(lambda: asyncio.run(calls()), lambda: asyncio.run(bare_awaits()), repeat)
    assert done[0] == (repeat + 1) * 2 * n
    out.append(row("services.call, voluptuous schema", n, runs, n, bases))
    rate = n / min(runs)
    runs, bases = compare(
        lambda: asyncio.run(schema_alone()), lambda: asyncio.run(bare_awaits()), repeat
    )
    out.append(row("(the schema's validation alone)", n, runs, n, bases))
    return out, rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000, help="events per run")
    parser.add_argument("--calls", type=int, default=100_000, help="service calls per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; best shown")
    parser.add_argument("--cpu", type=int, help="pin to this CPU (default: the first allowed)")
    args = parser.parse_args()

    pinned = pin_to_one_cpu(args.cpu)

    print(f"$ {shlex.join(['python', *sys.argv])}")
    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.machine()}, {_cpu_model()}, {os.cpu_count()} CPUs; one core used ({pinned})"
    )
    print(
        f"{args.events:,} events and {args.calls:,} service calls per run, best of "
        f"{args.repeat} runs; baseline = a bare Python loop making the same calls, "
        "interleaved; ratio = baseline time / measured time"
    )
    print("\nevents")
    event_lines, events_rate = bench_events(args.events, args.repeat)
    print("\n".join(event_lines))
    print("\nservices")
    service_lines, calls_rate = bench_services(args.calls, args.repeat)
    print("\n".join(service_lines))
    print()
    met = True
    for what, rate, target in (
        ("events/s to 1 listener", events_rate, TARGET_EVENTS_PER_S),
        ("service calls/s", calls_rate, TARGET_CALLS_PER_S),
    ):
        ok = rate >= target
        met &= ok
        print(f"target {what} >= {target:,}: {rate:,.0f} {'MET' if ok else 'MISSED'}")
    return 0 if met else 1


def _cpu_model() -> str:
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                return text.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
