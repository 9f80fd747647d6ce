"""Shared helpers for the automation tests: a hub with demo devices (no
simulation) and automations given as YAML text, so they keep file:line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hub.core.automation import CLOCK, FakeClock

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
  - {platform: demo, id: dinkes_halaman, site: dinkes, area: halaman}
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


@pytest.fixture
def automation_hub(hub_factory, tmp_path):
    """`hub = await automation_hub(yaml_text)`: a started hub with the demo
    devices and these automations; `hub.data[CLOCK]` is a FakeClock unless
    `real_time=True`."""

    async def make(
        automations: str,
        *,
        real_time: bool = False,
        start: bool = True,
        devices: str = DEMO_DEVICES,
    ):
        folder = write_config(
            tmp_path / f"config{len(list(tmp_path.iterdir()))}", automations, devices
        )
        hub = await hub_factory(config_dir=folder, plugins=["hub.plugins.demo"], start=False)
        if not real_time:
            hub.data[CLOCK] = FakeClock()
        if start:
            await hub.start()
        return hub

    return make
