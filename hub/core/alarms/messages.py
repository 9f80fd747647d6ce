"""The alarm room's word on its messages in the outbox: which are stale
(the alarm was acknowledged or closed while they waited: superseded, not
sent), and what a message that failed for good means (the next tier is
told at once, instead of when the wait runs out)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..bus import Event
from ..context import SYSTEM, Context
from ..i18n import Text
from ..recorder.outbox import DELIVERED, UNFINISHED
from . import delivery
from .model import ACKNOWLEDGED, CLOSED, NOTIFIED, RAISED

if TYPE_CHECKING:
    from ..outbox import Message
    from .manager import AlarmManager

_LOGGER = logging.getLogger("hub.alarms")

# what each kind of message asks of its reader, and the states that answered it
_ANSWERED_BY = {
    delivery.RAISED: (ACKNOWLEDGED, CLOSED),
    delivery.REMINDER: (ACKNOWLEDGED, CLOSED),
    delivery.ESCALATED: (ACKNOWLEDGED, CLOSED),
    delivery.ACKNOWLEDGED: (CLOSED,),
}
# the messages that tell a tier (a failed reminder changes no one's duty)
_TIER_NOTICES = (delivery.RAISED, delivery.ESCALATED)


class AlarmMessages:
    def __init__(self, manager: AlarmManager) -> None:
        self.manager = manager

    def stale(self, msg: Message) -> Text | None:
        """Why `msg` need not go any more, or None."""
        if not msg.alarm_id or msg.kind not in _ANSWERED_BY:
            return None
        alarm = self.manager.open.get(msg.alarm_id)
        state = alarm.state if alarm is not None else CLOSED  # only open alarms are kept
        if state not in _ANSWERED_BY[msg.kind]:
            return None
        return Text(f"alarm.message_superseded.{state}", alarm_id=msg.alarm_id)

    def answered(self, event: Event) -> None:
        """alarm.acknowledged / alarm.closed: what waits for it is superseded now."""
        alarm_id = event.data.get("alarm_id")
        outbox = self.manager.outbox
        if alarm_id and outbox is not None:
            outbox.supersede(lambda m: self.stale(m) if m.alarm_id == alarm_id else None)

    async def failed(self, event: Event) -> None:
        """notify.failed: a permanent failure of a tier's notice, to a person
        no other message of that notice reaches, sends the alarm up now."""
        data = event.data
        alarm = self.manager.open.get(str(data.get("alarm_id") or ""))
        if alarm is None or not data.get("permanent") or alarm.state not in (RAISED, NOTIFIED):
            return
        person, message_id = data.get("person"), data.get("message_id")
        kind, tier = data.get("kind"), data.get("tier")
        records = self.manager.hub.recorder.outbox
        if kind is None and message_id:  # a late failure a messenger saw (a status)
            row = await records.get(str(message_id))
            if row is not None:
                kind, tier = row["kind"], (row["body"].get("data") or {}).get("tier")
        if kind not in _TIER_NOTICES or (tier is not None and tier != alarm.record.get("tier")):
            return
        siblings = await records.of_alarm(alarm.id, person)
        for row in siblings:
            if row["id"] == message_id or row["kind"] != kind:
                continue
            if (row["body"].get("data") or {}).get("tier") != tier:
                continue
            if row["state"] in (*UNFINISHED, DELIVERED):
                return  # another messenger reaches them
        chain = alarm.record.get("escalation") or []
        more = alarm.record.get("next_tier", 0) < len(chain)
        context = Context(actor=SYSTEM, parent_id=event.context.id)
        step = {
            "message_id": message_id,
            "notifier": data.get("notifier"),
            "person": person,
            "reason": data.get("reason"),
            "escalated": more,
        }
        await self.manager.journal.write(alarm, "undelivered", context, step)
        _LOGGER.warning(
            Text(
                "alarm.log.undelivered",
                alarm_id=alarm.id,
                person=person or "-",
                then=Text("alarm.log.undelivered_up" if more else "alarm.log.undelivered_top"),
            )
        )
        # a second failure of the same notice finds the tier already moved on
        still = tier is None or tier == alarm.record.get("tier")
        if more and still and alarm.state in (RAISED, NOTIFIED):
            await self.manager.escalation.escalate(
                alarm, context, manual=False, undelivered=person or "-"
            )


__all__ = ["AlarmMessages"]
