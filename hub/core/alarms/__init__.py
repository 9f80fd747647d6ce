"""Alarms, a core room built as a plugin: an incident followed from the
moment it is raised until someone closes it.

    raised -> notified -> acknowledged -> closed

`alarm.raise` records the alarm (priority, site, related cameras' snapshots,
recipients, a time to respond, an escalation chain, reminders, what closes
it by itself, a dedupe key) and tells its recipients in their own
language; nobody answering escalates it tier by tier; the first
`alarm.acknowledge` wins and stops the reminders; `alarm.close` ends it
with a note. Each step is an event (`alarm.raised`, `alarm.notified`,
`alarm.escalated`, `alarm.acknowledged`, `alarm.closed`) and a line of the
alarm's history in the recorder, deadlines included, so they survive a
restart. Only people whose role covers the alarm's site may acknowledge
or close it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from ..hookspecs import hookimpl
from ..keys import HubKey
from ..outbox import OUTBOX
from ..permissions import CHECKED_BY_SERVICE
from .manager import AlarmError, AlarmManager
from .model import ACKNOWLEDGED, CLOSED, NOTIFIED, PRIORITIES, RAISED, Alarm
from .schema import ACKNOWLEDGE_SCHEMA, CLOSE_SCHEMA, ESCALATE_SCHEMA, RAISE_SCHEMA

if TYPE_CHECKING:
    from ..hub import Hub

__all__ = [
    "ACKNOWLEDGED",
    "ALARMS",
    "CLOSED",
    "NOTIFIED",
    "PRIORITIES",
    "RAISED",
    "Alarm",
    "AlarmError",
    "AlarmManager",
]

ALARMS: HubKey[AlarmManager] = HubKey("alarms")


@hookimpl
def sigap_lifespan(hub: Hub) -> Any:
    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        manager = AlarmManager(hub)
        await manager.load()
        hub.data[ALARMS] = manager
        register = hub.services.register
        # raising one is controlling the site it names; the others only the
        # manager can check, since only it knows the alarm's site
        by_alarm = CHECKED_BY_SERVICE
        undo = [
            register("alarm", "raise", manager.raise_alarm, RAISE_SCHEMA, permission="control"),
            register(
                "alarm", "acknowledge", manager.acknowledge, ACKNOWLEDGE_SCHEMA, permission=by_alarm
            ),
            register("alarm", "close", manager.close, CLOSE_SCHEMA, permission=by_alarm),
            register("alarm", "escalate", manager.escalate, ESCALATE_SCHEMA, permission=by_alarm),
            # deadlines wait for the messengers: they start with the devices
            hub.bus.listen("hub.started", lambda _e: manager.arm(), owner="hub.core.alarms"),
            hub.before_devices_stop(manager.finish),
            # a message that failed for good sends the alarm up at once
            hub.bus.listen(
                "notify.failed",
                lambda e: manager.spawn(manager.messages.failed(e), "alarm undelivered"),
                owner="hub.core.alarms",
            ),
            hub.bus.listen(
                "alarm.acknowledged", manager.messages.answered, owner="hub.core.alarms"
            ),
            hub.bus.listen("alarm.closed", manager.messages.answered, owner="hub.core.alarms"),
        ]
        outbox = hub.data.get(OUTBOX)
        if outbox is not None:  # what was answered meanwhile is not sent stale
            undo.append(outbox.add_check(manager.messages.stale))
        try:
            yield
        finally:
            for unregister in undo:
                unregister()
            await manager.stop()
            hub.data.pop(ALARMS, None)

    return lifespan()
