"""Triggers on time: time (at), time_pattern, sun."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import voluptuous as vol

from ...bus import Event, Unsubscribe
from ...i18n import Text
from ...platform import TriggerAction
from ...state import EVENT_STATE_CHANGED
from ..conditions import parse_time_of_day
from ..schema import duration, parse_duration, time_of_day
from ..sun import next_sun_event
from .base import BuiltinTrigger, all_of, as_list


class _Scheduler:
    """Calls `fire(moment)` at each moment `next_after(now)` gives, until stopped."""

    def __init__(
        self,
        trigger: BuiltinTrigger,
        next_after: Callable[[datetime], datetime | None],
        fire: Callable[[datetime], None],
    ) -> None:
        self.clock = trigger.clock
        self.next_after = next_after
        self.fire = fire
        self.cancel: Callable[[], None] | None = None

    def schedule(self, after: datetime | None = None) -> None:
        self.stop()
        moment = self.next_after(after or self.clock.now())
        if moment is not None:
            self.cancel = self.clock.call_at(moment.timestamp(), lambda: self._due(moment))

    def _due(self, moment: datetime) -> None:
        self.cancel = None
        self.schedule(moment)  # the next one first: a failing run must not stop the clock
        self.fire(moment)

    def stop(self) -> None:
        if self.cancel is not None:
            self.cancel()
            self.cancel = None


class TimeTrigger(BuiltinTrigger):
    platform = "time"
    CONFIG_SCHEMA = {vol.Required("at"): vol.Any(time_of_day, [time_of_day])}

    async def attach(self, action: TriggerAction) -> Unsubscribe:
        zone = self.hub.time_zone
        undo: list[Callable[[], None]] = []
        for at in as_list(self.config["at"]):
            entity_id = at if "." in at and ":" not in at else None

            def next_after(
                now: datetime, at: str = at, entity_id: str | None = entity_id
            ) -> datetime | None:
                text = at
                if entity_id is not None:
                    state = self.hub.states.get(entity_id)
                    if state is None or state.state in ("unknown", "unavailable"):
                        return None
                    text = state.state
                    if "T" in text or " " in text.strip():  # a date and time: that one moment
                        moment = datetime.fromisoformat(text.strip())
                        if moment.tzinfo is None:
                            moment = moment.replace(tzinfo=zone)
                        return moment if moment > now else None
                return next_daily(parse_time_of_day(text, self.hub), now, zone)

            def fire(moment: datetime, entity_id: str | None = entity_id) -> None:
                action(
                    {
                        "platform": "time",
                        "now": moment.astimezone(zone),
                        "entity_id": entity_id,
                        "description": "time",
                    },
                    None,
                )

            scheduler = _Scheduler(self, next_after, fire)
            scheduler.schedule()
            undo.append(scheduler.stop)
            if entity_id is not None:
                undo.append(
                    self.index.listen(
                        EVENT_STATE_CHANGED, lambda e, s=scheduler: s.schedule(), entity_id
                    )
                )
        return all_of(undo)


def next_daily(at: time, now: datetime, zone: Any) -> datetime:
    """The next moment strictly after `now` when the local clock shows `at`."""
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), at, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    return candidate


_PATTERN = re.compile(r"^(\*|/[1-9]\d*|\d+)$")


def _pattern(limit: int) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < limit:
            return value
        if isinstance(value, str) and _PATTERN.match(value.strip()):
            text = value.strip()
            if text.isdigit() and int(text) >= limit:
                raise vol.Invalid(Text("automation.must_be_below", limit=limit))
            return text
        raise vol.Invalid(Text("automation.expected_pattern", limit=limit))

    return check


def _matcher(value: Any) -> Callable[[int], bool]:
    if value is None or value == "*":
        return lambda v: True
    if isinstance(value, str) and value.startswith("/"):
        step = int(value[1:])
        return lambda v: v % step == 0
    number = int(value)
    return lambda v: v == number


class TimePatternTrigger(BuiltinTrigger):
    platform = "time_pattern"
    CONFIG_SCHEMA = {
        vol.Optional("hours"): _pattern(24),
        vol.Optional("minutes"): _pattern(60),
        vol.Optional("seconds"): _pattern(60),
    }

    async def attach(self, action: TriggerAction) -> Unsubscribe:
        hours, minutes, seconds = (self.config.get(k) for k in ("hours", "minutes", "seconds"))
        if hours is None and minutes is None and seconds is None:
            raise ValueError("time_pattern needs hours, minutes or seconds")
        # As Home Assistant: units below the largest one given default to 0.
        if minutes is None and hours is not None:
            minutes = 0
        if seconds is None and minutes is not None:
            seconds = 0
        match_h, match_m, match_s = _matcher(hours), _matcher(minutes), _matcher(seconds)
        zone = self.hub.time_zone

        def next_after(now: datetime) -> datetime:
            moment = now.astimezone(zone).replace(microsecond=0) + timedelta(seconds=1)
            for _ in range(100000):
                if not match_h(moment.hour):
                    moment = (moment + timedelta(hours=1)).replace(minute=0, second=0)
                elif not match_m(moment.minute):
                    moment = (moment + timedelta(minutes=1)).replace(second=0)
                elif not match_s(moment.second):
                    moment += timedelta(seconds=1)
                else:
                    return moment
            raise ValueError("time_pattern never matches")

        def fire(moment: datetime) -> None:
            action({"platform": "time_pattern", "now": moment, "description": "time pattern"}, None)

        scheduler = _Scheduler(self, next_after, fire)
        scheduler.schedule()
        return scheduler.stop


class SunTrigger(BuiltinTrigger):
    platform = "sun"
    CONFIG_SCHEMA = {
        vol.Required("event"): vol.In(("sunrise", "sunset")),
        vol.Optional("offset", default=0): duration,
    }

    async def attach(self, action: TriggerAction) -> Unsubscribe:
        event = self.config["event"]
        offset = parse_duration(self.config.get("offset", 0))

        def fire(moment: datetime) -> None:
            action(
                {
                    "platform": "sun",
                    "event": event,
                    "offset": offset,
                    "description": f"{event} with offset",
                },
                None,
            )

        scheduler = _Scheduler(self, lambda now: next_sun_event(self.hub, event, offset, now), fire)
        scheduler.schedule()
        return scheduler.stop


class HubTrigger(BuiltinTrigger):
    """The hub starting or shutting down (`trigger: homeassistant` as in Home
    Assistant's documentation, or `trigger: sigap`)."""

    platform = "sigap"
    CONFIG_SCHEMA = {vol.Required("event"): vol.In(("start", "shutdown"))}

    async def attach(self, action: TriggerAction) -> Unsubscribe:
        from ...hub import EVENT_HUB_STARTED, EVENT_HUB_STOPPING

        kind = self.config["event"]
        event_type = EVENT_HUB_STARTED if kind == "start" else EVENT_HUB_STOPPING

        def on_event(event: Event) -> None:
            action(
                {"platform": self.platform, "event": kind, "description": f"hub {kind}"},
                event.context,
            )

        return self.index.listen(event_type, on_event)


class HomeAssistantTrigger(HubTrigger):
    platform = "homeassistant"
