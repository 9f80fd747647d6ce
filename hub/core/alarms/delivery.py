"""What an alarm tells people, in each reader's language, and the one door
through which it leaves the hub.

`deliver()` is the seam: every alarm message passes through it, one
message for one person, into the outbox (hub/core/outbox.py): stored
first, then delivered with retries and rate limits, across restarts."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..context import Context
from ..i18n import Text, format_time, message
from ..outbox import OUTBOX
from ..platform import Notifier
from .model import Alarm

if TYPE_CHECKING:
    from ..hub import Hub

_LOGGER = logging.getLogger("hub.alarms")

# why a message goes out; the words of each are alarm.heading.<kind>
RAISED, REMINDER, ESCALATED, ACKNOWLEDGED, CLOSED = (
    "raised",
    "reminder",
    "escalated",
    "acknowledged",
    "closed",
)


@dataclass(slots=True)
class Outgoing:
    """One alarm message for one person (None: nobody is named, so it goes
    to the messengers' own default audience, the Command Center's console)."""

    alarm_id: str
    kind: str
    person: Any | None  # a hub.people Person
    language: str
    title: str
    text: str
    context: Context
    site: str | None = None
    priority: str = "medium"
    snapshots: list[str] = field(default_factory=list)
    #: the alarm's pictures, not attached: for a messenger that cannot send
    #: this message without one (a WhatsApp template with an image header)
    pictures: list[str] = field(default_factory=list)
    #: notify entity ids to use; empty: every configured messenger
    notifiers: list[str] = field(default_factory=list)
    #: the escalation tier this message is for (0: the first recipients)
    tier: int = 0


async def deliver(hub: Hub, outgoing: Outgoing) -> None:
    """Put one message in the outbox for each messenger that reaches the
    person (stored before this returns), and wait for the first try: it
    returns once one of them went or waits its turn (a rate limit, a
    back-off), and raises when none can go (no messenger reaches the
    person, or every one refused for good)."""
    outbox = hub.data.get(OUTBOX)
    if outbox is None:  # a hub without the outbox room: hand it on directly
        await _send_now(hub, outgoing)
        return
    names = outgoing.notifiers or [d.entity_id for d in hub.devices.all("notify")]
    if not names:
        raise LookupError(Text("alarm.no_messenger"))
    person = outgoing.person
    data = _data(outgoing)
    photo = outgoing.snapshots[0] if outgoing.snapshots else None
    messages, unknown = [], []
    for name in names:
        notifier = hub.devices.get(name)
        if not isinstance(notifier, Notifier):
            unknown.append(name)
            continue
        # nobody named: the messenger's own default audience (the console)
        address = notifier.address(person) if person is not None else ""
        if address is None:
            continue
        messages.append(
            outbox.message(
                name,
                str(address),
                text=outgoing.text,
                title=outgoing.title,
                photo_path=photo,
                data=data,
                language=outgoing.language,
                person_id=person.id if person is not None else None,
                alarm_id=outgoing.alarm_id,
                kind=outgoing.kind,
                context=outgoing.context,
            )
        )
    if not messages:
        if unknown:
            raise LookupError(Text("alarm.unknown_messenger", notifiers=", ".join(unknown)))
        raise LookupError(Text("alarm.unreachable", person=person.id if person else "-"))
    await outbox.put(messages)
    outcomes = await outbox.first_try(messages)
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    if refused and len(refused) == len(outcomes):
        raise refused[0]


def _data(outgoing: Outgoing) -> dict[str, Any]:
    person = outgoing.person
    return {
        "alarm_id": outgoing.alarm_id,
        "kind": outgoing.kind,
        "site": outgoing.site,
        "priority": outgoing.priority,
        "language": outgoing.language,
        "person": person.id if person is not None else None,
        "snapshots": list(outgoing.snapshots),
        "pictures": list(outgoing.pictures),
        "tier": outgoing.tier,
    }


async def _send_now(hub: Hub, outgoing: Outgoing) -> None:
    notifiers = outgoing.notifiers or [d.entity_id for d in hub.devices.all("notify")]
    if not notifiers:
        raise LookupError(Text("alarm.no_messenger"))
    person = outgoing.person
    await hub.services.call(
        "notify",
        "send",
        {
            "entity_id": notifiers,
            "title": outgoing.title,
            "message": outgoing.text,
            "targets": [person.id] if person is not None else [],
            "data": _data(outgoing),
        },
        outgoing.context,
    )


# -- the words ------------------------------------------------------------------


def span(seconds: float) -> Text:
    """A duration as people say it: 5 minutes, 2 hours, 45 seconds."""
    whole = round(seconds)
    if whole >= 3600 and whole % 3600 == 0:
        return Text("alarm.hours", count=whole // 3600)
    if whole >= 60 and whole % 60 == 0:
        return Text("alarm.minutes", count=whole // 60)
    return Text("alarm.seconds", count=whole)


def who_is(hub: Hub, who: str | None) -> str:
    """A person's name for a message, else the actor as it is (system, automation:x)."""
    people = getattr(hub, "people", None)
    person = people.get(who) if people is not None and who else None
    return person.name if person is not None else (who or "system")


