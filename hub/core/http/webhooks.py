"""Webhooks: `/api/webhook/<id>` handed to whoever registered that id (the
automation `webhook` trigger). As Home Assistant, an unknown id, a method
not allowed or a caller from outside the local network get a plain 200 and
a log line, so probing learns nothing."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web

from ..i18n import register, t
from ..keys import HubKey

_LOGGER = logging.getLogger(__name__)

register(
    {
        "webhook.unknown": {
            "en": "webhook {id}: no one listens on this id (from {caller})",
            "id": "webhook {id}: tidak ada yang mendengarkan id ini (dari {caller})",
        },
        "webhook.method": {
            "en": "webhook {id}: method {method} not allowed",
            "id": "webhook {id}: metode {method} tidak diizinkan",
        },
        "webhook.not_local": {
            "en": "webhook {id}: refused a caller outside the local network ({caller})",
            "id": "webhook {id}: pemanggil dari luar jaringan lokal ditolak ({caller})",
        },
    }
)

WebhookHandler = Callable[[str, web.Request], Awaitable[Any]]


class _Webhook:
    __slots__ = ("handler", "local_only", "methods")

    def __init__(self, handler: WebhookHandler, methods: Iterable[str], local_only: bool) -> None:
        self.handler = handler
        self.methods = frozenset(m.upper() for m in methods)
        self.local_only = local_only


class Webhooks:
    """The webhook ids of one hub."""

    def __init__(self) -> None:
        self._hooks: dict[str, _Webhook] = {}

    def register(
        self,
        webhook_id: str,
        handler: WebhookHandler,
        *,
        allowed_methods: Iterable[str] = ("POST", "PUT"),
        local_only: bool = True,
    ) -> Callable[[], None]:
        """Route `/api/webhook/<webhook_id>` to `handler(webhook_id, request)`;
        returns the function that removes it."""
        if webhook_id in self._hooks:
            raise ValueError(f"webhook id {webhook_id!r} is already in use")
        hook = self._hooks[webhook_id] = _Webhook(handler, allowed_methods, local_only)

        def unregister() -> None:
            if self._hooks.get(webhook_id) is hook:
                del self._hooks[webhook_id]

        return unregister

    def get(self, webhook_id: str) -> _Webhook | None:
        return self._hooks.get(webhook_id)


WEBHOOKS: HubKey[Webhooks] = HubKey("http.webhooks")


def is_local(address: str | None) -> bool:
    """Loopback, private or link-local: the building's own network."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_private or ip.is_link_local


async def handle_webhook(request: web.Request) -> web.Response:
    from . import HUB_KEY

    hub = request.app[HUB_KEY]
    webhook_id = request.match_info["webhook_id"]
    hook = hub.data.get(WEBHOOKS, Webhooks()).get(webhook_id)
    if hook is None:
        said = t("webhook.unknown", hub.console_language, id=webhook_id, caller=request.remote)
        _LOGGER.warning("%s", said)
    elif request.method not in hook.methods:
        said = t("webhook.method", hub.console_language, id=webhook_id, method=request.method)
        _LOGGER.warning("%s", said)
    elif hook.local_only and not is_local(request.remote):
        said = t("webhook.not_local", hub.console_language, id=webhook_id, caller=request.remote)
        _LOGGER.warning("%s", said)
    else:
        try:
            await hook.handler(webhook_id, request)
        except Exception:
            _LOGGER.exception("webhook %s failed", webhook_id)
    return web.Response(status=200)
