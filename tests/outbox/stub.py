"""A minimal Telegram messenger for the outbox's tests (notify platform
`stub_telegram`): sendMessage to FakeTelegram, its answers as the notifier
contract says (429 -> retry_after, 400/403 -> permanent, 5xx and anything
unreadable -> retried). The real messenger is the Telegram plugin's; this
one only lets the outbox meet the fake's limits and faults."""

from __future__ import annotations

from typing import Any

import aiohttp
import voluptuous as vol

from hub import Context, DeliveryError, Notification, Notifier, RateLimits, hookimpl
from hub.plugins.telegram.notifier import TelegramNotifier

# the real messenger's: 1 a second per chat, 20 a minute per group, 30 a second overall
TELEGRAM_LIMITS = TelegramNotifier.rate_limits


class StubTelegram(Notifier):
    platform = "stub_telegram"
    rate_limits = TELEGRAM_LIMITS
    CONFIG_SCHEMA = {vol.Required("api_url"): str}

    async def start(self) -> None:
        self.session = aiohttp.ClientSession()
        self.set_state("ready")

    async def stop(self) -> None:
        await self.session.close()

    def address(self, person: Any) -> str | None:
        return str(person.telegram) if getattr(person, "telegram", None) else None

    def is_group(self, recipient: str) -> bool:
        return TelegramNotifier.is_group(self, recipient)  # type: ignore[arg-type]

    async def send(self, notification: Notification, *, context: Context) -> str | None:
        chat = int(notification.targets[0])
        text = f"{notification.title}\n{notification.message}" if notification.title else None
        payload = {"chat_id": chat, "text": text or notification.message}
        async with self.session.post(f"{self.config['api_url']}/sendMessage", json=payload) as r:
            body = await r.json()
        if body.get("ok"):
            return f"{chat}:{body['result']['message_id']}"
        code, said = body.get("error_code"), str(body.get("description"))
        if code == 429:
            raise DeliveryError(said, retry_after=body["parameters"]["retry_after"])
        if code in (400, 403):
            raise DeliveryError(said, permanent=True)
        raise DeliveryError(said)


class LimitlessStub(StubTelegram):
    """The same against a fake whose limits are lifted (the benchmark)."""

    platform = "stub_telegram_limitless"
    rate_limits = RateLimits()


@hookimpl
def sigap_notify_platforms(hub: Any) -> list[type[Notifier]]:
    return [StubTelegram, LimitlessStub]
