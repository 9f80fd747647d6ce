"""A messenger that writes alerts to the log: the demo's stand-in for
Telegram and WhatsApp, following the notifier contract (provider ids,
edits, addresses) so the outbox treats it like a real one."""

from __future__ import annotations

import itertools
from typing import Any

from hub import Context, Notification, Notifier, RateLimits, i18n


class ConsoleNotifier(Notifier):
    platform = "console"
    # the log takes anything; no limits to keep
    rate_limits = RateLimits()

    async def start(self) -> None:
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
