"""The alarm's record and history in the recorder (`hub.recorder.alarms`):
every change is written, with the step that made it, before anyone hears
of it. One alarm's writes go in order, under its lock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..context import SYSTEM, Context
from .model import Alarm

if TYPE_CHECKING:
    from ..hub import Hub


class Journal:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    @property
    def records(self) -> Any:
        return self.hub.recorder.alarms

    async def write(
        self,
        alarm: Alarm,
        kind: str | None = None,
        context: Context | None = None,
        data: dict[str, Any] | None = None,
        at: float | None = None,
    ) -> None:
        """Save the alarm as it is now and, with `kind`, add the step to its
        history; `at` is when it was decided (the write may end a moment later)."""
        step = self.entry(kind, context, data, at) if kind is not None else None
        async with alarm.lock:
            await self.records.save(alarm.record, step)

    async def add(self, alarm_id: str, kind: str, context: Context, data: dict[str, Any]) -> None:
        """A step of an alarm no longer open (its record stays as it was)."""
        await self.records.add_history(alarm_id, self.entry(kind, context, data))

    def entry(
        self,
        kind: str,
        context: Context | None,
        data: dict[str, Any] | None,
        at: float | None = None,
    ) -> dict[str, Any]:
        context = context or Context(actor=SYSTEM)
        return {
            "at": self.hub.clock.timestamp() if at is None else at,
            "kind": kind,
            "who": context.user_id or context.actor,
            "context_id": context.id,
            "data": data or {},
        }


def own(cause: Context | str | None) -> Context:
    """The hub's own doing (a snapshot, a message) that `cause` (a context
    or its id) led to: the hub does it, so no person's rights limit it."""
    parent = cause.id if isinstance(cause, Context) else cause
    return Context(actor=SYSTEM, parent_id=parent)
