"""An open alarm's deadlines (escalate, remind, auto-close) on the hub's
clock. They are wall-clock moments kept in the alarm's record, so a
restart arms them again; one already past fires at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..clock import Cancel
from .model import DEADLINES, Alarm

if TYPE_CHECKING:
    from ..hub import Hub

Due = Callable[[str, str, float], None]  # (alarm id, kind, moment), called from the loop


class Deadlines:
    def __init__(self, hub: Hub, due: Due) -> None:
        self._hub = hub
        self._due = due
        self._timers: dict[tuple[str, str], Cancel] = {}
        #: False until the hub runs (the messengers start with the devices)
        self.armed = False

    def arm(self, alarm: Alarm) -> None:
        """(Re)arm every deadline `alarm` has now."""
        if not self.armed:
            return
        clock = self._hub.clock
        for kind in DEADLINES:
            self.cancel(alarm.id, kind)
            when = alarm.deadlines.get(kind)
            if when is None:
                continue

            def fire(alarm_id: str = alarm.id, kind: str = kind, when: float = when) -> None:
                self._timers.pop((alarm_id, kind), None)
                self._due(alarm_id, kind, when)

            if when <= clock.timestamp():
                fire()  # overdue (the hub was down): at once
            else:
                self._timers[(alarm.id, kind)] = clock.call_at(when, fire)

    def cancel(self, alarm_id: str, *kinds: str) -> None:
        for kind in kinds or DEADLINES:
            cancel = self._timers.pop((alarm_id, kind), None)
            if cancel is not None:
                cancel()

    def close(self) -> None:
        self.armed = False
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()
