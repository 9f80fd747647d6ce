"""Triggers on events and states: event, state, numeric_state, template."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import voluptuous as vol

from ...bus import Event, Unsubscribe
from ...context import Context
from ...i18n import Text, message
from ...platform import TriggerAction
from ...state import EVENT_STATE_CHANGED, State
from ..conditions import numeric_in_range, render_duration, state_text
from ..schema import duration, entity_ids, number_or_entity, template
from .base import BuiltinTrigger, all_of, as_list

_LOGGER = logging.getLogger(__name__)


def subset_matches(wanted: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """Every key of `wanted` is in `data` with an equal value (mappings compared
    as subsets in turn), as Home Assistant's event_data matching."""
    for key, value in wanted.items():
        if key not in data:
            return False
        found = data[key]
        if isinstance(value, Mapping):
            if not isinstance(found, Mapping) or not subset_matches(value, found):
                return False
        elif found != value:
            return False
    return True


class EventTrigger(BuiltinTrigger):
    platform = "event"
    CONFIG_SCHEMA = {
        vol.Required("event_type"): vol.Any(template, [template]),
        vol.Optional("event_data"): dict,
        vol.Optional("context"): {vol.Optional("user_id"): vol.Any(str, [str])},
    }

    async def attach(self, action: TriggerAction) -> Unsubscribe:
        event_types = [str(t) for t in as_list(self.limited(self.config["event_type"]))]
        wanted = dict(self.limited(self.config.get("event_data") or {}))
        entity_id = wanted.pop("entity_id", None)
        if not isinstance(entity_id, str):  # a list or mapping: matched below, not indexed
            if entity_id is not None:
                wanted["entity_id"] = entity_id
            entity_id = None
        users = as_list((self.config.get("context") or {}).get("user_id"))

        def on_event(event: Event) -> None:
            if wanted and not subset_matches(wanted, event.data):
                return
            if users and event.context.user_id not in users:
                return
            action(
                {
                    "platform": "event",
                    "event": event,
                    "description": f"event '{event.event_type}'",
                },
                event.context,
            )

        undo = [self.index.listen(t, on_event, entity_id) for t in event_types]
        return all_of(undo)


_STATE_VALUE = vol.Any(None, str, int, float, bool, [vol.Any(str, int, float, bool)])


class _Timers:
    """Pending `for:` timers per entity."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self.cancels: dict[str, Callable[[], None]] = {}

    def start(self, entity_id: str, seconds: float, fire: Callable[[], None]) -> None:
        self.cancel(entity_id)

        def done() -> None:
            self.cancels.pop(entity_id, None)
            fire()

        self.cancels[entity_id] = self.clock.call_later(seconds, done)

    def cancel(self, entity_id: str) -> None:
        cancel = self.cancels.pop(entity_id, None)
        if cancel is not None:
            cancel()

    def cancel_all(self) -> None:
        for cancel in self.cancels.values():
            cancel()
        self.cancels.clear()

    def watch(
        self, index: Any, entity_ids: list[str], on_change: Callable[[Event], None]
    ) -> Unsubscribe:
        """Listen to these entities' changes; the unsubscribe also drops pending timers."""
        undo = [index.listen(EVENT_STATE_CHANGED, on_change, e) for e in entity_ids]

        def detach() -> None:
            for unsubscribe in undo:
                unsubscribe()
            self.cancel_all()

        return detach


class StateTrigger(BuiltinTrigger):
    platform = "state"
    CONFIG_SCHEMA = {
        vol.Required("entity_id"): entity_ids,
        vol.Optional("from"): _STATE_VALUE,
        vol.Optional("to"): _STATE_VALUE,
        vol.Optional("not_from"): _STATE_VALUE,
        vol.Optional("not_to"): _STATE_VALUE,
        vol.Optional("attribute"): str,
        vol.Optional("for"): duration,
    }

    def _values(self, key: str) -> frozenset[str] | None:
        """The accepted values for from/to/...; None: any."""
        value = self.config.get(key)
        if value is None:
            return None
        return frozenset(state_text(v) for v in as_list(value))

    async def attach(self, action: TriggerAction) -> Unsubscribe:
        config = self.config
        from_, to = self._values("from"), self._values("to")
        not_from, not_to = self._values("not_from"), self._values("not_to")
        attribute = config.get("attribute")
        # With any of from/to/not_from/not_to written (even as null), a change
        # of attributes alone does not fire; with none, every change does.
        state_only = any(k in config for k in ("from", "to", "not_from", "not_to"))
        for_ = config.get("for")
        timers = _Timers(self.clock)

        def value_of(state: State | None) -> Any:
            if state is None:
                return None
            if attribute is not None:
                return state.attributes.get(attribute)
            return state.state

        def matches_to(value: Any) -> bool:
            text = None if value is None else state_text(value)
            if to is not None and text not in to:
                return False
            return not (not_to is not None and text in not_to)

        def fire(
            entity_id: str, old: State | None, new: State, context: Context, span: timedelta | None
        ) -> None:
            action(
                {
                    "platform": "state",
                    "entity_id": entity_id,
                    "from_state": old,
                    "to_state": new,
                    "for": span,
                    "attribute": attribute,
                    "description": f"state of {entity_id}",
                },
                context,
            )

        def on_change(event: Event) -> None:
            entity_id: str = event.data["entity_id"]
            old: State | None = event.data["old_state"]
            new: State | None = event.data["new_state"]
            if new is None:
                timers.cancel(entity_id)
                return
            old_value, new_value = value_of(old), value_of(new)
            if entity_id in timers.cancels:
                # A pending `for:` lasts while the entity stays where it went.
                if not (
                    matches_to(new_value)
                    if (to is not None or not_to is not None)
                    else old_value == new_value
                ):
                    timers.cancel(entity_id)
            if attribute is not None or state_only:
                if old_value == new_value:
                    return
            old_text = None if old_value is None else state_text(old_value)
            if from_ is not None and old_text not in from_:
                return
            if not_from is not None and old_text in not_from:
                return
            if not matches_to(new_value):
                return
            if for_ is None:
                fire(entity_id, old, new, event.context, None)
                return
            variables = {
                "trigger": {
                    "platform": "state",
                    "entity_id": entity_id,
                    "from_state": old,
                    "to_state": new,
                },
                **self.variables,
            }
            span = render_duration(for_, self.env, variables)
            context = event.context
            timers.start(
                entity_id, span.total_seconds(), lambda: fire(entity_id, old, new, context, span)
            )

        return timers.watch(self.index, config["entity_id"], on_change)


