"""The alarm manager: the open alarms of one hub and the services that
raise, acknowledge, close and escalate them (telling people is
notices.py, waiting for answers deadlines.py and escalation.py).

Every change is written to the recorder (`hub.recorder.alarms`) before
anyone hears of it, deadlines included: they are wall-clock moments in the
alarm's record, so a hub that restarts in the middle of one loads its open
alarms and re-arms them (one already due fires at once).

A change is decided in memory before the first await (the first
acknowledgement wins, a dedupe key finds its open alarm even while the
first raise is still being written); the saves of one alarm run in order
under its lock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable
from typing import TYPE_CHECKING, Any

from ..context import SYSTEM, Context, new_id
from ..i18n import Text, format_time
from ..outbox import OUTBOX
from ..permissions import PermissionDenied
from ..services import ServiceCall
from . import delivery
from .autoclose import AutoClose
from .deadlines import Deadlines
from .escalation import AlarmError, Escalation
from .journal import Journal, own
from .messages import AlarmMessages
from .model import (
    ACKNOWLEDGED,
    AUTO_CLOSE,
    CLOSED,
    ESCALATE,
    NOTIFIED,
    RAISED,
    REMIND,
    Alarm,
    words,
)
from .notices import Notices

if TYPE_CHECKING:
    from ..hub import Hub

_LOGGER = logging.getLogger("hub.alarms")

# A flapping sensor raises its alarm again and again: the counter counts
# every raise, the history keeps the first ones (its rows are not unbounded).
MAX_DEDUPE_HISTORY = 200
# At a clean stop, how long (real seconds) notices being written may take.
FINISH_SECONDS = 3.0


class AlarmManager:
    """The alarms of one hub (`hub.data[ALARMS]`)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.open: dict[str, Alarm] = {}
        self._by_key: dict[str, Alarm] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing = False
        self.journal = Journal(hub)
        self.notices = Notices(hub, self.journal)
        self.deadlines = Deadlines(hub, self._due)
        self.escalation = Escalation(hub, self.journal, self.notices, self.deadlines)
        self.auto_close = AutoClose(hub.bus, self._auto_close)
        self.messages = AlarmMessages(self)

    # -- the parts it works with --------------------------------------------------

    @property
    def records(self) -> Any:
        return self.journal.records

    @property
    def people(self) -> Any:
        return self.hub.people

    @property
    def outbox(self) -> Any:
        return self.hub.data.get(OUTBOX)

    def _now(self) -> float:
        return self.hub.clock.timestamp()

    # -- lifetime -------------------------------------------------------------------

    async def load(self) -> None:
        """Take up the alarms a previous run left open (their deadlines are
        armed by `arm()`, once the devices, messengers among them, run)."""
        for record in await self.records.open():
            alarm = Alarm(record)
            self._index(alarm)
            self.auto_close.watch(alarm.id, alarm.record.get("auto_close_on") or [])
        if self.open:
            _LOGGER.info(Text("alarm.log.loaded", count=len(self.open)))

    def arm(self) -> None:
        """Arm every open alarm's deadlines; one already due fires at once.
        An alarm whose first message never went out (the hub stopped
        first, or every messenger failed) is sent again."""
        self.deadlines.armed = True
        for alarm in list(self.open.values()):
            if alarm.state == RAISED and not alarm.record.get("notified"):
                self._spawn(self.notices.first(alarm), f"alarm {alarm.id} notice")
            self.deadlines.arm(alarm)

    async def finish(self) -> None:
        """At a clean stop, while the messengers still run: the notices
        being written get a moment to reach the outbox."""
        tasks = list(self._tasks)
        if tasks:
            await asyncio.wait(tasks, timeout=FINISH_SECONDS)

    async def stop(self) -> None:
        self._closing = True
        self.deadlines.close()
        self.auto_close.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        """Run `coro` as the room's own work (waited for at a clean stop)."""
        self._spawn(coro, name)

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        if self._closing:
            coro.close()
            return
        task = self.hub.create_task(coro, name, owner="hub")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _index(self, alarm: Alarm) -> None:
        self.open[alarm.id] = alarm
        key = alarm.record.get("dedupe_key")
        if key:
            self._by_key[key] = alarm

    def _unindex(self, alarm: Alarm) -> None:
        self.open.pop(alarm.id, None)
        key = alarm.record.get("dedupe_key")
        if key and self._by_key.get(key) is alarm:
            del self._by_key[key]

    # -- deadlines ------------------------------------------------------------------

    def _due(self, alarm_id: str, kind: str, when: float) -> None:
        self._spawn(self._deadline(alarm_id, kind, when), f"alarm {alarm_id} {kind}")

    async def _deadline(self, alarm_id: str, kind: str, when: float) -> None:
        alarm = self.open.get(alarm_id)
        if alarm is None or alarm.deadlines.get(kind) != when:
            return  # acknowledged, closed or moved meanwhile
        if kind == ESCALATE:
            await self.escalation.escalate(alarm, Context(actor=SYSTEM), manual=False)
        elif kind == REMIND:
            await self.escalation.remind(alarm)
        elif kind == AUTO_CLOSE:
            after = alarm.record.get("auto_close_after") or 0
            await self._close(
                alarm,
                Context(actor=SYSTEM),
                Text("alarm.auto_closed_after", after=delivery.span(after)),
            )

    # -- permission -----------------------------------------------------------------

    def _check(self, context: Context, site: str | None, action: str, alarm_id: str | None) -> None:
        # the hub's policy: the person's role and sites, and an API token's narrowing
        if self.hub.policy.may_site(context, site, action):
            return
        self.hub.recorder.audit(
            {
                "who": context.user_id or context.actor,
                "action": "refused",
                "entity_id": None,
                "site": site,
                "reason": f"alarm.{action}",
                "alarm_id": alarm_id,
                "data": {"alarm_id": alarm_id},
                "context_id": context.id,
                "time": self._now(),
            }
        )
        raise PermissionDenied(
            Text(f"alarm.denied.{action}", who=context.who, site=site or "-"), context
        )

    def _language(self, context: Context) -> str:
        person = self.people.get(context.user_id) if context.user_id else None
        return person.language if person is not None else self.hub.language

    # -- raise ----------------------------------------------------------------------

    async def raise_alarm(self, call: ServiceCall) -> dict[str, Any]:
        data, context = call.data, call.context
        site = data.get("site")  # who may raise one there: the policy checked
        key = data.get("dedupe_key")
        existing = self._by_key.get(key) if key else None
        if existing is not None and existing.is_open:
            return await self._deduplicate(existing, context)
        now = self._now()
        record: dict[str, Any] = {
            "id": new_id(),
            "dedupe_key": key,
            "site": site,
            "area": data.get("area"),
            "priority": data["priority"],
            "state": RAISED,
            "raised_at": now,
            "acknowledged_at": None,
            "closed_at": None,
            "next_deadline": None,
            "title": words(data["title"]),
            "message": words(data.get("message")),
            "entity_id": data.get("entity_id"),
            "source_event": data.get("source_event"),
            "cameras": list(data.get("cameras") or ()),
            "recipients": list(data.get("recipients") or ()),
            "respond_within": data.get("respond_within"),
            "respond_by": now + data["respond_within"] if data.get("respond_within") else None,
            "escalation": [dict(t) for t in data.get("escalation") or ()],
            "repeat": data.get("repeat"),
            "auto_close_on": [r for r in data.get("auto_close_on") or () if "after" not in r],
            "notify": list(data.get("notify") or ()),
            "data": dict(data.get("data") or {}),
            "raised_by": context.who,
            "context_id": context.id,
            "count": 1,
            "tier": 0,
            "next_tier": 0,
            "reminders": 0,
            "notified": [],
            "snapshots": {},
        }
        alarm = Alarm(record)
        record = alarm.record  # the alarm's own copy, which is saved
        chain = record["escalation"]
        if chain:
            alarm.set_deadline(ESCALATE, now + chain[0]["after"])
        elif record["respond_by"] is not None:
            alarm.set_deadline(ESCALATE, record["respond_by"])  # overdue: reminded once
        if record["repeat"]:
            alarm.set_deadline(REMIND, now + record["repeat"]["every"])
        after = [r["after"] for r in data.get("auto_close_on") or () if "after" in r]
        if after:
            record["auto_close_after"] = min(after)
            alarm.set_deadline(AUTO_CLOSE, now + min(after))
        self._index(alarm)  # before the first await: a second raise with this key finds it
        self._unknown_recipients(alarm, record["recipients"], *(t["recipients"] for t in chain))
        await self.journal.write(alarm, "raised", context, {"priority": record["priority"]}, now)
        self.auto_close.watch(alarm.id, record["auto_close_on"])
        _LOGGER.warning(
            Text(
                "alarm.log.raised",
                alarm_id=alarm.id,
                site=site or "-",
                title=alarm.title(self.hub.console_language),
                priority=Text(f"alarm.priority.{record['priority']}"),
            )
        )
        self.hub.bus.fire("alarm.raised", alarm.event_data(who=context.who), context)
        if alarm.is_open:  # an auto-close may have come while it was written
            self.deadlines.arm(alarm)
            self._spawn(self.notices.first(alarm), f"alarm {alarm.id} notice")
        return {"alarm_id": alarm.id, "deduplicated": False, "count": 1}

    async def _deduplicate(self, alarm: Alarm, context: Context) -> dict[str, Any]:
        alarm.record["count"] = count = alarm.record.get("count", 1) + 1
        alarm.record["last_raised_at"] = self._now()
        step = "deduplicated" if count <= MAX_DEDUPE_HISTORY else None
        await self.journal.write(alarm, step, context, {"count": count})
        return {"alarm_id": alarm.id, "deduplicated": True, "count": count}

    def _unknown_recipients(self, alarm: Alarm, *lists: Iterable[str]) -> None:
        for names in lists:
            for name in names:
                if self.people.get(name) is None and self.people.group(name) is None:
                    _LOGGER.warning(Text("alarm.unknown_recipient", alarm_id=alarm.id, name=name))

    # -- escalation by hand -----------------------------------------------------------

    async def escalate(self, call: ServiceCall) -> dict[str, Any]:
        alarm = self.open.get(call.data["alarm_id"])
        if alarm is None:
            raise AlarmError(self._gone(call.data["alarm_id"]))
        self._check(call.context, alarm.site, "acknowledge", alarm.id)
        tier = await self.escalation.escalate(
            alarm,
            call.context,
            manual=True,
            recipients=call.data.get("recipients") or [],
            note=call.data.get("note") or "",
        )
        return {"alarm_id": alarm.id, "tier": tier}

    # -- acknowledge ------------------------------------------------------------------

    async def acknowledge(self, call: ServiceCall) -> dict[str, Any]:
        alarm_id, context = call.data["alarm_id"], call.context
        alarm = self.open.get(alarm_id)
        record = alarm.record if alarm is not None else await self.records.get(alarm_id)
        if record is None:
            raise AlarmError(Text("alarm.not_found", alarm_id=alarm_id))
        self._check(context, record.get("site"), "acknowledge", alarm_id)
        lang = self._language(context)
        who = context.who
        if alarm is None or alarm.state not in (RAISED, NOTIFIED):
            return await self._late(alarm, record, context, lang)
        now = self._now()
        record.update(state=ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=who)
        if call.data.get("note"):
            record["acknowledge_note"] = call.data["note"]
        alarm.clear_deadlines(ESCALATE, REMIND)  # an auto-close stays
        self.deadlines.cancel(alarm.id, ESCALATE, REMIND)
        await self.journal.write(
            alarm, "acknowledged", context, {"note": call.data.get("note")}, now
        )
        _LOGGER.info(
            Text(
                "alarm.log.acknowledged",
                alarm_id=alarm.id,
                who=delivery.who_is(self.hub, who),
                seconds=round(now - record["raised_at"]),
            )
        )
        self.hub.bus.fire(
            "alarm.acknowledged",
            alarm.event_data(who=who, seconds=now - record["raised_at"]),
            context,
        )
        self._spawn(
            self.notices.tell(
                alarm,
                delivery.ACKNOWLEDGED,
                self.notices.notified_people(alarm, besides=who),
                context=own(context),
                who=who,
                at=now,
            ),
            f"alarm {alarm.id} acknowledged",
        )
        said = Text("alarm.ack.thanks", alarm_id=alarm.id, title=alarm.title(lang))
        return {"alarm_id": alarm.id, "acknowledged": True, **_said(said, lang)}

    async def _late(
        self, alarm: Alarm | None, record: dict[str, Any], context: Context, lang: str
    ) -> dict[str, Any]:
        """A second acknowledgement: recorded, and answered politely."""
        first = record.get("acknowledged_by")
        if first:
            said = Text(
                "alarm.ack.already",
                alarm_id=record["id"],
                who=delivery.who_is(self.hub, first),
                time=_time(self.hub, record.get("acknowledged_at"), lang),
            )
        else:  # closed before anyone acknowledged it
            said = Text(
                "alarm.ack.closed",
                alarm_id=record["id"],
                time=_time(self.hub, record.get("closed_at"), lang),
            )
        entry = {"acknowledged_by": first, "state": record.get("state")}
        if alarm is not None:
            await self.journal.write(alarm, "acknowledged_late", context, entry)
        else:
            await self.journal.add(record["id"], "acknowledged_late", context, entry)
        _LOGGER.info(
            Text(
                "alarm.log.acknowledged_late",
                alarm_id=record["id"],
                who=delivery.who_is(self.hub, context.who),
            )
        )
        return {
            "alarm_id": record["id"],
            "acknowledged": False,
            "acknowledged_by": first,
            **_said(said, lang),
        }

    # -- close ------------------------------------------------------------------------

    async def close(self, call: ServiceCall) -> dict[str, Any]:
        alarm_id, context = call.data["alarm_id"], call.context
        alarm = self.open.get(alarm_id)
        lang = self._language(context)
        if alarm is None:
            record = await self.records.get(alarm_id)
            if record is None:
                raise AlarmError(Text("alarm.not_found", alarm_id=alarm_id))
            self._check(context, record.get("site"), "close", alarm_id)
            said = Text(
                "alarm.close.already",
                alarm_id=alarm_id,
                who=delivery.who_is(self.hub, record.get("closed_by")),
                time=_time(self.hub, record.get("closed_at"), lang),
            )
            return {"alarm_id": alarm_id, "closed": False, **_said(said, lang)}
        self._check(context, alarm.site, "close", alarm_id)
        await self._close(alarm, context, call.data.get("note") or "")
        said = Text("alarm.close.done", alarm_id=alarm_id)
        return {"alarm_id": alarm_id, "closed": True, **_said(said, lang)}

    def _auto_close(self, alarm_id: str, why: Text) -> None:
        alarm = self.open.get(alarm_id)
        if alarm is not None:
            self._spawn(
                self._close(alarm, Context(actor=SYSTEM), why), f"alarm {alarm_id} auto-close"
            )

    async def _close(self, alarm: Alarm, context: Context, note: str) -> None:
        if not alarm.is_open:
            return
        now = self._now()
        record = alarm.record
        record.update(state=CLOSED, closed_at=now, closed_by=context.who)
        record["close_note"] = note.as_dict() if isinstance(note, Text) else note
        alarm.clear_deadlines()
        self.deadlines.cancel(alarm.id)
        self._unindex(alarm)
        self.auto_close.forget(alarm.id)
        await self.journal.write(alarm, "closed", context, {"note": record["close_note"]}, now)
        _LOGGER.info(
            Text(
                "alarm.log.closed",
                alarm_id=alarm.id,
                who=delivery.who_is(self.hub, context.who),
                note=note or "-",
            )
        )
        closed = alarm.event_data(who=context.who, note=str(note))
        if isinstance(note, Text):
            closed["note_text"] = note.as_dict()
        self.hub.bus.fire("alarm.closed", closed, context)
        await self.notices.tell(
            alarm,
            delivery.CLOSED,
            self.notices.notified_people(alarm, besides=context.who),
            context=own(context),
            who=context.who,
            at=now,
            note=note,
        )

    def _gone(self, alarm_id: str) -> Text:
        return Text("alarm.not_open", alarm_id=alarm_id)


def _time(hub: Hub, when: float | None, lang: str) -> str:
    return format_time(when, hub.time_zone, lang) if when else "-"


def _said(text: Text, lang: str) -> dict[str, Any]:
    """A reply for the person who asked: the words in their language and the
    Text itself, for a messenger that renders it again."""
    return {"message": text.render(lang), "message_text": text.as_dict()}
