"""What a camera's detectors are doing, from whatever its protocol says:
an on/off property per (kind, topic, source), `camera.<kind>` fired when one
turns on (or for every active pulse, such as a line crossing), and the
entity's state (`motion` / `idle`) kept in step. Every camera plugin reports through this,
so a motion event means the same thing from ONVIF, Hikvision or Dahua."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.platform import Camera


class CameraActivity:
    def __init__(self, camera: Camera, *, auto_off: float | None = None) -> None:
        """`auto_off`: seconds after which an "on" that was not repeated is
        taken as off (Hikvision repeats "active" and may never say "inactive")."""
        self.camera = camera
        self.auto_off = auto_off
        self.active: dict[tuple[str, str, str], bool] = {}
        # each auto-off timer's cancel, on the hub's clock (a FakeClock in tests)
        self._timers: dict[tuple[str, str, str], Callable[[], object]] = {}

    def report(
        self,
        kind: str,
        source: str,
        active: bool = True,
        *,
        pulse: bool = False,
        initialized: bool = False,
        data: dict[str, Any] | None = None,
        topic: str = "",
    ) -> bool:
        """Record what the camera said; returns True when an event was fired.
        `initialized`: the camera telling its current state (a new subscription),
        not a change: it fires only if the hub had not yet seen that state
        (motion that began while the hub was cut off is not missed). `topic`:
        two detectors with the same source keep their own state."""
        key = (kind, topic, source)
        before = self.active.get(key, False)
        if not pulse:
            self.active[key] = active
            if active and self.auto_off:
                self._arm(key)
        if pulse:  # an occurrence; its "false"/"0" message is not a second one
            fire = active and not initialized
        else:
            fire = active and not before
        if fire:
            self.camera.fire(
                f"camera.{kind}",
                {"camera": self.camera.entity_id, "source": source, **(data or {})},
            )
        if fire or active != before:
            self._show(kind)
        return fire

    def clear(self) -> None:
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()

    def _arm(self, key: tuple[str, str, str]) -> None:
        if (cancel := self._timers.pop(key, None)) is not None:
            cancel()
        clock = self.camera.hub.clock
        self._timers[key] = clock.call_later(self.auto_off or 0, lambda: self._expire(key))

    def _expire(self, key: tuple[str, str, str]) -> None:
        self._timers.pop(key, None)
        kind, topic, source = key
        self.report(kind, source, False, topic=topic)

    def is_on(self, kind: str) -> bool:
        return any(on for (k, _, _), on in self.active.items() if k == kind)

    def _show(self, last: str) -> None:
        camera = self.camera
        attrs = {
            **camera._attributes,
            "motion": self.is_on("motion"),
            "tamper": self.is_on("tamper"),
            "video_loss": self.is_on("video_loss"),
            "last_event": last,
        }
        camera.set_state("motion" if attrs["motion"] else "idle", attrs)
