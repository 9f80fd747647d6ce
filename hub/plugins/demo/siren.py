"""A simulated siren that sounds for at most its device-side limit, like a
real one with a maximum on-time."""

from __future__ import annotations

from collections.abc import Callable

import voluptuous as vol

from hub import Context, Siren, i18n


class DemoSiren(Siren):
    platform = "demo"
    CONFIG_SCHEMA = {
        vol.Optional("max_on_time", default=60.0): vol.All(vol.Coerce(float), vol.Range(min=1)),
    }

    async def start(self) -> None:
        self._off: Callable[[], object] | None = None  # the switch-off timer's cancel
        self.set_state("off")

    async def turn_on(
        self, *, duration: float | None, tone: str | None, level: str | None, context: Context
    ) -> None:
        self.require_available()
        seconds = min(duration or self.config["max_on_time"], self.config["max_on_time"])
        # a Text: the log filter writes it in the console's language
        said = i18n.Text(
            "demo.siren_on", entity_id=self.entity_id, site=self.site, seconds=f"{seconds:.0f}"
        )
        self.log.warning("%s", said)
        self.set_state("on", {"duration": seconds, "tone": tone, "level": level}, context)
        self._cancel_off()
        self._off = self.hub.clock.call_later(seconds, lambda: self.set_state("off", {}, context))

    async def turn_off(self, *, context: Context) -> None:
        self.require_available()
        self._cancel_off()
        said = i18n.Text("demo.siren_off", entity_id=self.entity_id, site=self.site)
        self.log.info("%s", said)
        self.set_state("off", {}, context)

    def _cancel_off(self) -> None:
        if self._off is not None:
            self._off()
            self._off = None

    async def stop(self) -> None:
        self._cancel_off()
