"""Telling people about an alarm: the related cameras' snapshots first,
then one message per person in their language through `deliver()`, and
what came of it in the alarm's record and history (`alarm.notified`)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from ..context import Context
from ..i18n import Text, message
from . import delivery
from .delivery import Outgoing, compose, deliver
from .journal import Journal, own
from .model import NOTIFIED, RAISED, Alarm

if TYPE_CHECKING:
    from ..hub import Hub

_LOGGER = logging.getLogger("hub.alarms")

# the kinds of message that carry the snapshots
_WITH_PICTURES = (delivery.RAISED, delivery.ESCALATED)


class Notices:
    def __init__(self, hub: Hub, journal: Journal) -> None:
        self.hub = hub
        self.journal = journal

    async def first(self, alarm: Alarm) -> None:
        """The alarm's first message to its recipients, with the pictures."""
        cameras = alarm.record.get("cameras") or []
        if cameras and not alarm.record.get("snapshots"):
            await self.snapshots(alarm, cameras)
        if not alarm.is_open:
            return  # it closed itself meanwhile: nothing to tell
        names = alarm.record.get("recipients") or []
        await self.tell(alarm, delivery.RAISED, self.hub.people.resolve(names), fallback=True)

    async def snapshots(self, alarm: Alarm, cameras: list[str]) -> None:
        """The related cameras' pictures, taken at once through camera.snapshot
        (saved, indexed and audited by the media room), attached by path."""
        context = own(alarm.record.get("context_id"))
        try:
            answer = await self.hub.services.call(
                "camera", "snapshot", {"entity_id": cameras, "alarm_id": alarm.id}, context
            )
            files, errors = dict(answer.get("files") or {}), dict(answer.get("errors") or {})
        except Exception as err:  # no camera answered: the alarm goes without pictures
            files, errors = {}, {c: message(err) for c in cameras}
        for entity_id, why in errors.items():
            _LOGGER.warning(
                Text("alarm.no_snapshot", alarm_id=alarm.id, camera=entity_id, error=why)
            )
        alarm.record["snapshots"] = files
        errors = {k: str(v) for k, v in errors.items()}
        await self.journal.write(alarm, "snapshots", context, {"files": files, "errors": errors})

    async def tell(
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
        hub = self.hub
        context = context or own(alarm.record.get("context_id"))
        audience: list[Any | None] = list(people) or ([None] if fallback else [])
        if not audience:
            return []
        snapshots = list((alarm.record.get("snapshots") or {}).values())
        sends = []
        for person in audience:
            lang = person.language if person is not None else hub.language
            title, text = compose(hub, alarm, kind, lang, **extra)
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
                snapshots=snapshots if kind in _WITH_PICTURES else [],
                pictures=snapshots,
                notifiers=list(alarm.record.get("notify") or ()),
                tier=int(extra.get("tier", alarm.record.get("tier", 0))),
            )
            sends.append(deliver(hub, outgoing))
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
            if alarm.state == RAISED and kind in _WITH_PICTURES:
                alarm.record["state"] = NOTIFIED
            alarm.record.setdefault("first_notice_at", hub.clock.timestamp())
        if failed:
            await self.journal.write(
                alarm, "notify_failed", context, {"kind": kind, "failed": failed}
            )
        if reached:
            await self.journal.write(alarm, "notified", context, {"kind": kind, "people": told})
            # the tier this notice was for (a later one may have come meanwhile)
            tier = {"tier": extra["tier"]} if "tier" in extra else {}
            hub.bus.fire(
                "alarm.notified", alarm.event_data(reason=kind, recipients=told, **tier), context
            )
        return told

    def notified_people(self, alarm: Alarm, *, besides: str | None = None) -> list[Any]:
        """Everyone told about `alarm` so far (but `besides`)."""
        people = [self.hub.people.get(p) for p in alarm.record.get("notified") or ()]
        return [p for p in people if p is not None and p.id != besides]
