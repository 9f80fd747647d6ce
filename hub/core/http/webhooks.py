"""Webhooks: `/api/webhook/<id>` handed to whoever registered that id (the
automation `webhook` trigger). As Home Assistant, an unknown id, a method
not allowed or a caller from outside the local network get a plain 200 and
a log line, so probing learns nothing.

Each webhook has its own rate limit (`http.webhook_rate_limit` requests a
second, `http.webhook_burst` at once; over it: 429). The body is read and
decoded here, before the handler runs: a body the hub will not take gets a
4xx and one log line. Log lines about refused requests are rate-limited
(LogRate) and carry what the caller sent through `shown()`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from aiohttp import web

from ..i18n import Text
from ..keys import HubKey
from ..lograte import LogRate, shown
from .body import BodyRefused, decode_body, read_body
from .callers import Network, caller, is_local
from .ratelimit import TokenBucket

__all__ = ["WEBHOOKS", "BodyRefused", "Webhooks", "decode_body", "is_local"]

_LOGGER = logging.getLogger(__name__)


WebhookHandler = Callable[[str, web.Request, dict[str, Any]], Awaitable[Any]]


class _Webhook:
    __slots__ = ("bucket", "handler", "local_only", "methods")

    def __init__(
        self,
        handler: WebhookHandler,
        methods: Iterable[str],
        local_only: bool,
        bucket: TokenBucket,
    ) -> None:
        self.handler = handler
        self.methods = frozenset(m.upper() for m in methods)
        self.local_only = local_only
        self.bucket = bucket


class Webhooks:
    """The webhook ids of one hub, and how callers of them are checked."""

    def __init__(
        self,
        *,
        rate: float = 10.0,
        burst: float = 20.0,
        trusted_proxies: Sequence[Network] = (),
        body_timeout: float = 10.0,
        language: Callable[[], str] = lambda: "en",
    ) -> None:
        self._hooks: dict[str, _Webhook] = {}
        self.rate = rate
        self.burst = burst
        self.trusted_proxies = tuple(trusted_proxies)
        self.body_timeout = body_timeout
        self.language = language
        self.log = LogRate(_LOGGER, language=language)

    def register(
        self,
        webhook_id: str,
        handler: WebhookHandler,
        *,
        allowed_methods: Iterable[str] = ("POST", "PUT"),
        local_only: bool = True,
    ) -> Callable[[], None]:
        """Route `/api/webhook/<webhook_id>` to `handler(webhook_id, request,
        body)`, `body` being what `decode_body` made of what was sent;
        returns the function that removes it."""
        if webhook_id in self._hooks:
            raise ValueError(f"webhook id {webhook_id!r} is already in use")
        bucket = TokenBucket(self.rate, self.burst)
        hook = self._hooks[webhook_id] = _Webhook(handler, allowed_methods, local_only, bucket)

        def unregister() -> None:
            if self._hooks.get(webhook_id) is hook:
                del self._hooks[webhook_id]

        return unregister

    def get(self, webhook_id: str) -> _Webhook | None:
        return self._hooks.get(webhook_id)

    def close(self) -> None:
        self.log.close()

    async def handle(self, request: web.Request) -> web.Response:
        webhook_id = request.match_info["webhook_id"]
        hook = self._hooks.get(webhook_id)
        who = caller(request, self.trusted_proxies)
        said_who: object = shown(who) if who is not None else self._unknown_caller(request)
        # Keys name what the hub knows (a registered id), never what a caller chose.
        if hook is None:
            said = Text("webhook.unknown", id=shown(webhook_id), caller=said_who)
            self.log.log(("webhook", "unknown"), logging.WARNING, said)
        elif request.method not in hook.methods:
            said = Text("webhook.method", id=webhook_id, method=shown(request.method))
            self.log.log(("webhook", "method", webhook_id), logging.WARNING, said)
        elif hook.local_only and not is_local(who):
            said = Text("webhook.not_local", id=webhook_id, caller=said_who)
            self.log.log(("webhook", "not_local", webhook_id), logging.WARNING, said)
        elif not hook.bucket.take():
            said = Text(
                "webhook.rate_limited", id=webhook_id, rate=f"{self.rate:g}", caller=said_who
            )
            self.log.log(("webhook", "rate", webhook_id), logging.WARNING, said)
            retry = str(max(1, math.ceil(hook.bucket.retry_after())))
            return web.Response(status=429, headers={"Retry-After": retry})
        else:
            try:
                body = decode_body(request, await read_body(request, self.body_timeout))
            except BodyRefused as refused:
                said = Text(
                    "webhook.body_refused",
                    id=webhook_id,
                    caller=said_who,
                    reason=refused.reason,
                    status=refused.status,
                )
                self.log.log(("webhook", "body", webhook_id), logging.WARNING, said)
                return web.Response(status=refused.status)
            try:
                await hook.handler(webhook_id, request, body)
            except Exception as err:
                said = Text("webhook.failed", id=webhook_id, error=shown(repr(err)))
                self.log.log(("webhook", "failed", webhook_id), logging.ERROR, said, exc_info=True)
                return web.Response(status=500)
        return web.Response(status=200)

    def _unknown_caller(self, request: web.Request) -> Text:
        return Text("webhook.unknown_caller", peer=shown(request.remote))


WEBHOOKS: HubKey[Webhooks] = HubKey("http.webhooks")


async def handle_webhook(request: web.Request) -> web.Response:
    from . import HUB_KEY

    hooks = request.app[HUB_KEY].data.get(WEBHOOKS)
    if hooks is None:  # the server is stopping
        return web.Response(status=503)
    return await hooks.handle(request)
