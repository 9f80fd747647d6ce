"""A simulated access-controlled door: badge swipes, denied cards, and the
occasional forced door."""

from __future__ import annotations

import random
from collections.abc import Callable

import voluptuous as vol

from hub import Context, Door

from .simulate import SIMULATION_SCHEMA, run_simulation

EVENTS = ("access_granted", "access_denied", "forced", "held_open")
_STAFF = ("Andi", "Sari", "Budi", "Rina", "Yusuf")


class DemoDoor(Door):
    platform = "demo"
    CONFIG_SCHEMA = {
        **SIMULATION_SCHEMA,
        vol.Optional("events", default=["access_granted", "access_denied", "forced"]): [
            vol.In(EVENTS)
        ],
        vol.Optional("relock_after", default=5.0): vol.Coerce(float),
    }

    async def start(self) -> None:
        self._relock: Callable[[], object] | None = None  # the relock timer's cancel
        self.set_state("locked")
        if self.config["simulate"]:
            weights = {
                "access_granted": 10.0,
                "access_denied": 3.0,
                "forced": 0.5,
                "held_open": 0.5,
            }
            happenings = [(weights[k], self._happening(k)) for k in self.config["events"]]
            simulation = run_simulation(self.hub.clock, self.config, happenings)
            self.hub.create_task(simulation, f"demo door {self.entity_id}")

    def _happening(self, kind: str):
        def happen(rng: random.Random) -> None:
            person = rng.choice(_STAFF)
            data = {"door": self.entity_id}
            if kind.startswith("access"):
                data.update({"person": person, "card": f"{rng.randrange(10**7):07d}"})
            self.log.info("%s (%s): %s %s", self.entity_id, self.site, kind, data.get("person", ""))
            self.fire(f"door.{kind}", data)

        return happen

    async def unlock(self, *, duration: float | None, context: Context) -> None:
        self.require_available()
        self.set_state("unlocked", context=context)
        seconds = duration or self.config["relock_after"]
        if self._relock is not None:
            self._relock()
        self._relock = self.hub.clock.call_later(
            seconds, lambda: self.set_state("locked", context=context)
        )

    async def lock(self, *, context: Context) -> None:
        self.require_available()
        if self._relock is not None:
            self._relock()
            self._relock = None
        self.set_state("locked", context=context)

    async def stop(self) -> None:
        if self._relock is not None:
            self._relock()