def compose(hub: Hub, alarm: Alarm, kind: str, lang: str, **extra: Any) -> tuple[str, str]:
    """The title and text of one message about `alarm` in `lang`: the
    alarm's own words plus where (site), which cameras, when (in the hub's
    zone, WITA) and how urgent."""
    record = alarm.record
    zone = hub.time_zone
    priority = Text(f"alarm.priority.{record['priority']}")
    heading = Text(f"alarm.heading.{kind}", priority=priority, **_heading_values(kind, extra))
    if kind in (ACKNOWLEDGED, CLOSED):
        note = extra.get("note") or ""
        text = Text(
            f"alarm.notice.{kind}",
            alarm_id=alarm.id,
            title=alarm.title(lang),
            who=who_is(hub, extra.get("who")),
            time=format_time(extra.get("at") or hub.clock.timestamp(), zone, lang),
            note=Text("alarm.notice.note", note=note) if note else "",
        )
        return heading.render(lang), text.render(lang)
    site = hub.sites.get(alarm.site)
    cameras = [_camera_name(hub, c) for c in record.get("cameras") or ()]
    # a camera whose picture was asked for and not had: the message says so
    # (an alert is never lost to its picture, nor silent about it; issue #9)
    taken = record.get("snapshots")
    no_photos = (
        [_camera_name(hub, c) for c in record.get("cameras") or () if c not in taken]
        if taken is not None
        else []
    )
    body = Text(
        "alarm.body",
        title=alarm.title(lang),
        message=f"\n{alarm.message(lang)}" if alarm.message(lang) else "",
        site=site.name(lang) if site is not None else (alarm.site or "-"),
        cameras=Text("alarm.body.cameras", cameras=", ".join(cameras)) if cameras else "",
        photos=(
            Text("alarm.body.photos", count=len(record["snapshots"]))
            if record.get("snapshots")
            else ""
        ),
        no_photos=(Text("alarm.body.no_photos", cameras=", ".join(no_photos)) if no_photos else ""),
        count=(
            Text("alarm.body.count", count=record["count"]) if record.get("count", 1) > 1 else ""
        ),
        time=format_time(record["raised_at"], zone, lang),
        alarm_id=alarm.id,
        link=_link(hub, alarm),
    )
    if kind == REMINDER:
        lead = Text("alarm.lead.reminder", waited=span(extra["waited"]))
    elif kind == ESCALATED and extra.get("undelivered"):
        lead = Text(
            "alarm.lead.escalated_undelivered",
            who=who_is(hub, extra["undelivered"]),
            tier=extra["tier"],
        )
    elif kind == ESCALATED and extra.get("manual"):
        note = extra.get("note") or ""
        lead = Text(
            "alarm.lead.escalated_by",
            who=who_is(hub, extra.get("who")),
            note=Text("alarm.notice.note", note=note) if note else "",
        )
    elif kind == ESCALATED:
        lead = Text("alarm.lead.escalated", waited=span(extra["waited"]), tier=extra["tier"])
    else:
        return heading.render(lang), body.render(lang)
    return heading.render(lang), f"{lead.render(lang)}\n{body.render(lang)}"


def _link(hub: Hub, alarm: Alarm) -> Text | str:
    """The alarm's page on the dashboard, when the hub knows the address
    people reach it at (http.external_url; behind nginx it is not the
    address the hub listens on)."""
    base = (hub.config.get("http") or {}).get("external_url")
    if not base:
        return ""
    return Text("alarm.body.link", url=f"{str(base).rstrip('/')}/#/alarms/{alarm.id}")


def _heading_values(kind: str, extra: dict[str, Any]) -> dict[str, Any]:
    if kind == REMINDER:
        return {"count": extra.get("count", 1)}
    if kind == ESCALATED:
        return {"tier": extra.get("tier", 1)}
    return {}


def _camera_name(hub: Hub, entity_id: str) -> str:
    device = hub.devices.get(entity_id)
    return device.name if device is not None else entity_id


def failure(alarm: Alarm, person: Any | None, err: BaseException) -> Text:
    """The log line when a message could not be handed on."""
    return Text(
        "alarm.delivery_failed",
        alarm_id=alarm.id,
        person=person.id if person is not None else "-",
        error=message(err),
    )
