"""Delivery statuses of the messages this notifier sent. Graph posts
`sent`, `delivered`, `read` and `failed` out of order and repeated: a
message's status only ever moves forward (a late `delivered` leaves it
`read`), and each step forward is written once to the alarm's history."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hub import Context, DeliveryError

from .graph import OUTSIDE_WINDOW, failure

if TYPE_CHECKING:
    from .notifier import WhatsAppNotifier

RANK = {"sent": 1, "delivered": 2, "read": 3}
TEMPLATE_TRIES = 3
KEEP = 5000  # messages remembered; older statuses are ignored
EVENT_FAILED = "notify.failed"
_LOGGER = logging.getLogger("hub.notify.whatsapp")


@dataclass
class Tracked:
    to: str
    person: str | None
    alarm_id: str | None
    message_id: str
    notification: Any
    media_id: str | None
    status: str = "accepted"
    retried: bool = False


class Statuses:
    def __init__(self, notifier: WhatsAppNotifier) -> None:
        self._notifier = notifier
        self._messages: OrderedDict[str, Tracked] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    def status(self, wamid: str) -> str | None:
        tracked = self._messages.get(wamid)
        return tracked.status if tracked else None

    def sent(self, wamid: str, to: str, person: str | None, n: Any, media_id: str | None) -> None:
        alarm_id = n.alarm_id or n.data.get("alarm_id")
        message_id = n.message_id
        self._messages[wamid] = Tracked(to, person, alarm_id, message_id, n, media_id)
        while len(self._messages) > KEEP:
            self._messages.popitem(last=False)

    async def update(self, entry: dict[str, Any]) -> None:
        wamid, status = str(entry.get("id", "")), str(entry.get("status", ""))
        tracked = self._messages.get(wamid)
        if tracked is None or (status not in RANK and status != "failed"):
            return
        if status == "failed":
            if tracked.status == "failed" or RANK.get(tracked.status, 0) >= RANK["delivered"]:
                return  # it reached the phone: a late failure changes nothing
            await self._failed(wamid, tracked, entry)
            return
        if RANK[status] <= RANK.get(tracked.status, 0):
            return  # a repeat, or a step back
        tracked.status = status
        await self._history(wamid, tracked, status, {})

    async def _failed(self, wamid: str, tracked: Tracked, entry: dict[str, Any]) -> None:
        errors = entry.get("errors") or [{}]
        error = errors[0] if isinstance(errors[0], dict) else {}
        code = int(error.get("code", 0)) if str(error.get("code", "0")).isdigit() else 0
        if code == OUTSIDE_WINDOW and not tracked.retried:
            # the window had shut: not the person's fault, the template goes at once
            # (in the background: Graph's pair limit may make it wait a few seconds)
            tracked.retried = True
            tracked.status = "failed"
            task = asyncio.create_task(self._as_template(wamid, tracked, error, code))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return
        await self._report(wamid, tracked, error, code)

    async def _as_template(
        self, wamid: str, tracked: Tracked, error: dict[str, Any], code: int
    ) -> None:
        notifier = self._notifier
        for _ in range(TEMPLATE_TRIES):
            try:
                new = await notifier.resend_as_template(
                    tracked.to, tracked.notification, tracked.media_id
                )
            except DeliveryError as err:
                if err.retry_after is None:
                    error = {"code": getattr(err, "code", code), "title": str(err)}
                    break
                await notifier.hub.clock.sleep(err.retry_after)
                continue
            self._messages[new] = Tracked(
                tracked.to, tracked.person, tracked.alarm_id, tracked.message_id,
                tracked.notification, tracked.media_id, retried=True,
            )  # fmt: skip
            return
        await self._report(wamid, tracked, error, code)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _report(self, wamid: str, tracked: Tracked, error: dict[str, Any], code: int) -> None:
        notifier = self._notifier
        tracked.status = "failed"
        reason = str(failure(400, {"error": {**error, "message": error.get("title", "")}}))
        permanent = code != 131000  # only Graph's generic error may pass
        await self._history(wamid, tracked, "failed", {"code": code, "reason": reason})
        notifier.fire(
            EVENT_FAILED,
            {
                "message_id": tracked.message_id,
                "notifier": notifier.entity_id,
                "person": tracked.person,
                "alarm_id": tracked.alarm_id,
                "provider_id": wamid,
                "reason": reason,
                "permanent": permanent,
            },
            Context(actor="plugin:whatsapp"),
        )

    async def _history(
        self, wamid: str, tracked: Tracked, status: str, data: dict[str, Any]
    ) -> None:
        recorder = getattr(self._notifier.hub, "recorder", None)
        if tracked.alarm_id is None or recorder is None:
            return
        await recorder.alarms.add_history(
            tracked.alarm_id,
            {
                "at": self._notifier.hub.clock.timestamp(),
                "kind": f"message_{status}",
                "who": tracked.person,
                "context_id": None,
                "data": {"notifier": self._notifier.entity_id, "provider_id": wamid, **data},
            },
        )
