"""A messenger that writes alerts to the log: the demo's stand-in for
Telegram and WhatsApp, following the notifier contract (provider ids,
edits, addresses) so the outbox treats it like a real one.

`answer:` makes it the demo's stand-in for a person on duty too: when an
alarm message reaches that person, they "tap Terima" a while later, so
`make run` shows an alarm followed to its end (raised, reminded,
escalated, acknowledged) without a phone."""

from __future__ import annotations

import itertools
from typing import Any

import voluptuous as vol

from hub import Context, Notification, Notifier, RateLimits, i18n


class ConsoleNotifier(Notifier):
    platform = "console"
    # the log takes anything; no limits to keep
    rate_limits = RateLimits()
    CONFIG_SCHEMA = {
        vol.Optional("answer"): {
            vol.Required("person"): str,
            # seconds from the message reaching them to their tap
            vol.Optional("after", default=5.0): vol.All(vol.Coerce(float), vol.Range(min=0)),
        },
    }

    async def start(self) -> None:
        #: alarms the stand-in person has already answered (or is about to)
        self._answering: set[str] = set()
        self.sent: list[Notification] = []
        #: provider id -> the notification as last sent or edited
        self.messages: dict[str, Notification] = {}
        self._ids = itertools.count(1)
        self.set_state("ready")

    def address(self, person: Any) -> str | None:
        # the console reaches everyone: it writes their id in the line
        return str(person.id)

    async def send(self, notification: Notification, *, context: Context) -> str | None:
        self.sent.append(notification)
        provider_id = f"console:{next(self._ids)}"
        self.messages[provider_id] = notification
        self._say(notification)
        self._maybe_answer(notification, context)
        return provider_id

    async def edit(
        self, provider_message_id: str, notification: Notification, *, context: Context
    ) -> None:
        self.messages[provider_message_id] = notification
        self._say(notification)

    def _say(self, notification: Notification) -> None:
        title = f"[{notification.title}] " if notification.title else ""
        to = f" -> {', '.join(notification.targets)}" if notification.targets else ""
        has_photo = notification.photo or notification.photo_path
        photo = i18n.Text("demo.with_photo") if has_photo else ""
        # a Text: the log filter writes it in the console's language
        said = i18n.Text(
            "demo.alert", to=to, title=title, message=notification.message, photo=photo
        )
        self.log.warning("%s", said)

    def _maybe_answer(self, notification: Notification, context: Context) -> None:
        answer = self.config.get("answer")
        data = notification.data
        alarm_id = data.get("alarm_id") or notification.alarm_id
        person = data.get("person") or notification.person_id
        if not answer or not alarm_id or person != answer["person"]:
            return
        if data.get("kind") in ("acknowledged", "closed") or alarm_id in self._answering:
            return
        self._answering.add(alarm_id)
        self.hub.create_task(
            self._answer(str(alarm_id), answer["person"], answer["after"], context),
            f"demo answer {alarm_id}",
        )

    async def _answer(self, alarm_id: str, person: str, after: float, cause: Context) -> None:
        await self.hub.clock.sleep(after)
        # as a chat tap would: the person acts, through the channel
        context = Context(user_id=person, actor=f"console:{person}", parent_id=cause.id)
        self.log.warning("%s", i18n.Text("demo.taps_acknowledge", person=person, alarm_id=alarm_id))
        try:
            await self.hub.services.call("alarm", "acknowledge", {"alarm_id": alarm_id}, context)
        except Exception as err:  # refused or gone: the log says it, the demo goes on
            self.log.warning(
                "%s", i18n.Text("demo.answer_refused", alarm_id=alarm_id, why=i18n.message(err))
            )
