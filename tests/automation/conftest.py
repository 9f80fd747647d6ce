"""Shared helpers for the automation tests: a hub with demo devices (no
simulation) and automations given as YAML text, so they keep file:line; a
`test.record` service whose calls tests wait on; a FakeClock."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest

from hub.core.automation import CLOCK, ENGINE, FakeClock
from hub.core.services import ServiceCall

DEMO_DEVICES = """
hub:
  name: Test
  time_zone: Asia/Makassar
  latitude: 0.1333
  longitude: 117.5
sites:
  - id: dinkes
    areas: [lobi, halaman]
camera:
  - {platform: demo, id: dinkes_lobi, site: dinkes, area: lobi, simulate: false}
  - {platform: demo, id: dinkes_halaman, site: dinkes, area: halaman, simulate: false}
door:
  - {platform: demo, id: dinkes_lobi, site: dinkes, area: lobi, simulate: false}
siren:
  # the yard siren's own limit is longer than ex27's 220 s of motion-light restarts
  - {platform: demo, id: dinkes_halaman, site: dinkes, area: halaman, max_on_time: 600}
  - {platform: demo, id: dinkes_lobi, site: dinkes, area: lobi}
notify:
  - {platform: console, id: pusat_komando}
automation: !include automations.yaml
"""


def write_config(folder: Path, automations: str, devices: str = DEMO_DEVICES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "configuration.yaml").write_text(devices)
    (folder / "automations.yaml").write_text(textwrap.dedent(automations))
    return folder


class Recorder:
    """The `test.record` service: keeps every call; `await next()` waits for one."""

    def __init__(self) -> None:
        self.calls: list[ServiceCall] = []
        self._new = asyncio.Event()
        self._taken = 0

    async def handler(self, call: ServiceCall) -> dict:
        self.calls.append(call)
        self._new.set()
        return {"ok": True, "n": len(self.calls)}

    async def next(self, timeout: float = 5.0) -> ServiceCall:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while self._taken >= len(self.calls):
                self._new.clear()
                await self._new.wait()
        self._taken += 1
        return self.calls[self._taken - 1]

    @property
    def data(self) -> list[dict]:
        return [dict(c.data) for c in self.calls]


async def settle(rounds: int = 30) -> None:
    """Let started runs reach their next wait (no time passes)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def automation_hub(hub_factory, tmp_path, recorder):
    """`hub = await automation_hub(yaml_text)`: a started hub with the demo
    devices and these automations, and the `test.record` service;
    `hub.data[CLOCK]` is a FakeClock unless `real_time=True`."""
    made = 0

    async def make(
        automations: str,
        *,
        real_time: bool = False,
        start: bool = True,
        devices: str = DEMO_DEVICES,
        clock: FakeClock | None = None,
    ):
        nonlocal made
        made += 1
        folder = write_config(tmp_path / f"config{made}", automations, devices)
        hub = await hub_factory(config_dir=folder, plugins=["hub.plugins.demo"], start=False)
        if not real_time:
            hub.data[CLOCK] = clock or FakeClock()
        hub.services.register("test", "record", recorder.handler)
        if start:
            await hub.start()
            await settle()
        return hub

    return make


def engine_of(hub):
    return hub.data[ENGINE]
