"""The address Telegram POSTs updates to in webhook mode:
`/api/plugins/telegram/<notifier id>/webhook`. An update is believed only
when `X-Telegram-Bot-Api-Secret-Token` is the configured secret token
(compared in constant time); anything else is refused with 403 before the
body is read, so it changes nothing."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aiohttp import web

from hub import LogRate, i18n

from .notifier import TelegramNotifier

MAX_BODY = 1024 * 1024  # an update is a few kilobytes
HEADER = "X-Telegram-Bot-Api-Secret-Token"
_LOGGER = logging.getLogger("hub.notify.telegram")


def routes(hub: Any) -> list[web.RouteDef]:
    refused = LogRate(_LOGGER, language=lambda: i18n.console_language(hub.language))

    def notifier_of(request: web.Request) -> TelegramNotifier:
        device = hub.devices.get(f"notify.{request.match_info['notifier']}")
        if not isinstance(device, TelegramNotifier) or not hasattr(device, "updates"):
            raise web.HTTPNotFound()
        if device.config["updates"] != "webhook" or not device.config.get("webhook"):
            raise web.HTTPNotFound()
        return device

    async def receive(request: web.Request) -> web.StreamResponse:
        notifier = notifier_of(request)
        expected = notifier.config["webhook"]["secret_token"].encode()
        given = request.headers.get(HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(expected, given):
            refused.log(
                (notifier.entity_id, "secret"),
                logging.WARNING,
                i18n.Text("telegram.webhook_refused", entity_id=notifier.entity_id),
            )
            return web.Response(status=403)
        if (request.content_length or 0) > MAX_BODY:
            return web.Response(status=413)
        raw = await request.read()  # the hub's server bounds it too (client_max_size)
        if len(raw) > MAX_BODY:
            return web.Response(status=413)
        try:
            update = json.loads(raw)
        except ValueError:
            return web.Response(status=400)
        if isinstance(update, dict) and isinstance(update.get("update_id"), int):
            await notifier.updates.inbox.handle(update)
        return web.Response(text="OK")

    return [web.post("/{notifier}/webhook", receive)]
