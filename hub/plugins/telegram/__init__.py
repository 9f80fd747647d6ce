"""Telegram Bot API messenger (`notify:` platform `telegram`): photo
alerts with a signed "Terima / Acknowledge" button, acknowledgement as the
person who tapped, every recipient's alert edited to say who and when,
chat commands for known people, updates by long polling or a webhook.

Plain aiohttp calls rather than aiogram: the hub already speaks HTTP with
aiohttp (one stack, one session per bot, its time-outs), the Bot API is a
handful of JSON/multipart POSTs, and the tests' FakeTelegram is reached
the same way; aiogram would add a dependency tree for the same requests.
Only the public API of the hub is used."""

from pathlib import Path

from hub import hookimpl, i18n

i18n.add_domain("telegram", Path(__file__).parent / "locale")

from .notifier import TelegramNotifier  # noqa: E402
from .webhook import routes  # noqa: E402


@hookimpl
def sigap_notify_platforms(hub):
    return [TelegramNotifier]


@hookimpl
def sigap_http_routes(hub):
    return routes(hub)


__all__ = ["TelegramNotifier"]
