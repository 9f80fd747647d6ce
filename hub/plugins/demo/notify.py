"""A messenger that writes alerts to the log: the demo's stand-in for
Telegram and WhatsApp."""

from __future__ import annotations

from hub import Context, Notification, Notifier, i18n


class ConsoleNotifier(Notifier):
    platform = "console"

    async def start(self) -> None:
        self.sent: list[Notification] = []
        self.set_state("ready")

    async def send(self, notification: Notification, *, context: Context) -> None:
        self.sent.append(notification)
        title = f"[{notification.title}] " if notification.title else ""
        to = f" -> {', '.join(notification.targets)}" if notification.targets else ""
        photo = i18n.Text("demo.with_photo") if notification.photo else ""
        # a Text: the log filter writes it in the console's language
        said = i18n.Text(
            "demo.alert", to=to, title=title, message=notification.message, photo=photo
        )
        self.log.warning("%s", said)
