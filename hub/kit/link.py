"""The health of one device's connection: how long to wait before the next
attempt (exponential back-off with jitter) and when to call the device
unavailable (only after a grace period, so a camera that drops one long poll
or reboots in ten seconds does not page the guard room)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core.platform import Device


class LinkWatch:
    """`ok()` after every success, `delay = failed(reason)` after every
    failure, then `await device.hub.clock.sleep(delay)` and try again. The
    grace period runs on the hub's clock (a FakeClock in tests)."""

    def __init__(
        self,
        device: Device,
        *,
        grace: float = 30.0,
        initial: float = 1.0,
        maximum: float = 60.0,
    ) -> None:
        self.device = device
        self.grace = grace
        self.initial = initial
        self.maximum = maximum
        self.failures = 0
        self.failing_since: float | None = None
        self.last_error = ""
        self._timer: Callable[[], None] | None = None  # the grace timer's cancel

    def ok(self) -> None:
        self.failures = 0
        self.failing_since = None
        self._cancel_timer()
        self.device.set_available(True)

    def failed(self, reason: str) -> float:
        """Record a failure; returns the seconds to wait before retrying."""
        self.failures += 1
        self.last_error = reason
        clock = self.device.hub.clock
        if self.failing_since is None:
            self.failing_since = clock.monotonic()
            if self.device.available:
                self._timer = clock.call_later(self.grace, self._give_up)
        elif clock.monotonic() - self.failing_since >= self.grace:
            self._give_up()
        delay = min(self.maximum, self.initial * 2 ** (self.failures - 1))
        return delay * random.uniform(0.8, 1.2)

    def _give_up(self) -> None:
        self._cancel_timer()
        self.device.set_available(False, self.last_error)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer()
            self._timer = None

    def close(self) -> None:
        self._cancel_timer()
