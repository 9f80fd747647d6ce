"""A simulated CCTV camera: motion, line crossing, tamper, and now and then
a spell offline."""

from __future__ import annotations

import random
from importlib.resources import files

import voluptuous as vol

from hub import Camera, DeviceUnavailable

from .simulate import SIMULATION_SCHEMA, run_simulation

_SNAPSHOT = files(__package__).joinpath("snapshot.jpg").read_bytes()

EVENTS = ("motion", "line_crossed", "tamper", "intrusion", "offline")


class DemoCamera(Camera):
    platform = "demo"
    CONFIG_SCHEMA = {
        **SIMULATION_SCHEMA,
        vol.Optional("events", default=["motion", "line_crossed", "offline"]): [vol.In(EVENTS)],
        vol.Optional("offline_for", default=8.0): vol.Coerce(float),
    }

    async def start(self) -> None:
        self.set_state("idle")
        if self.config["simulate"]:
            self.hub.create_task(self._simulate(), f"demo camera {self.entity_id}")

    async def _simulate(self) -> None:
        kinds = self.config["events"]
        weights = {
            "motion": 10.0,
            "line_crossed": 2.0,
            "intrusion": 1.0,
            "tamper": 0.5,
            "offline": 0.5,
        }
        happenings = [(weights[kind], self._happening(kind)) for kind in kinds]
        await run_simulation(self.hub.clock, self.config, happenings)

    def _happening(self, kind: str):
        if kind == "offline":
            return self._go_offline
        return lambda rng: self.detect(kind)

    def detect(self, kind: str) -> None:
        """What a real camera plugin does on an event: fire it, show it."""
        if not self.available:
            return
        self.log.info("%s (%s/%s): %s", self.entity_id, self.site, self.area, kind)
        self.fire(f"camera.{kind}", {"camera": self.entity_id})
        self.set_state("motion" if kind == "motion" else "idle", {"last_event": kind})

    async def _go_offline(self, rng: random.Random) -> None:
        self.set_available(False, "simulated network loss")
        self.fire("camera.video_loss", {"camera": self.entity_id})
        await self.hub.clock.sleep(self.config["offline_for"])
        self.set_available(True)

    async def snapshot(self) -> bytes:
        if not self.available:
            raise DeviceUnavailable(self.entity_id)
        return _SNAPSHOT
