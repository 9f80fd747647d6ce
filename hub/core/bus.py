"""Events and the bus that carries them to listeners.

`fire` is a plain method called on the event loop: the hot path does no
scheduling for plain-function listeners, so an event costs a dict lookup and
one call per listener. Coroutine listeners get a task each.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from .context import Context
from .i18n import Text, console_language
from .lograte import LogRate

_LOGGER = logging.getLogger(__name__)


MATCH_ALL = "*"

Listener = Callable[["Event"], Any]
EventFilter = Callable[["Event"], bool]
Unsubscribe = Callable[[], None]


class Event:
    """Something that happened: a type, its data, who caused it, and when."""

    __slots__ = ("context", "data", "event_type", "origin", "time_fired")

    def __init__(
        self,
        event_type: str,
        data: Mapping[str, Any] | None = None,
        context: Context | None = None,
        origin: str = "local",
        time_fired: float | None = None,
    ) -> None:
        self.event_type = event_type
        self.data: Mapping[str, Any] = data if data is not None else {}
        self.context = context if context is not None else Context()
        self.origin = origin
        self.time_fired = time_fired if time_fired is not None else time.time()

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_type": self.event_type,
            "data": dict(self.data),
            "context": self.context.as_dict(),
            "origin": self.origin,
            "time_fired": self.time_fired,
        }

    def __repr__(self) -> str:
        return f"<Event {self.event_type} {dict(self.data)!r}>"


def is_coroutine_callable(callback: Callable[..., Any]) -> bool:
    """True for an async function, a partial of one, or an object whose
    __call__ is one (which inspect.iscoroutinefunction alone misses)."""
    return inspect.iscoroutinefunction(callback) or inspect.iscoroutinefunction(
        getattr(callback, "__call__", None)  # noqa: B004
    )


class _Subscription:
    __slots__ = (
        "active",
        "callback",
        "event_filter",
        "event_type",
        "failed_at",
        "is_coroutine",
        "owner",
    )

    def __init__(
        self, event_type: str, callback: Listener, event_filter: EventFilter | None, owner: str
    ) -> None:
        self.event_type = event_type
        self.callback = callback
        self.event_filter = event_filter
        self.is_coroutine = is_coroutine_callable(callback)
        self.owner = owner
        # False once unsubscribed: an event being dispatched from a snapshot
        # of the listeners must not reach it any more.
        self.active = True
        # when it last failed (made on its first failure): a listener that
        # keeps failing is switched off
        self.failed_at: deque[float] | None = None


ListenerFailing = Callable[[str, str, int, float, BaseException], bool]


class EventBus:
    """Carries events to listeners; a listener that raises is logged and
    contained, the others still get the event.

    A listener that fails `QUARANTINE_FAILURES` times within
    `QUARANTINE_SECONDS` is offered to `on_listener_failing(owner,
    event_type, failures, seconds, error)`; when that answers True the
    listener is unsubscribed (the hub does so for plugins' listeners). The
    log says a failing listener once a minute, with the count."""

    QUARANTINE_FAILURES = 20
    QUARANTINE_SECONDS = 10.0

    def __init__(
        self,
        on_listener_error: Callable[[str, BaseException], bool | None] | None = None,
        *,
        on_listener_failing: ListenerFailing | None = None,
        language: Callable[[], str] | None = None,
    ):
        # One tuple per event type, replaced (never mutated) on (un)subscribe,
        # so fire() iterates a snapshot without copying it each time.
        self._listeners: dict[str, tuple[_Subscription, ...]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_listener_error = on_listener_error
        self._on_listener_failing = on_listener_failing
        self._log = LogRate(_LOGGER, language=language or (lambda: console_language("en")))
        #: what stamps `time_fired`: the hub's clock (hub.clock sets it)
        self.now: Callable[[], float] = time.time

    def listen(
        self,
        event_type: str,
        callback: Listener,
        event_filter: EventFilter | None = None,
        *,
        owner: str = "",
    ) -> Unsubscribe:
        """Call `callback(event)` for each event of `event_type` (or every
        event for "*") for which `event_filter(event)` is true. `owner` names
        the plugin or automation for error reports. Returns the unsubscribe."""
        sub = _Subscription(event_type, callback, event_filter, owner or _describe(callback))
        self._listeners[event_type] = (*self._listeners.get(event_type, ()), sub)
        return functools.partial(self._remove, sub)

    def _remove(self, sub: _Subscription) -> None:
        sub.active = False
        current = self._listeners.get(sub.event_type, ())
        remaining = tuple(s for s in current if s is not sub)
        if remaining:
            self._listeners[sub.event_type] = remaining
        else:
            self._listeners.pop(sub.event_type, None)

    def listen_once(
        self, event_type: str, callback: Listener, event_filter: EventFilter | None = None
    ) -> Unsubscribe:
        """Like listen, but only for the first matching event."""
        fired = False

        def first_time() -> bool:
            nonlocal fired
            if fired:
                return False
            fired = True
            unsubscribe()
            return True

        # The wrapper must be a coroutine function when the callback is one,
        # or fire() would call it plainly and drop the coroutine unawaited.
        once: Listener
        if is_coroutine_callable(callback):

            async def once(event: Event) -> Any:
                if first_time():
                    return await callback(event)
                return None

        else:

            def once(event: Event) -> Any:
                return callback(event) if first_time() else None

        unsubscribe = self.listen(event_type, once, event_filter, owner=_describe(callback))
        return unsubscribe

    def has_listeners(self, event_type: str) -> bool:
        """Whether an event of this type would reach anyone: a sender may
        skip building costly data nobody reads."""
        return event_type in self._listeners or MATCH_ALL in self._listeners

    def listener_count(self, event_type: str | None = None) -> int:
        if event_type is None:
            return sum(len(subs) for subs in self._listeners.values())
        return len(self._listeners.get(event_type, ()))

    def fire(
        self,
        event_type: str,
        data: Mapping[str, Any] | None = None,
        context: Context | None = None,
        origin: str = "local",
    ) -> Event:
        """Hand a new event to its listeners and return it. Call it on the
        hub's event loop."""
        event = Event(event_type, data, context, origin, self.now())
        self.fire_event(event)
        return event

    def fire_event(self, event: Event) -> None:
        """Hand an existing Event (e.g. one received from another hub)."""
        subs = self._listeners.get(event.event_type, ())
        if MATCH_ALL in self._listeners and event.event_type != MATCH_ALL:
            subs = subs + self._listeners[MATCH_ALL]
        for sub in subs:
            if not sub.active:
                continue
            try:
                if sub.event_filter is not None and not sub.event_filter(event):
                    continue
                if sub.is_coroutine:
                    self._spawn(sub, sub.callback(event))
                else:
                    sub.callback(event)
            except Exception as err:  # a listener's fault never stops the bus
                self._report(sub, event, err)

    def _spawn(self, sub: _Subscription, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._task_done(sub, t))

    def _task_done(self, sub: _Subscription, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (err := task.exception()) is not None:
            self._report(sub, None, err)

    def _report(self, sub: _Subscription, event: Event | None, err: BaseException) -> None:
        event_type = event.event_type if event is not None else sub.event_type
        # the hub logs a plugin's failure under the plugin's name (answering True)
        logged = self._on_listener_error is not None and self._on_listener_error(sub.owner, err)
        if not logged:
            said = Text(
                "bus.listener_failed", owner=sub.owner, event_type=event_type, error=repr(err)
            )
            self._log.log(("listener", id(sub)), logging.ERROR, said, exc_info=err)
        if self._on_listener_failing is None or not sub.active:
            return
        now = time.monotonic()
        if sub.failed_at is None:
            sub.failed_at = deque(maxlen=self.QUARANTINE_FAILURES)
        sub.failed_at.append(now)
        failures = len(sub.failed_at)
        if failures < self.QUARANTINE_FAILURES:
            return
        if now - sub.failed_at[0] > self.QUARANTINE_SECONDS:
            return
        window = self.QUARANTINE_SECONDS
        if self._on_listener_failing(sub.owner, sub.event_type, failures, window, err):
            self._remove(sub)

    def close(self) -> None:
        """Write the counts of listener failures still held back (at stop)."""
        self._log.close()

    async def drain(self) -> None:
        """Wait for running coroutine listeners (used at stop and in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def _describe(callback: Callable[..., Any]) -> str:
    module = getattr(callback, "__module__", None) or "?"
    name = getattr(callback, "__qualname__", None) or repr(callback)
    return f"{module}.{name}"
