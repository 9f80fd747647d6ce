"""A site's alarm panel, as a building's is (Home Assistant's manual alarm
panel is the model): disarmed; armed home / night / away after an exit
delay (`arming`); an armed panel that is triggered counts down an entry
delay (`pending`) in which the right code disarms it, then is `triggered`
for `trigger_time` seconds (0: until someone disarms it).

Every service needs the code, or a person whose role may "arm" on the
panel's site (the hub's own automations may too). A wrong code is refused
with an event; `lockout.attempts` wrong codes within `lockout.within`
seconds lock the code for `lockout.duration` seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import voluptuous as vol

from hub import Context, Device, DeviceError, ServiceCall, i18n, kit

from .codes import LOCKOUT_SCHEMA, CodeGuard
from .schedule import ARM, SCHEDULE_SCHEMA, Schedule
from .store import store_of

_LOGGER = logging.getLogger(__name__)

DISARMED = "disarmed"
ARMING = "arming"
PENDING = "pending"
TRIGGERED = "triggered"
ARMED_MODES = ("armed_home", "armed_night", "armed_away")
STATES = (DISARMED, ARMING, *ARMED_MODES, PENDING, TRIGGERED)

EVENT_WRONG_CODE = "alarm_control_panel.wrong_code"
EVENT_LOCKED_OUT = "alarm_control_panel.locked_out"

# the schedule acts as the panel itself (the hub, not a person)
_SCHEDULE = "plugin:arming"

_DELAYS = {
    vol.Optional("arming_time"): kit.seconds(0.0, 3600.0),
    vol.Optional("delay_time"): kit.seconds(0.0, 3600.0),
}


class AlarmControlPanel(Device):
    """The `alarm_control_panel` domain's base class: what its services ask
    of a panel. A vendor's real panel (a keypad system on the network)
    subclasses it like the manual one below."""

    domain = "alarm_control_panel"

    async def arm(self, mode: str, call: ServiceCall) -> None:
        raise NotImplementedError

    async def disarm(self, call: ServiceCall) -> None:
        raise NotImplementedError

    async def trigger(self, call: ServiceCall) -> None:
        raise NotImplementedError


class ManualPanel(AlarmControlPanel):
    platform = "manual"
    CONFIG_SCHEMA = {
        # from secrets.yaml (`code: !secret dinkes_alarm_code`): never in the YAML itself
        vol.Optional("code"): vol.All(vol.Coerce(str), vol.Length(min=1, max=64)),
        vol.Optional("arming_time", default=60.0): kit.seconds(0.0, 3600.0),
        vol.Optional("delay_time", default=30.0): kit.seconds(0.0, 3600.0),
        vol.Optional("trigger_time", default=300.0): kit.seconds(0.0, 86400.0),
        vol.Optional("disarm_after_trigger", default=False): bool,
        **{vol.Optional(mode): vol.Schema(_DELAYS) for mode in ARMED_MODES},
        vol.Optional("lockout", default={}): LOCKOUT_SCHEMA,
        vol.Optional("schedule"): SCHEDULE_SCHEMA,
    }

    def __init__(self, hub: Any, config: Any) -> None:
        super().__init__(hub, config)
        self._guard = CodeGuard(config.get("code"), config["lockout"])
        schedule = config.get("schedule")
        self._schedule = Schedule.from_config(schedule, hub.time_zone) if schedule else None
        self._previous: str | None = None  # the armed mode a delay or trigger came from
        self._next: str | None = None  # where the running delay leads
        self._until: float | None = None  # when it ends (wall clock), for a restart
        self._changed_by: str | None = None
        self._cancel_timer: Callable[[], None] | None = None
        self._cancel_schedule: Callable[[], None] | None = None
        self._cancel_unlock: Callable[[], None] | None = None
        self._store = store_of(hub)

    # -- lifetime ------------------------------------------------------------------

    async def start(self) -> None:
        saved = self._store.get(self.entity_id)
        if saved is not None and saved.get("state") in STATES:
            self._restore(saved)
        else:
            saved = None
            self._set(DISARMED, None)
        if self._schedule is not None:
            saved_at = saved.get("saved_at") if saved else None
            last = self._schedule.last_until(self.hub.clock.now())
            # a moment of the schedule passed while the hub was off (or it never ran)
            if last is not None and (saved_at is None or last[0].timestamp() > saved_at):
                self._follow_schedule(last[1])
            self._plan_schedule()

    async def stop(self) -> None:
        for cancel in (self._cancel_timer, self._cancel_schedule, self._cancel_unlock):
            if cancel is not None:
                cancel()
        self._cancel_timer = self._cancel_schedule = self._cancel_unlock = None
        await self._store.flush()

    def _restore(self, saved: dict[str, Any]) -> None:
        state = saved["state"]
        self._previous = saved.get("previous_state")
        self._next = saved.get("next_state")
        self._changed_by = saved.get("changed_by")
        until = saved.get("until")
        if state in (ARMING, PENDING, TRIGGERED) and isinstance(until, int | float):
            remaining = until - self.hub.clock.timestamp()
            if remaining > 0:
                self._set(state, self._changed_by, seconds=remaining)
                return
            self._state = state  # the delay ran out while the hub was off: what follows
            self._delay_over()
            return
        if state in (ARMING, PENDING, TRIGGERED):  # no time saved: fail secure
            state = self._previous if self._previous in ARMED_MODES else ARMED_MODES[-1]
        self._set(state, self._changed_by)

    # -- the services --------------------------------------------------------------

    async def arm(self, mode: str, call: ServiceCall) -> None:
        self._authorize(call)
        if self._state in (PENDING, TRIGGERED):
            raise DeviceError(i18n.Text("arming.disarm_first", entity_id=self.entity_id))
        self._arm(mode, call.context)

    async def disarm(self, call: ServiceCall) -> None:
        self._authorize(call)
        self._disarm(call.context)

    async def trigger(self, call: ServiceCall) -> None:
        self._authorize(call)
        self._trigger(call.context)

    def _authorize(self, call: ServiceCall) -> None:
        """The code, or a person (or the hub) that may arm on this site."""
        given = call.data.get("code")
        context = call.context
        if given is None:
            if self.hub.people.may_site(context, self.site, "arm"):
                return
            raise DeviceError(i18n.Text("arming.code_needed", entity_id=self.entity_id))
        now = self.hub.clock.monotonic()
        if self._guard.locked(now):
            minutes = max(1, round(self._guard.locked_for(now) / 60))
            raise DeviceError(i18n.Text("arming.locked", entity_id=self.entity_id, minutes=minutes))
        if self._guard.check(str(given), now):
            return
        wrong = self._guard.wrong_count(now)
        who = context.who
        self.log.warning(
            i18n.Text("arming.wrong_code_log", entity_id=self.entity_id, site=self.site, who=who)
        )
        self.fire(EVENT_WRONG_CODE, {"who": who, "attempts": wrong}, context)
        if self._guard.locked(now):
            self.log.warning(
                i18n.Text(
                    "arming.locked_log",
                    entity_id=self.entity_id,
                    site=self.site,
                    attempts=wrong,
                    seconds=round(self._guard.duration),
                )
            )
            until = self.hub.clock.timestamp() + self._guard.locked_for(now)
            self.fire(EVENT_LOCKED_OUT, {"who": who, "attempts": wrong, "until": until}, context)
            self._write_state()
            # the state shows the lock until it ends
            self._cancel_unlock = self.hub.clock.call_later(
                self._guard.locked_for(now), self._write_state
            )
        raise DeviceError(i18n.Text("arming.wrong_code", entity_id=self.entity_id))

    # -- the state machine ---------------------------------------------------------

    def _delays(self, mode: str) -> tuple[float, float]:
        own = self.config.get(mode) or {}
        return (
            float(own.get("arming_time", self.config["arming_time"])),
            float(own.get("delay_time", self.config["delay_time"])),
        )

    def _arm(self, mode: str, context: Context | None) -> None:
        if self._state == mode:
            return
        exit_delay, _ = self._delays(mode)
        if exit_delay > 0:
            self._next = mode
            self._set(ARMING, _who(context), context, seconds=exit_delay)
        else:
            self._set(mode, _who(context), context)

    def _disarm(self, context: Context | None) -> None:
        self._previous = self._next = None
        self._set(DISARMED, _who(context), context)

    def _trigger(self, context: Context | None) -> None:
        # disarmed, leaving (exit delay), or already counting or sounding: nothing new
        if self._state not in ARMED_MODES:
            return
        self._previous = self._state
        _, entry_delay = self._delays(self._state)
        if entry_delay > 0:
            self._next = TRIGGERED
            self._set(PENDING, _who(context), context, seconds=entry_delay)
        else:
            self._start_triggered(context)

    def _start_triggered(self, context: Context | None) -> None:
        trigger_time = float(self.config["trigger_time"])
        self._next = DISARMED if self.config["disarm_after_trigger"] else self._previous
        self._set(TRIGGERED, _who(context) or self._changed_by, context, seconds=trigger_time)

    def _delay_over(self) -> None:
        """The running delay ended: the exit delay arms, the entry delay
        triggers, the trigger time runs out."""
        self._cancel_timer = None
        if self._state == ARMING and self._next in ARMED_MODES:
            self._set(self._next, self._changed_by)
        elif self._state == PENDING:
            self._start_triggered(None)
        elif self._state == TRIGGERED:
            back = self._next if self._next in (*ARMED_MODES, DISARMED) else DISARMED
            self._previous = self._next = None
            self._set(back, self._changed_by)

    def _set(
        self,
        state: str,
        changed_by: str | None,
        context: Context | None = None,
        *,
        seconds: float | None = None,
    ) -> None:
        if self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None
        self._until = None
        if seconds is not None and seconds > 0:
            self._until = self.hub.clock.timestamp() + seconds
            self._cancel_timer = self.hub.clock.call_later(seconds, self._delay_over)
        if state in ARMED_MODES or state == DISARMED:
            self._next = None
        if state == DISARMED:
            self._previous = None
        self._changed_by = changed_by
        self._state = state
        self._write_state(context)
        self._store.save(
            self.entity_id,
            {
                "state": state,
                "previous_state": self._previous,
                "next_state": self._next,
                "until": self._until,
                "changed_by": changed_by,
                "saved_at": self.hub.clock.timestamp(),
            },
        )

    def _write_state(self, context: Context | None = None) -> None:
        now = self.hub.clock.monotonic()
        locked = self._guard.locked(now)
        self.set_state(
            self._state,
            {
                "previous_state": self._previous,
                "next_state": self._next,
                "until": self._until,
                "changed_by": self._changed_by,
                "code_required": self._guard.has_code,
                "locked_until": (
                    self.hub.clock.timestamp() + self._guard.locked_for(now) if locked else None
                ),
            },
            context,
        )

    # -- the schedule --------------------------------------------------------------

    def _plan_schedule(self) -> None:
        assert self._schedule is not None
        upcoming = self._schedule.next_after(self.hub.clock.now())
        if upcoming is not None:
            moment, _ = upcoming
            self._cancel_schedule = self.hub.clock.call_at(moment.timestamp(), self._schedule_due)

    def _schedule_due(self) -> None:
        # the wall clock decides, not the moment the timer was set for (NTP may
        # have moved it): the latest moment passed is the one that counts
        assert self._schedule is not None
        self._cancel_schedule = None
        try:
            last = self._schedule.last_until(self.hub.clock.now())
            if last is not None:
                self._follow_schedule(last[1])
        finally:
            self._plan_schedule()

    def _follow_schedule(self, what: str) -> None:
        assert self._schedule is not None
        context = Context(actor=_SCHEDULE)
        if what == ARM:
            if self._state == DISARMED:
                self._arm(self._schedule.arm_mode, context)
        elif self._state in (*ARMED_MODES, ARMING):
            # an alarm going off (pending, triggered) waits for a person
            self._disarm(context)


def _who(context: Context | None) -> str | None:
    return context.who if context is not None else None