class NumericStateTrigger(BuiltinTrigger):
    platform = "numeric_state"
    CONFIG_SCHEMA = {
        vol.Required("entity_id"): entity_ids,
        vol.Optional("above"): number_or_entity,
        vol.Optional("below"): number_or_entity,
        vol.Optional("attribute"): str,
        vol.Optional("value_template"): template,
        vol.Optional("for"): duration,
    }

    async def attach(self, action: TriggerAction) -> Unsubscribe:
        config = self.config
        if "above" not in config and "below" not in config:
            raise ValueError("numeric_state needs 'above', 'below' or both")
        states = self.hub.states
        above, below = config.get("above"), config.get("below")
        attribute = config.get("attribute")
        value_template = (
            self.env.template(config["value_template"]) if "value_template" in config else None
        )
        for_ = config.get("for")
        timers = _Timers(self.clock)

        def in_range(state: State | None) -> bool:
            if state is None:
                return False
            return numeric_in_range(
                states, state, attribute, value_template, above, below, self.variables
            )

        # Armed: the value was outside the range, so entering it fires.
        armed = {e: not in_range(states.get(e)) for e in config["entity_id"]}

        def fire(
            entity_id: str, old: State | None, new: State, context: Context, span: timedelta | None
        ) -> None:
            action(
                {
                    "platform": "numeric_state",
                    "entity_id": entity_id,
                    "below": below,
                    "above": above,
                    "from_state": old,
                    "to_state": new,
                    "for": span,
                    "description": f"numeric state of {entity_id}",
                },
                context,
            )

        def on_change(event: Event) -> None:
            entity_id = event.data["entity_id"]
            old, new = event.data["old_state"], event.data["new_state"]
            if not in_range(new):
                armed[entity_id] = True
                timers.cancel(entity_id)
                return
            if not armed.get(entity_id, True):
                return
            armed[entity_id] = False
            if for_ is None:
                fire(entity_id, old, new, event.context, None)
                return
            span = render_duration(for_, self.env, self.variables)
            context = event.context
            timers.start(
                entity_id, span.total_seconds(), lambda: fire(entity_id, old, new, context, span)
            )

        return timers.watch(self.index, config["entity_id"], on_change)


class TemplateTrigger(BuiltinTrigger):
    platform = "template"
    CONFIG_SCHEMA = {vol.Required("value_template"): template, vol.Optional("for"): duration}

    async def attach(self, action: TriggerAction) -> Unsubscribe:
        value = self.env.template(self.config["value_template"])
        for_ = self.config.get("for")
        timers = _Timers(self.clock)
        variables = self.variables

        def render() -> bool:
            try:
                return value.render_bool(variables)
            except Exception as err:  # the admin's mistake must not stop the hub
                said = Text(
                    "automation.template_trigger_failed",
                    template=repr(value.source),
                    error=message(err),
                )
                _LOGGER.error(said)
                return False

        last = render()

        def fire(event: Event, span: timedelta | None) -> None:
            action(
                {
                    "platform": "template",
                    "entity_id": event.data.get("entity_id"),
                    "from_state": event.data.get("old_state"),
                    "to_state": event.data.get("new_state"),
                    "for": span,
                    "description": "template",
                },
                event.context,
            )

        def on_change(event: Event) -> None:
            nonlocal last
            now = render()
            was, last = last, now
            if not now:
                timers.cancel("")
                return
            if was:
                return  # fires on false -> true only
            if for_ is None:
                fire(event, None)
                return
            span = render_duration(for_, self.env, variables)
            timers.start("", span.total_seconds(), lambda: fire(event, span))

        unlisten = self.index.listen(EVENT_STATE_CHANGED, on_change)

        def detach() -> None:
            unlisten()
            timers.cancel_all()

        return detach
