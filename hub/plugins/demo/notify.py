"""A messenger that writes alerts to the log: the demo's stand-in for
Telegram and WhatsApp."""

from __future__ import annotations

from hub import Context, Notification, Notifier


class ConsoleNotifier(Notifier):
    platform = "console"

    async def start(self) -> None:
        self.sent: list[Notification] = []
        self.set_state("ready")

    async def send(self, notification: Notification, *, context: Context) -> None:
        self.sent.append(notification)
        title = f"[{notification.title}] " if notification.title else ""
        to = f" -> {', '.join(notification.targets)}" if notification.targets else ""
        photo = " (+photo)" if notification.photo else ""
        self.log.warning("ALERT%s: %s%s%s", to, title, notification.message, photo)
