"""The webhook trigger: a POST (or PUT, ...) to `/api/webhook/<webhook_id>`
on the hub's HTTP server, as Home Assistant's; `trigger.json`,
`trigger.data` (a form) and `trigger.query` carry what was sent.

A body over the trigger's `max_payload` (256 KiB unless set) is refused
with a warning; the HTTP room has read it within its own bound (1 MiB) and
answered any body it could not decode (docs/http.md)."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from aiohttp import web

from ...bus import Unsubscribe
from ...context import Context
from ...http.webhooks import WEBHOOKS
from ...i18n import Text
from ...platform import TriggerAction
from ..limits import PayloadLimit, byte_size
from .base import BuiltinTrigger

_METHODS = ("GET", "HEAD", "POST", "PUT")


def _methods(value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(
        isinstance(m, str) and m.upper() in _METHODS for m in items
    ):
        raise vol.Invalid(Text("automation.expected_methods", methods=", ".join(_METHODS)))
    return [m.upper() for m in items]


class WebhookTrigger(BuiltinTrigger):
    platform = "webhook"
    CONFIG_SCHEMA = {
        vol.Required("webhook_id"): str,
        vol.Optional("allowed_methods", default=["POST", "PUT"]): _methods,
        vol.Optional("local_only", default=True): bool,
        vol.Optional("max_payload"): byte_size,
    }

    async def attach(self, action: TriggerAction) -> Unsubscribe:
        webhooks = self.hub.data.get(WEBHOOKS)
        if webhooks is None:
            raise RuntimeError("the webhook trigger needs the hub's HTTP server (hub.core.http)")
        webhook_id = self.config["webhook_id"]
        limit = PayloadLimit(self.hub, self.config, f"webhook {webhook_id!r}")

        async def on_request(webhook_id: str, request: web.Request, body: dict) -> None:
            # the HTTP room has read and decoded the body: `json` or `data`, or
            # neither; aiohttp keeps the bytes it read, so this reads nothing more
            if not limit.allows(len(await request.read())):
                return
            variables: dict[str, Any] = {
                "platform": "webhook",
                "webhook_id": webhook_id,
                "query": dict(request.query),
                "description": f"webhook {webhook_id}",
                **body,
            }
            action(variables, Context())

        unregister = webhooks.register(
            webhook_id,
            on_request,
            allowed_methods=self.config.get("allowed_methods", ["POST", "PUT"]),
            local_only=self.config.get("local_only", True),
        )

        def detach() -> None:
            unregister()
            limit.close()

        return detach
