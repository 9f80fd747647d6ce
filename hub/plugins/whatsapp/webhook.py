"""The callback URL Meta calls: `/api/plugins/whatsapp/<notifier id>/webhook`.

GET answers Meta's verification (hub.mode=subscribe and the verify token,
compared in constant time) with hub.challenge. A POST is believed only
when `X-Hub-Signature-256` is the HMAC-SHA256 of its RAW bytes with the
app secret: a wrong one is refused with 403 before anything is parsed, so
it changes nothing. Then taps acknowledge alarms as the person the number
belongs to, and statuses move each message's delivery state forward."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from hub import Context, LogRate, i18n

from .notifier import WhatsAppNotifier

MAX_BODY = 256 * 1024  # Meta's notifications are a few kilobytes
MAX_STRANGERS = 1000  # numbers refused once; past it the oldest are forgotten
_LOGGER = logging.getLogger("hub.notify.whatsapp")


def routes(hub: Any) -> list[web.RouteDef]:
    # a scanner posting all day is one line a minute, not one a POST
    refused = LogRate(_LOGGER, language=lambda: i18n.console_language(hub.language))

    def notifier_of(request: web.Request) -> WhatsAppNotifier:
        device = hub.devices.get(f"notify.{request.match_info['notifier']}")
        if not isinstance(device, WhatsAppNotifier) or not hasattr(device, "statuses"):
            raise web.HTTPNotFound()
        return device

    async def verify(request: web.Request) -> web.StreamResponse:
        notifier = notifier_of(request)
        query = request.query
        token = query.get("hub.verify_token", "")
        expected = notifier.config["verify_token"]
        if query.get("hub.mode") != "subscribe" or not hmac.compare_digest(
            token.encode(), expected.encode()
        ):
            return web.Response(status=403)
        return web.Response(text=query.get("hub.challenge", ""), content_type="text/plain")

    async def receive(request: web.Request) -> web.StreamResponse:
        notifier = notifier_of(request)
        if (request.content_length or 0) > MAX_BODY:
            return web.Response(status=413)
        raw = await request.read()
        if len(raw) > MAX_BODY:
            return web.Response(status=413)
        if not signed(
            notifier.config["app_secret"], raw, request.headers.get("X-Hub-Signature-256", "")
        ):
            refused.log(
                (notifier.entity_id, "signature"),
                logging.WARNING,
                i18n.Text("whatsapp.webhook_refused", entity_id=notifier.entity_id),
            )
            return web.Response(status=403)
        try:
            payload = json.loads(raw)
        except ValueError:
            return web.Response(status=400)
        for value in values(payload):
            for message in value.get("messages") or []:
                if isinstance(message, dict):
                    await inbound(hub, notifier, message)
            for status in value.get("statuses") or []:
                if isinstance(status, dict):
                    await notifier.statuses.update(status)
        return web.Response(text="OK")

    return [
        web.get("/{notifier}/webhook", verify),
        web.post("/{notifier}/webhook", receive),
    ]


def signed(secret: str, raw: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode("utf-8", "replace"))


def values(payload: Any) -> Iterable[dict[str, Any]]:
    if not isinstance(payload, dict):
        return
    for entry in payload.get("entry") or []:
        for change in (entry.get("changes") or []) if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if isinstance(value, dict):
                yield value


def _tapped(message: dict[str, Any]) -> str | None:
    """The action of a tap: a reply button's id or a quick reply's payload."""
    if message.get("type") == "interactive":
        reply = (message.get("interactive") or {}).get("button_reply") or {}
        return str(reply.get("id", "")) or None
    if message.get("type") == "button":
        return str((message.get("button") or {}).get("payload", "")) or None
    return None


async def inbound(hub: Any, notifier: WhatsAppNotifier, message: dict[str, Any]) -> None:
    number = "".join(c for c in str(message.get("from", "")) if c.isdigit())[:20]
    if not number:
        return
    await notifier.windows.opened(number, hub.clock.timestamp())
    actor = f"whatsapp:+{number}"
    person = hub.people.by_identity("whatsapp", number) if hub.people is not None else None
    if person is None:
        hub.recorder.audit(
            {"who": actor, "action": "refused", "entity_id": notifier.entity_id,
             "reason": "whatsapp.unknown_number", "data": {}}
        )  # fmt: skip
        strangers = notifier.refused_strangers
        if number not in strangers:
            if len(strangers) >= MAX_STRANGERS:
                strangers.clear()
            strangers.add(number)
            await notifier.say(number, i18n.t("whatsapp.unknown_number", hub.language))
        return
    action = _tapped(message)
    if action is None or not action.startswith("ack:"):
        return
    context = Context(user_id=person.id, actor=actor)
    lang = person.language
    try:
        await hub.services.call("alarm", "acknowledge", {"alarm_id": action[4:][:64]}, context)
    except Exception as err:  # refused (not their site, unknown alarm): say so, in their words
        said = err.args[0] if err.args else err
        text = (
            said.render(lang)
            if isinstance(said, i18n.Text)
            else i18n.t("whatsapp.refused_ack", lang)
        )
        await notifier.say(number, text)
        return
    await notifier.say(number, i18n.t("whatsapp.acknowledged", lang))
