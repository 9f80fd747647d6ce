"""Wait on the event you expect, with a timeout: never sleep and hope."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from hub.core.bus import Event
from hub.core.hub import Hub
from hub.core.state import EVENT_STATE_CHANGED, State


class EventWaiter:
    """Collects events of one type from the moment it is made; `wait()`
    returns the next matching one (or one already collected)."""

    def __init__(
        self, hub: Hub, event_type: str, match: Callable[[Event], bool] | None = None
    ) -> None:
        self.events: list[Event] = []
        self._match = match
        self._new = asyncio.Event()
        self._taken = 0
        self._unsubscribe = hub.bus.listen(event_type, self._on_event, owner="test waiter")

    def _on_event(self, event: Event) -> None:
        if self._match is None or self._match(event):
            self.events.append(event)
            self._new.set()

    async def wait(self, timeout: float = 5.0) -> Event:
        async with asyncio.timeout(timeout):
            while self._taken >= len(self.events):
                self._new.clear()
                await self._new.wait()
        event = self.events[self._taken]
        self._taken += 1
        return event

    def close(self) -> None:
        self._unsubscribe()

    def __enter__(self) -> EventWaiter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def wait_for_event(
    hub: Hub,
    event_type: str,
    match: Callable[[Event], bool] | None = None,
    timeout: float = 5.0,
) -> Event:
    """The next event of `event_type` matching `match`, or TimeoutError."""
    with EventWaiter(hub, event_type, match) as waiter:
        return await waiter.wait(timeout)


async def wait_for_state(
    hub: Hub, entity_id: str, state: str | Callable[[State], bool], timeout: float = 5.0
) -> State:
    """Return once `entity_id` is in `state` (now or later), or TimeoutError."""

    def ok(s: State | None) -> bool:
        if s is None:
            return False
        return state(s) if callable(state) else s.state == state

    current = hub.states.get(entity_id)
    if ok(current):
        return current  # type: ignore[return-value]
    event = await wait_for_event(
        hub,
        EVENT_STATE_CHANGED,
        lambda e: e.data["entity_id"] == entity_id and ok(e.data["new_state"]),
        timeout,
    )
    return event.data["new_state"]
