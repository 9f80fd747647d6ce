"""`auto_close_on`: the events and entity states that close an open alarm
by themselves (the camera back online, the door closed again).

One bus listener per event type and one for state changes, however many
alarms wait: a hundred open alarms cost a dict look-up per event, not a
hundred filters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..bus import Event, EventBus, Unsubscribe
from ..i18n import Text
from ..state import EVENT_STATE_CHANGED

Closer = Callable[[str, Text], None]  # (alarm id, why) -> None; called from the loop


class AutoClose:
    def __init__(self, bus: EventBus, close: Closer) -> None:
        self._bus = bus
        self._close = close
        # event type -> alarm id -> the event_data each rule of that alarm asks for
        self._events: dict[str, dict[str, list[Mapping[str, Any]]]] = {}
        # entity id -> alarm id -> the states that close it
        self._states: dict[str, dict[str, set[str]]] = {}
        self._listeners: dict[str, Unsubscribe] = {}

    def watch(self, alarm_id: str, rules: list[Mapping[str, Any]]) -> None:
        for rule in rules:
            if "event" in rule:
                event_type = str(rule["event"])
                wanted = dict(rule.get("event_data") or {})
                self._events.setdefault(event_type, {}).setdefault(alarm_id, []).append(wanted)
                self._listen(event_type)
            elif "entity_id" in rule:
                states = self._states.setdefault(str(rule["entity_id"]), {})
                states.setdefault(alarm_id, set()).update(str(s) for s in rule["state"])
                self._listen(EVENT_STATE_CHANGED)

    def forget(self, alarm_id: str) -> None:
        for index in (self._events, self._states):
            for key, waiting in list(index.items()):
                waiting.pop(alarm_id, None)
                if not waiting:
                    del index[key]
        needed = set(self._events) | ({EVENT_STATE_CHANGED} if self._states else set())
        for event_type in set(self._listeners) - needed:
            self._unlisten(event_type)

    def close(self) -> None:
        for unsubscribe in self._listeners.values():
            unsubscribe()
        self._listeners.clear()
        self._events.clear()
        self._states.clear()

    def _listen(self, event_type: str) -> None:
        if event_type not in self._listeners:
            self._listeners[event_type] = self._bus.listen(
                event_type, self._on_event, owner="hub.core.alarms"
            )

    def _unlisten(self, event_type: str) -> None:
        unsubscribe = self._listeners.pop(event_type, None)
        if unsubscribe is not None:
            unsubscribe()

    def _on_event(self, event: Event) -> None:
        data = event.data
        for alarm_id, wanted in list(self._events.get(event.event_type, {}).items()):
            if any(_matches(data, w) for w in wanted):
                self._close(alarm_id, Text("alarm.auto_closed_event", event=event.event_type))
        if event.event_type != EVENT_STATE_CHANGED:
            return
        entity_id = data.get("entity_id")
        waiting = self._states.get(entity_id) if isinstance(entity_id, str) else None
        new = data.get("new_state")
        if not waiting or new is None:
            return
        for alarm_id, states in list(waiting.items()):
            if new.state in states:
                self._close(
                    alarm_id,
                    Text("alarm.auto_closed_state", entity_id=entity_id, state=new.state),
                )


def _matches(data: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    return all(k in data and _same(data[k], v) for k, v in wanted.items())


def _same(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, Mapping) and isinstance(value, Mapping):
        return _matches(value, wanted)
    return value == wanted or (isinstance(wanted, bool | int | float) and str(value) == str(wanted))
