"""One bus listener per event type for all triggers, with the triggers
indexed by the `entity_id` they watch: an event no automation cares about
costs a dict lookup, however many automations there are."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

from ...bus import Event, Unsubscribe
from ...keys import HubKey

if TYPE_CHECKING:
    from ...hub import Hub

_LOGGER = logging.getLogger(__name__)

Callback = Callable[[Event], Any]


class _TypeIndex:
    __slots__ = ("by_entity", "everyone", "unlisten")

    def __init__(self) -> None:
        # Tuples, replaced on change: dispatch iterates a snapshot for free.
        self.by_entity: dict[Hashable, tuple[Callback, ...]] = {}
        self.everyone: tuple[Callback, ...] = ()
        self.unlisten: Unsubscribe | None = None

    def empty(self) -> bool:
        return not self.by_entity and not self.everyone


class EventIndex:
    """Trigger subscriptions of one hub: `listen(event_type, callback,
    entity_id=None)`; with an entity_id, the callback only sees events whose
    data carries that entity_id."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._types: dict[str, _TypeIndex] = {}

    def listen(
        self, event_type: str, callback: Callback, entity_id: Hashable | None = None
    ) -> Unsubscribe:
        index = self._types.get(event_type)
        if index is None:
            index = self._types[event_type] = _TypeIndex()
            index.unlisten = self._hub.bus.listen(
                event_type, self._dispatcher(index), owner="hub.core.automation"
            )
        if entity_id is None:
            index.everyone = (*index.everyone, callback)
        else:
            index.by_entity[entity_id] = (*index.by_entity.get(entity_id, ()), callback)

        def unsubscribe() -> None:
            if entity_id is None:
                index.everyone = _without(index.everyone, callback)
            else:
                remaining = _without(index.by_entity.get(entity_id, ()), callback)
                if remaining:
                    index.by_entity[entity_id] = remaining
                else:
                    index.by_entity.pop(entity_id, None)
            if index.empty() and self._types.get(event_type) is index:
                del self._types[event_type]
                if index.unlisten is not None:
                    index.unlisten()

        return unsubscribe

    @staticmethod
    def _dispatcher(index: _TypeIndex) -> Callback:
        by_entity = index.by_entity

        def dispatch(event: Event) -> None:
            if by_entity:
                key = event.data.get("entity_id")
                if key is not None:
                    try:
                        callbacks = by_entity.get(key)
                    except TypeError:  # an unhashable entity_id (a list) matches no index
                        callbacks = None
                    if callbacks:
                        for callback in callbacks:
                            _call(callback, event)
            for callback in index.everyone:
                _call(callback, event)

        return dispatch


def _call(callback: Callback, event: Event) -> None:
    try:
        callback(event)
    except Exception:  # one trigger's fault never hides the event from the others
        _LOGGER.exception("trigger %r failed handling %s", callback, event.event_type)


def _without(callbacks: tuple[Callback, ...], callback: Callback) -> tuple[Callback, ...]:
    out = list(callbacks)
    if callback in out:
        out.remove(callback)
    return tuple(out)


EVENT_INDEX: HubKey[EventIndex] = HubKey("automation.event_index")


def event_index(hub: Hub) -> EventIndex:
    index = hub.data.get(EVENT_INDEX)
    if index is None:
        index = hub.data.setdefault(EVENT_INDEX, EventIndex(hub))
    return index
