"""Automation engine benchmark (issue 3, acceptance 5).

    .venv/bin/python bench/automation.py [--automations 1000] [--events 200000]

Measures, on one core, with a baseline from the same run:
- loading N automations (YAML parse + validation, then compile + attach);
- an event that matches none of the N automations (baseline: the same event
  with no automation listening);
- trigger to first service call, for an event trigger with a state
  condition (median and 99th percentile).
Targets: non-matching event < 20 us, trigger-to-service median < 0.1 ms,
loading 1,000 automations < 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pinning import pin_to_one_cpu

from hub.core.automation import ENGINE
from hub.core.hub import Hub

CONFIG = """
hub: {name: Bench}
sites:
  - id: dinkes
    areas: [lobi]
siren:
  - {platform: demo, id: yard, site: dinkes, area: lobi}
automation: !include automations.yaml
"""

AUTOMATION = """
- id: bench_{i}
  alias: Bench {i}
  mode: parallel
  max: 1000
  triggers:
    - trigger: event
      event_type: camera.motion
      event_data:
        entity_id: camera.bench_{i}
  conditions:
    - condition: state
      entity_id: siren.yard
      state: "off"
  actions:
    - action: bench.record
      data:
        # distinct per automation, so no template cache flatters the load time
        camera: "{{{{ trigger.event.data.entity_id }}}} ({i})"
        index: {i}
"""


def write(folder: Path, count: int) -> None:
    (folder / "configuration.yaml").write_text(CONFIG)
    (folder / "automations.yaml").write_text("".join(AUTOMATION.format(i=i) for i in range(count)))


async def per_event(hub: Hub, event_type: str, data: dict, count: int) -> float:
    fire = hub.bus.fire
    gc.collect()
    start = time.perf_counter()
    for _ in range(count):
        fire(event_type, data)
    return (time.perf_counter() - start) / count


async def main(count: int, events: int, pinned: str) -> None:
    print("$", " ".join(shlex.quote(a) for a in ["python", *sys.argv]))
    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.machine()}, {os.cpu_count()} CPUs; one core used ({pinned}); "
        f"loop: {type(asyncio.get_running_loop()).__module__.split('.')[0]}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write(folder, count)
        hub = Hub(folder, plugins=["hub.plugins.demo"], autoload=False)
        called: list[float] = []
        got = asyncio.Event()

        async def record(call) -> None:
            called.append(time.perf_counter())
            got.set()

        hub.services.register("bench", "record", record)
        start = time.perf_counter()
        errors = hub.load()
        loaded = time.perf_counter()
        assert not errors, errors
        await hub.start()
        started = time.perf_counter()
        engine = hub.data[ENGINE]
        assert len(engine.automations) == count
        compiled = await engine.warmed
        warmed = time.perf_counter()
        print(
            f"load {count} automations: parse+validate {loaded - start:.3f} s, "
            f"compile+attach+start {started - loaded:.3f} s, "
            f"total {started - start:.3f} s (target < 2 s); then {compiled} templates "
            f"compiled in the background in {warmed - started:.3f} s"
        )

        # Baseline: an event type nobody listens to, on the same bus.
        base = await per_event(hub, "camera.nobody", {"entity_id": "camera.elsewhere"}, events)
        miss = await per_event(hub, "camera.motion", {"entity_id": "camera.elsewhere"}, events)
        print(
            f"event matching none of {count}: {miss * 1e6:.2f} us/event "
            f"(baseline, no listener: {base * 1e6:.2f} us; "
            f"engine adds {(miss - base) * 1e6:.2f} us) "
            f"(target < 20 us)"
        )

        # Trigger to first service call.
        latencies = []
        for n in range(2000):
            got.clear()
            started_at = time.perf_counter()
            hub.bus.fire("camera.motion", {"entity_id": f"camera.bench_{n % count}"})
            await got.wait()
            latencies.append(called[-1] - started_at)
        await asyncio.sleep(0)
        latencies.sort()
        median = statistics.median(latencies)
        p99 = latencies[int(len(latencies) * 0.99)]
        print(
            f"trigger -> first service call (event trigger + state condition + templated data): "
            f"median {median * 1e3:.4f} ms, p99 {p99 * 1e3:.4f} ms (target median < 0.1 ms)"
        )

        # Baseline for the above: a bare listener that calls the service itself.
        called.clear()

        async def direct(event) -> None:
            await hub.services.call("bench", "record", {"camera": event.data["entity_id"]})

        unlisten = hub.bus.listen("camera.direct", direct)
        bare = []
        for _ in range(2000):
            got.clear()
            started_at = time.perf_counter()
            hub.bus.fire("camera.direct", {"entity_id": "camera.x"})
            await got.wait()
            bare.append(called[-1] - started_at)
        unlisten()
        print(
            f"baseline: bus listener task calling the service directly: median "
            f"{statistics.median(bare) * 1e3:.4f} ms"
        )

        # Throughput: back-to-back matching events, all for one automation
        # (the MQTT relay's pattern), then spread over all of them (every
        # automation has new traces to save: the worst case for saving).
        for label, spread in (("one automation", 1), (f"spread over {count}", count)):
            total = 30000
            called.clear()
            start = time.perf_counter()
            for n in range(total):
                hub.bus.fire("camera.motion", {"entity_id": f"camera.bench_{n % spread}"})
                if n % 100 == 99:
                    await asyncio.sleep(0)
            while len(called) < total:
                got.clear()
                await got.wait()
            elapsed = time.perf_counter() - start
            print(
                f"throughput, {label}: {total} matching events -> {total} runs in "
                f"{elapsed:.2f} s = {total / elapsed:,.0f} runs/s "
                f"({elapsed / total * 1e6:.1f} us per run, event and traces included)"
            )
        await hub.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--automations", type=int, default=1000)
    parser.add_argument("--events", type=int, default=200000)
    parser.add_argument("--cpu", type=int, help="pin to this CPU (default: the first allowed)")
    args = parser.parse_args()
    pinned = pin_to_one_cpu(args.cpu)
    try:
        import uvloop

        uvloop.run(main(args.automations, args.events, pinned))
    except ImportError:
        asyncio.run(main(args.automations, args.events, pinned))
