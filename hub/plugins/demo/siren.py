"""A simulated siren that sounds for at most its device-side limit, like a
real one with a maximum on-time."""

from __future__ import annotations

import asyncio

import voluptuous as vol

from hub import Context, Siren


class DemoSiren(Siren):
    platform = "demo"
    CONFIG_SCHEMA = {
        vol.Optional("max_on_time", default=60.0): vol.All(vol.Coerce(float), vol.Range(min=1)),
    }

    async def start(self) -> None:
        self._off: asyncio.TimerHandle | None = None
        self.set_state("off")

    async def turn_on(
        self, *, duration: float | None, tone: str | None, level: str | None, context: Context
    ) -> None:
        self.require_available()
        seconds = min(duration or self.config["max_on_time"], self.config["max_on_time"])
        self.log.warning("%s (%s): SIREN ON for %.0f s", self.entity_id, self.site, seconds)
        self.set_state("on", {"duration": seconds, "tone": tone, "level": level}, context)
        self._cancel_off()
        loop = asyncio.get_running_loop()
        self._off = loop.call_later(seconds, lambda: self.set_state("off", {}, context))

    async def turn_off(self, *, context: Context) -> None:
        self.require_available()
        self._cancel_off()
        self.log.info("%s (%s): siren off", self.entity_id, self.site)
        self.set_state("off", {}, context)

    def _cancel_off(self) -> None:
        if self._off is not None:
            self._off.cancel()
            self._off = None

    async def stop(self) -> None:
        self._cancel_off()
