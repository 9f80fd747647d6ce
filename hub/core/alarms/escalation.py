"""Nobody answers: reminders to everyone told so far, and the escalation
chain, tier by tier, each tier waiting its own `after` from the one before."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..context import Context
from ..i18n import Text
from . import delivery
from .deadlines import Deadlines
from .journal import Journal, own
from .model import ACKNOWLEDGED, ESCALATE, REMIND, Alarm
from .notices import Notices

if TYPE_CHECKING:
    from ..hub import Hub

_LOGGER = logging.getLogger("hub.alarms")


class AlarmError(Exception):
    """An alarm action that cannot be done; the message (a Text) says why."""


class Escalation:
    def __init__(self, hub: Hub, journal: Journal, notices: Notices, deadlines: Deadlines) -> None:
        self.hub = hub
        self.journal = journal
        self.notices = notices
        self.deadlines = deadlines

    async def remind(self, alarm: Alarm) -> None:
        record = alarm.record
        repeat = record.get("repeat") or {}
        record["reminders"] = count = record.get("reminders", 0) + 1
        times = repeat.get("times")
        now = self.hub.clock.timestamp()
        more = repeat.get("every") and (times is None or count < times)
        alarm.set_deadline(REMIND, now + repeat["every"] if more else None)
        self.deadlines.arm(alarm)
        context = own(record.get("context_id"))
        await self.journal.write(alarm, "reminded", context, {"count": count}, now)
        _LOGGER.warning(
            Text("alarm.log.reminded", alarm_id=alarm.id, count=count, site=alarm.site or "-")
        )
        await self._remind_all(alarm, count, now)

    async def _remind_all(self, alarm: Alarm, count: int, now: float) -> None:
        await self.notices.tell(
            alarm,
            delivery.REMINDER,
            self.notices.notified_people(alarm),
            fallback=True,
            count=count,
            waited=now - alarm.record["raised_at"],
        )

    async def escalate(
        self,
        alarm: Alarm,
        context: Context,
        *,
        manual: bool,
        recipients: list[str] | None = None,
        note: str = "",
        undelivered: str | None = None,
    ) -> int:
        """Tell the next tier (or `recipients`, by hand) now; returns the tier.
        `undelivered`: the person a message could not reach, the reason it
        goes up before its time."""
        record = alarm.record
        chain = record.get("escalation") or []
        index = record.get("next_tier", 0)
        now = self.hub.clock.timestamp()
        if recipients:
            names = list(recipients)
        elif index < len(chain):
            names = list(chain[index]["recipients"])
            index += 1
        elif manual:
            raise AlarmError(Text("alarm.no_more_tiers", alarm_id=alarm.id))
        else:
            await self._overdue(alarm, context, now)
            return int(record.get("tier", 0))
        record["tier"] = tier = int(record.get("tier", 0)) + 1
        record["next_tier"] = index
        more = index < len(chain) and record["state"] != ACKNOWLEDGED
        alarm.set_deadline(ESCALATE, now + chain[index]["after"] if more else None)
        self.deadlines.arm(alarm)
        waited = now - record.get("last_escalated_at", record["raised_at"])
        record["last_escalated_at"] = now
        step = {"tier": tier, "recipients": names, "manual": manual, "note": note}
        if undelivered is not None:
            step["undelivered"] = undelivered
        await self.journal.write(alarm, "escalated", context, step, now)
        _LOGGER.warning(
            Text(
                "alarm.log.escalated",
                alarm_id=alarm.id,
                tier=tier,
                site=alarm.site or "-",
                recipients=", ".join(names) or "-",
            )
        )
        self.hub.bus.fire(
            "alarm.escalated",
            alarm.event_data(who=context.who, recipients=names, manual=manual),
            context,
        )
        await self.notices.tell(
            alarm,
            delivery.ESCALATED,
            self.hub.people.resolve(names),
            fallback=True,
            context=own(context),
            tier=tier,
            waited=waited,
            manual=manual,
            who=context.who,
            note=note,
            undelivered=undelivered,
        )
        return tier

    async def _overdue(self, alarm: Alarm, context: Context, now: float) -> None:
        """respond_within passed and there is no chain: everyone told is reminded."""
        alarm.set_deadline(ESCALATE, None)
        alarm.record["overdue"] = True
        await self.journal.write(alarm, "overdue", context, {}, now)
        _LOGGER.warning(Text("alarm.log.overdue", alarm_id=alarm.id, site=alarm.site or "-"))
        await self._remind_all(alarm, alarm.record.get("reminders", 0) + 1, now)
