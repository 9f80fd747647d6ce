"""The alarm manager: raise, notify, remind, escalate, acknowledge, close.

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

from ..clock import Cancel
from ..context import SYSTEM, Context, new_id
from ..i18n import Text, message
from ..permissions import PermissionDenied
from ..services import ServiceCall
from . import delivery
from .autoclose import AutoClose
from .delivery import Outgoing, compose, deliver
from .model import (
    ACKNOWLEDGED,
    AUTO_CLOSE,
    CLOSED,
    DEADLINES,
    ESCALATE,
    NOTIFIED,
    RAISED,
    REMIND,
    Alarm,
    words,
)

if TYPE_CHECKING:
    from ..hub import Hub

_LOGGER = logging.getLogger("hub.alarms")

# A flapping sensor raises its alarm again and again: the counter counts
# every raise, the history keeps the first ones (its rows are not unbounded).
MAX_DEDUPE_HISTORY = 200


class AlarmError(Exception):
    """An alarm action that cannot be done; the message (a Text) says why."""


class AlarmManager:
    """The alarms of one hub (`hub.data[ALARMS]`)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.open: dict[str, Alarm] = {}
        self._by_key: dict[str, Alarm] = {}
        self._timers: dict[tuple[str, str], Cancel] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._armed = False
        self._closing = False
        self.auto_close = AutoClose(hub.bus, self._auto_close)

    # -- the parts it works with --------------------------------------------------

    @property
    def records(self) -> Any:
        return self.hub.recorder.alarms

    @property
    def people(self) -> Any:
        return self.hub.people

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
        self._armed = True
        for alarm in list(self.open.values()):
            if alarm.state == RAISED and not alarm.record.get("notified"):
                self._spawn(self._first_notice(alarm), f"alarm {alarm.id} notice")
            self._arm(alarm)

    async def stop(self) -> None:
        self._closing = True
        for cancel in self._timers.values():
            cancel()
        self._timers.clear()
        self.auto_close.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

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

    def _arm(self, alarm: Alarm) -> None:
        if not self._armed:
            return  # arm() does it once the hub runs
        for kind in DEADLINES:
            self._cancel_timer(alarm.id, kind)
            when = alarm.deadlines.get(kind)
            if when is None:
                continue

            def due(kind: str = kind, when: float = when) -> None:
                self._timers.pop((alarm.id, kind), None)
                self._spawn(self._deadline(alarm.id, kind, when), f"alarm {alarm.id} {kind}")

            if when <= self._now():
                due()  # overdue (the hub was down): at once
            else:
                self._timers[(alarm.id, kind)] = self.hub.clock.call_at(when, due)

    def _cancel_timer(self, alarm_id: str, *kinds: str) -> None:
        for kind in kinds or DEADLINES:
            cancel = self._timers.pop((alarm_id, kind), None)
            if cancel is not None:
                cancel()

    async def _deadline(self, alarm_id: str, kind: str, when: float) -> None:
        alarm = self.open.get(alarm_id)
        if alarm is None or alarm.deadlines.get(kind) != when:
            return  # acknowledged, closed or moved meanwhile
        if kind == ESCALATE:
            await self._escalate(alarm, Context(actor=SYSTEM), manual=False)
        elif kind == REMIND:
            await self._remind(alarm)
        elif kind == AUTO_CLOSE:
            after = alarm.record.get("auto_close_after") or 0
            await self._close(
                alarm,
                Context(actor=SYSTEM),
                Text("alarm.auto_closed_after", after=delivery.span(after)),
            )

    # -- permission -----------------------------------------------------------------

    def _check(self, context: Context, site: str | None, action: str, alarm_id: str | None) -> None:
        if self.people.may_site(context, site, action):
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
        async with alarm.lock:
            await self.records.save(alarm.record)
            await self._history(alarm, "raised", context, {"priority": record["priority"]}, now)
        self.auto_close.watch(alarm.id, record["auto_close_on"])
        _LOGGER.warning(
            Text(
                "alarm.log.raised",
                alarm_id=alarm.id,
                site=site or "-",
                title=alarm.title("en"),
                priority=record["priority"],
            )
        )
        self.hub.bus.fire("alarm.raised", alarm.event_data(who=context.who), context)
        if alarm.is_open:  # an auto-close may have come while it was written
            self._arm(alarm)
            self._spawn(self._first_notice(alarm), f"alarm {alarm.id} notice")
        return {"alarm_id": alarm.id, "deduplicated": False, "count": 1}

    async def _deduplicate(self, alarm: Alarm, context: Context) -> dict[str, Any]:
        alarm.record["count"] = count = alarm.record.get("count", 1) + 1
        alarm.record["last_raised_at"] = self._now()
        async with alarm.lock:
            await self.records.save(alarm.record)
            if count <= MAX_DEDUPE_HISTORY:
                await self._history(alarm, "deduplicated", context, {"count": count})
        return {"alarm_id": alarm.id, "deduplicated": True, "count": count}

    def _unknown_recipients(self, alarm: Alarm, *lists: Iterable[str]) -> None:
        for names in lists:
            for name in names:
                if self.people.get(name) is None and self.people.group(name) is None:
                    _LOGGER.warning(Text("alarm.unknown_recipient", alarm_id=alarm.id, name=name))

    # -- telling people -------------------------------------------------------------

    async def _first_notice(self, alarm: Alarm) -> None:
        cameras = alarm.record.get("cameras") or []
        if cameras and not alarm.record.get("snapshots"):
            await self._snapshots(alarm, cameras)
        names = alarm.record.get("recipients") or []
        await self._tell(alarm, delivery.RAISED, self.people.resolve(names), fallback=True)

    async def _snapshots(self, alarm: Alarm, cameras: list[str]) -> None:
        """The related cameras' pictures, taken at once through camera.snapshot
        (saved and indexed by the media room) and attached by path."""
        context = Context(actor=SYSTEM, parent_id=alarm.record.get("context_id"))
        try:
            answer = await self.hub.services.call(
                "camera", "snapshot", {"entity_id": cameras}, context
            )
            files, errors = dict(answer.get("files") or {}), dict(answer.get("errors") or {})
        except Exception as err:  # no camera answered: the alarm goes without pictures
            files, errors = {}, {c: message(err) for c in cameras}
        for entity_id, why in errors.items():
            _LOGGER.warning(
                Text("alarm.no_snapshot", alarm_id=alarm.id, camera=entity_id, error=why)
            )
        alarm.record["snapshots"] = files
        async with alarm.lock:
            await self.records.save(alarm.record)
            await self._history(
                alarm,
                "snapshots",
                context,
                {"files": files, "errors": {k: str(v) for k, v in errors.items()}},
            )

    async def _tell(
        self,
        alarm: Alarm,
        kind: str,
        people: list[Any],
        *,
        fallback: bool = False,
        context: Context | None = None,
        **extra: Any,
    ) -> list[str]:
        """Send one message about `alarm` to each person, in their language;
        with nobody to tell and `fallback`, once to the messengers' default
        audience. Returns the ids of those it reached."""
        context = context or Context(actor=SYSTEM, parent_id=alarm.record.get("context_id"))
        audience: list[Any | None] = list(people) or ([None] if fallback else [])
        snapshots = list((alarm.record.get("snapshots") or {}).values())
        sends = []
        for person in audience:
            lang = person.language if person is not None else self.hub.language
            title, text = compose(self.hub, alarm, kind, lang, **extra)
            outgoing = Outgoing(
                alarm_id=alarm.id,
                kind=kind,
                person=person,
                language=lang,
                title=title,
                text=text,
                context=context,
                site=alarm.site,
                priority=alarm.record["priority"],
                snapshots=snapshots if kind in (delivery.RAISED, delivery.ESCALATED) else [],
                notifiers=list(alarm.record.get("notify") or ()),
            )
            sends.append(deliver(self.hub, outgoing))
        if not sends:
            return []
        results = await asyncio.gather(*sends, return_exceptions=True)
        reached, failed = [], []
        for person, result in zip(audience, results, strict=True):
            if isinstance(result, asyncio.CancelledError):
                raise result
            if isinstance(result, BaseException):
                _LOGGER.warning(delivery.failure(alarm, person, result))
                failed.append({"person": getattr(person, "id", None), "error": message(result)})
            else:
                reached.append(person.id if person is not None else "")
        told = [p for p in reached if p]
        if reached:
            known = alarm.record.setdefault("notified", [])
            known.extend(p for p in told if p not in known)
            if alarm.state == RAISED and kind in (delivery.RAISED, delivery.ESCALATED):
                alarm.record["state"] = NOTIFIED
            alarm.record.setdefault("first_notice_at", self._now())
        async with alarm.lock:
            await self.records.save(alarm.record)
            if failed:
                await self._history(
                    alarm, "notify_failed", context, {"kind": kind, "failed": failed}
                )
            if reached:
                await self._history(alarm, "notified", context, {"kind": kind, "people": told})
        if reached:
            # the tier this notice was for (a later one may have come meanwhile)
            tier = {"tier": extra["tier"]} if "tier" in extra else {}
            self.hub.bus.fire(
                "alarm.notified", alarm.event_data(reason=kind, recipients=told, **tier), context
            )
        return told

    def _notified_people(self, alarm: Alarm, *, besides: str | None = None) -> list[Any]:
        people = [self.people.get(p) for p in alarm.record.get("notified") or ()]
        return [p for p in people if p is not None and p.id != besides]

    # -- reminders and escalation ---------------------------------------------------

    async def _remind(self, alarm: Alarm) -> None:
        repeat = alarm.record.get("repeat") or {}
        alarm.record["reminders"] = count = alarm.record.get("reminders", 0) + 1
        times = repeat.get("times")
        now = self._now()
        more = repeat.get("every") and (times is None or count < times)
        alarm.set_deadline(REMIND, now + repeat["every"] if more else None)
        self._arm(alarm)
        context = Context(actor=SYSTEM, parent_id=alarm.record.get("context_id"))
        async with alarm.lock:
            await self.records.save(alarm.record)
            await self._history(alarm, "reminded", context, {"count": count}, now)
        _LOGGER.warning(
            Text("alarm.log.reminded", alarm_id=alarm.id, count=count, site=alarm.site or "-")
        )
        waited = now - alarm.record["raised_at"]
        await self._tell(
            alarm,
            delivery.REMINDER,
            self._notified_people(alarm),
            fallback=True,
            count=count,
            waited=waited,
        )

    async def escalate(self, call: ServiceCall) -> dict[str, Any]:
        alarm = self.open.get(call.data["alarm_id"])
        if alarm is None:
            raise AlarmError(self._gone(call.data["alarm_id"]))
        self._check(call.context, alarm.site, "acknowledge", alarm.id)
        tier = await self._escalate(
            alarm,
            call.context,
            manual=True,
            recipients=call.data.get("recipients") or [],
            note=call.data.get("note") or "",
        )
        return {"alarm_id": alarm.id, "tier": tier}

    async def _escalate(
        self,
        alarm: Alarm,
        context: Context,
        *,
        manual: bool,
        recipients: list[str] | None = None,
        note: str = "",
    ) -> int:
        record = alarm.record
        chain = record.get("escalation") or []
        index = record.get("next_tier", 0)
        now = self._now()
        if recipients:
            names = list(recipients)
        elif index < len(chain):
            names = list(chain[index]["recipients"])
            index += 1
        elif manual:
            raise AlarmError(Text("alarm.no_more_tiers", alarm_id=alarm.id))
        else:  # respond_within passed and no chain: everyone told is reminded
            alarm.set_deadline(ESCALATE, None)
            record["overdue"] = True
            async with alarm.lock:
                await self.records.save(record)
                await self._history(alarm, "overdue", context, {}, now)
            _LOGGER.warning(Text("alarm.log.overdue", alarm_id=alarm.id, site=alarm.site or "-"))
            await self._tell(
                alarm,
                delivery.REMINDER,
                self._notified_people(alarm),
                fallback=True,
                count=record.get("reminders", 0) + 1,
                waited=now - record["raised_at"],
            )
            return int(record.get("tier", 0))
        record["tier"] = tier = int(record.get("tier", 0)) + 1
        record["next_tier"] = index
        # the next tier waits its own `after`, counted from this escalation
        nxt = (
            now + chain[index]["after"]
            if index < len(chain) and record["state"] != ACKNOWLEDGED
            else None
        )
        alarm.set_deadline(ESCALATE, nxt)
        self._arm(alarm)
        waited = now - record.get("last_escalated_at", record["raised_at"])
        record["last_escalated_at"] = now
        people = self.people.resolve(names)
        async with alarm.lock:
            await self.records.save(record)
            await self._history(
                alarm,
                "escalated",
                context,
                {"tier": tier, "recipients": names, "manual": manual, "note": note},
                now,
            )
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
        await self._tell(
            alarm,
            delivery.ESCALATED,
            people,
            fallback=True,
            context=_own(context),
            tier=tier,
            waited=waited,
            manual=manual,
            who=context.who,
            note=note,
        )
        return tier

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
        self._cancel_timer(alarm.id, ESCALATE, REMIND)
        async with alarm.lock:
            await self.records.save(record)
            await self._history(
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
            self._tell(
                alarm,
                delivery.ACKNOWLEDGED,
                self._notified_people(alarm, besides=who),
                context=_own(context),
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
            async with alarm.lock:
                await self._history(alarm, "acknowledged_late", context, entry)
        else:
            await self.records.add_history(
                record["id"], _entry(self._now(), "acknowledged_late", context, entry)
            )
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
        self._cancel_timer(alarm.id)
        self._unindex(alarm)
        self.auto_close.forget(alarm.id)
        async with alarm.lock:
            await self.records.save(record)
            await self._history(alarm, "closed", context, {"note": record["close_note"]}, now)
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
        await self._tell(
            alarm,
            delivery.CLOSED,
            self._notified_people(alarm, besides=context.who),
            context=_own(context),
            who=context.who,
            at=now,
            note=note,
        )

    # -- records ----------------------------------------------------------------------

    async def _history(
        self,
        alarm: Alarm,
        kind: str,
        context: Context,
        data: dict[str, Any],
        at: float | None = None,
    ) -> None:
        # `at`: when it was decided (the write may finish a moment later)
        entry = _entry(self._now() if at is None else at, kind, context, data)
        await self.records.add_history(alarm.id, entry)

    def _gone(self, alarm_id: str) -> Text:
        return Text("alarm.not_open", alarm_id=alarm_id)


def _own(cause: Context) -> Context:
    """The hub's own doing (a snapshot, a message) that `cause` led to: the
    hub sends it, so no person's rights limit it."""
    return Context(actor=SYSTEM, parent_id=cause.id)


def _entry(at: float, kind: str, context: Context, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "at": at,
        "kind": kind,
        "who": context.user_id or context.actor,
        "context_id": context.id,
        "data": data,
    }


def _time(hub: Hub, when: float | None, lang: str) -> str:
    from ..i18n import format_time

    return format_time(when, hub.time_zone, lang) if when else "-"


def _said(text: Text, lang: str) -> dict[str, Any]:
    """A reply for the person who asked: the words in their language and the
    Text itself, for a messenger that renders it again."""
    return {"message": text.render(lang), "message_text": text.as_dict()}
