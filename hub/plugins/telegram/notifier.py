"""The Telegram messenger: one Notification to one chat over the Bot API.

An alert is a photo (the snapshot file uploaded as multipart, caption in
HTML) or a text, with a signed "Terima / Acknowledge" button when it is
about an alarm; what does not fit in one caption or message follows in
replies. Every alarm message sent is remembered, so that when the alarm is
acknowledged (or closed) each recipient's message is edited to say by whom
and when, in WITA, and loses its button; the alarm room's own notice of it
is that edit, not one more message."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import voluptuous as vol

from hub import Context, DeliveryError, Event, Notification, Notifier, RateLimits, i18n

from . import callbacks
from .botapi import BotApi, TelegramFailure
from .html import CAPTION_LIMIT, EDIT_ROOM, TEXT_LIMIT, escape, message_parts, photo_parts, units

API_URL = "https://api.telegram.org"
ACK_KINDS = ("raised", "reminder", "escalated")
OUTCOMES = ("acknowledged", "closed")
KEEP_ALARMS = 1000  # alarms whose messages are remembered for the edit
KEEP_PER_ALARM = 50  # the newest alerts of one alarm edited (reminders every minute for hours)
NO_TEXT = "there is no text in the message to edit"
PATIENCE = 3  # 429s waited out for one edit or follow-up part
_LOGGER = logging.getLogger("hub.notify.telegram")


def _token(value: Any) -> str:
    # no vol.Match: its error would be printed next to the value, and this one is secret
    text = str(value).strip()
    head, colon, tail = text.partition(":")
    if not (head.isdigit() and colon and len(tail) >= 20):
        raise vol.Invalid("bot_token must be the token BotFather gave (digits, ':', then letters)")
    return text


def _secret_token(value: Any) -> str:
    text = str(value)
    if not (16 <= len(text) <= 256) or any(not (c.isalnum() or c in "_-") for c in text):
        raise vol.Invalid("secret_token must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
    return text


@dataclass
class Sent:
    """One alarm message as this bot sent it, for the edit that follows."""

    chat_id: int
    message_id: int
    photo: bool
    html: str  # its caption or text as sent
    language: str
    lines: dict[str, str] = field(default_factory=dict)  # outcome -> the line added

    @property
    def provider_id(self) -> str:
        return f"{self.chat_id}:{self.message_id}"


class TelegramNotifier(Notifier):
    platform = "telegram"
    # PROTOCOLS.md: about 1 message a second per chat, 20 a minute per group,
    # about 30 a second overall
    rate_limits = RateLimits(
        per_chat=1.0,
        overall=30.0,
        per_chat_burst=1,
        overall_burst=30,
        per_group=20 / 60,
        per_group_burst=20,
    )
    CONFIG_SCHEMA = {
        vol.Required("bot_token"): _token,
        vol.Optional("api_url", default=API_URL): vol.Url(),
        # how updates (taps, commands) reach the hub: long polling, a webhook, or not at all
        vol.Optional("updates", default="polling"): vol.In(("polling", "webhook", "off")),
        vol.Optional("webhook"): {
            # the hub's public HTTPS address, as Telegram reaches it (behind nginx)
            vol.Required("url"): vol.Url(),
            vol.Required("secret_token"): _secret_token,
        },
        # the key of the buttons' signatures; by default one derived from the token
        vol.Optional("callback_secret"): vol.All(str, vol.Length(min=16)),
        # the chat told when a message names nobody (a Command Center group)
        vol.Optional("chat_id"): vol.Coerce(int),
        vol.Optional("timeout", default=15.0): vol.All(vol.Coerce(float), vol.Range(min=1)),
        vol.Optional("upload_timeout", default=120.0): vol.All(vol.Coerce(float), vol.Range(min=5)),
        vol.Optional("poll_timeout", default=30): vol.All(int, vol.Range(min=1, max=50)),
    }

    async def start(self) -> None:
        config = self.config
        self.api = BotApi(
            config["api_url"], config["bot_token"], config["timeout"], config["upload_timeout"]
        )
        self.key = callbacks.key_from(config.get("callback_secret") or config["bot_token"])
        self.username: str | None = None  # the bot's, from getMe: "/status@sigap_bot"
        self.sent: OrderedDict[str, list[Sent]] = OrderedDict()
        self._marking: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._undo = [
            self.hub.bus.listen(f"alarm.{kind}", self._outcome, owner="hub.plugins.telegram")
            for kind in OUTCOMES
        ]
        from .updates import Updates  # the inbound half: polling or the webhook

        self.updates = Updates(self)
        await self.updates.start()

    async def stop(self) -> None:
        for undo in self._undo:
            undo()
        await self.updates.stop()
        await self.api.close()

    def address(self, person: Any) -> str | None:
        telegram = getattr(person, "telegram", None)
        return str(telegram) if telegram is not None else None

    def is_group(self, recipient: str) -> bool:
        """Groups and supergroups have negative chat ids; "" is the
        configured chat (a Command Center group, most often)."""
        chat = recipient or self.config.get("chat_id")
        try:
            return int(chat) < 0  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False  # a person's id, or an @username: not a group

    # -- who -------------------------------------------------------------------------

    def _chats(self, notification: Notification) -> list[int]:
        """The chats of the recipient(s): chat ids, or people with a Telegram id."""
        people = getattr(self.hub, "people", None)
        found: list[int] = []
        for target in notification.targets or []:
            text = str(target).strip()
            if text.lstrip("-").isdigit():
                found.append(int(text))
                continue
            person = people.get(text) if people is not None else None
            if person is not None and person.telegram is not None:
                found.append(int(person.telegram))
        person_id = notification.person_id or notification.data.get("person")
        if not found and person_id and people is not None:
            person = people.get(person_id)
            if person is not None and person.telegram is not None:
                found.append(int(person.telegram))
        if not found and not notification.targets and self.config.get("chat_id") is not None:
            found.append(int(self.config["chat_id"]))
        if not found:
            raise DeliveryError(
                i18n.Text("telegram.no_chat", entity_id=self.entity_id), permanent=True
            )
        return list(dict.fromkeys(found))

    # -- sending ---------------------------------------------------------------------

    def _keyboard(self, chat_id: int, notification: Notification) -> dict[str, Any] | None:
        buttons = list(notification.buttons)
        alarm_id = notification.alarm_id or notification.data.get("alarm_id")
        if not buttons and alarm_id and notification.data.get("kind", "raised") in ACK_KINDS:
            buttons = [(i18n.t("telegram.button.acknowledge", "id"), f"ack:{alarm_id}")]
        row = []
        for label, action in buttons[:3]:
            data = callbacks.sign(self.key, chat_id, str(action))
            if data is None:
                self.log.warning(
                    "%s", i18n.Text("telegram.button_too_long", entity_id=self.entity_id)
                )
                continue
            row.append({"text": str(label)[:64] or "-", "callback_data": data})
        return {"inline_keyboard": [row]} if row else None

    @staticmethod
    def _photo(notification: Notification) -> tuple[str | None, bytes | None]:
        snapshots = notification.data.get("snapshots") or []
        path = notification.photo_path or (str(snapshots[0]) if snapshots else None)
        if path is not None:
            return path, None
        return None, notification.photo or None

    async def send(self, notification: Notification, *, context: Context) -> str | None:
        provider_ids: list[str] = []
        first_error: DeliveryError | None = None
        for chat_id in self._chats(notification):
            try:
                provider_ids.append(await self._send_to(chat_id, notification))
            except DeliveryError as err:
                first_error = first_error or err
        if not provider_ids and first_error is not None:
            raise first_error
        return provider_ids[0] if provider_ids else None

    async def _send_to(self, chat_id: int, n: Notification) -> str:
        alarm_id = n.alarm_id or n.data.get("alarm_id")
        kind = n.data.get("kind")
        lang = n.data.get("language") or n.language
        if alarm_id and kind in OUTCOMES:
            mine = [s for s in await self._restore(alarm_id) if s.chat_id == chat_id]
            if mine:  # the alert itself now says it: edited, not one more message
                await self._marked(alarm_id, kind)
                return mine[0].provider_id
        keyboard = self._keyboard(chat_id, n)
        reserve = EDIT_ROOM if alarm_id else 0
        path, data = self._photo(n)
        if path is not None or data is not None:
            caption, rest = photo_parts(n.title, n.message, reserve)
            parts = [caption]
            params: dict[str, Any] = {"chat_id": chat_id, "caption": caption, "parse_mode": "HTML"}
            if keyboard:
                params["reply_markup"] = keyboard
            sent = await self.api.upload("sendPhoto", params, "photo", path, data)
        else:
            parts = message_parts(n.title, n.message, TEXT_LIMIT, reserve)
            rest = parts[1:]
            params = {"chat_id": chat_id, "text": parts[0] or "-", "parse_mode": "HTML"}
            if keyboard:
                params["reply_markup"] = keyboard
            sent = await self.api.call("sendMessage", params)
        message_id = int(sent["message_id"])
        if alarm_id:
            self._remember(alarm_id, [Sent(chat_id, message_id, "photo" in sent, parts[0], lang)])
        for part in rest:  # the rest as replies to it; the alert itself is already out
            follow = {"chat_id": chat_id, "text": part, "parse_mode": "HTML",
                      "reply_parameters": {"message_id": message_id}}  # fmt: skip
            try:
                await self.patiently(lambda p=follow: self.api.call("sendMessage", p))
            except DeliveryError as err:
                self.log.warning(
                    "%s", i18n.Text("telegram.part_not_sent", entity_id=self.entity_id, error=err)
                )
                break
        return f"{chat_id}:{message_id}"

    def _remember(self, alarm_id: str, sent: list[Sent]) -> None:
        kept = self.sent.setdefault(alarm_id, [])
        kept.extend(sent)
        del kept[:-KEEP_PER_ALARM]
        self.sent.move_to_end(alarm_id)
        while len(self.sent) > KEEP_ALARMS:
            self.sent.popitem(last=False)

    async def _restore(self, alarm_id: str) -> list[Sent]:
        """This bot's alerts of the alarm: as remembered, or (after a restart)
        read back from the outbox's rows of them, so they are edited too."""
        if alarm_id in self.sent:
            return self.sent[alarm_id]
        found: list[Sent] = []
        records = getattr(getattr(self.hub, "recorder", None), "outbox", None)
        try:
            rows = await records.of_alarm(alarm_id, None) if records is not None else []
        except Exception as err:  # the database away: the alerts stay as they are
            self.log.warning("%s", i18n.Text("telegram.edit_failed", entity_id=self.entity_id,
                                              alarm_id=alarm_id, chat="-", error=err))  # fmt: skip
            rows = []
        for row in rows:
            if row.get("notifier") != self.entity_id or row.get("kind") not in ACK_KINDS:
                continue
            chat, _, message = str(row.get("provider_id") or "").partition(":")
            if not (chat.lstrip("-").isdigit() and message.isdigit()):
                continue
            body = row.get("body") or {}
            title, text = body.get("title"), str(body.get("message") or "")
            photo = bool(body.get("photo_path"))
            html = (
                photo_parts(title, text, EDIT_ROOM)[0]
                if photo
                else message_parts(title, text, TEXT_LIMIT, EDIT_ROOM)[0]
            )
            language = str(body.get("language") or self.hub.language)
            found.append(Sent(int(chat), int(message), photo, html, language))
        self._remember(alarm_id, found)
        return self.sent[alarm_id]

    async def patiently(self, act: Callable[[], Awaitable[Any]]) -> Any:
        """`act()`, waiting out Telegram's 429s (on the hub's clock) a few times."""
        for _ in range(PATIENCE):
            try:
                return await act()
            except DeliveryError as err:
                if err.retry_after is None:
                    raise
                await self.hub.clock.sleep(err.retry_after)
        return await act()

    # -- editing ---------------------------------------------------------------------

    async def edit(
        self, provider_message_id: str, notification: Notification, *, context: Context
    ) -> None:
        chat, _, message = provider_message_id.partition(":")
        try:
            chat_id, message_id = int(chat), int(message)
        except ValueError:
            raise DeliveryError(
                i18n.Text("telegram.bad_provider_id", id=provider_message_id[:40]), permanent=True
            ) from None
        known = next(
            (s for ss in self.sent.values() for s in ss if s.provider_id == provider_message_id),
            None,
        )
        keyboard = self._keyboard(chat_id, notification)
        if known is not None:
            limit = CAPTION_LIMIT if known.photo else TEXT_LIMIT
            html = message_parts(notification.title, notification.message, limit)[0]
            await self._edit(chat_id, message_id, known.photo, html, keyboard)
            return
        try:  # not one of ours since the start: a text, or else a photo's caption
            html = message_parts(notification.title, notification.message, TEXT_LIMIT)[0]
            await self._edit(chat_id, message_id, False, html, keyboard)
        except TelegramFailure as err:
            if NO_TEXT not in err.description:
                raise
            html = message_parts(notification.title, notification.message, CAPTION_LIMIT)[0]
            await self._edit(chat_id, message_id, True, html, keyboard)

    async def _edit(
        self,
        chat_id: int,
        message_id: int,
        photo: bool,
        html: str,
        keyboard: dict[str, Any] | None = None,
    ) -> None:
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "parse_mode": "HTML",
        }
        params["caption" if photo else "text"] = html
        if keyboard:
            params["reply_markup"] = keyboard  # none: the buttons go
        method = "editMessageCaption" if photo else "editMessageText"
        try:
            await self.patiently(lambda: self.api.call(method, params))
        except TelegramFailure as err:
            if not err.not_modified:  # the same words again: already as wanted
                raise

    def _outcome(self, event: Event) -> None:
        alarm_id = str(event.data.get("alarm_id", ""))
        kind = event.event_type.partition(".")[2]
        if alarm_id:
            self._start_marking(alarm_id, kind, event.data.get("who"))

    def _start_marking(self, alarm_id: str, kind: str, who: Any) -> asyncio.Task[None]:
        task = self._marking.get((alarm_id, kind))
        if task is None:
            at = self.hub.clock.timestamp()
            task = self.hub.create_task(
                self._mark(alarm_id, kind, who, at), f"{self.entity_id} edits"
            )
            self._marking[(alarm_id, kind)] = task
            task.add_done_callback(lambda _t: self._marking.pop((alarm_id, kind), None))
        return task

    async def _marked(self, alarm_id: str, kind: str) -> None:
        """The edits of `kind` of this alarm done (started here if the event has not yet)."""
        task = self._marking.get((alarm_id, kind))
        if task is None and not any(kind in s.lines for s in self.sent.get(alarm_id, ())):
            task = self._start_marking(alarm_id, kind, None)
        if task is not None:
            await asyncio.shield(task)

    async def _mark(self, alarm_id: str, kind: str, who: Any, at: float) -> None:
        """Every message of the alarm says who acknowledged (or closed) it and
        when, in its reader's language, and its button goes."""
        alerts = list(await self._restore(alarm_id))
        if not alerts:
            return  # none of this bot's
        if who is None:  # only the alarm's record knows
            record = await self.hub.recorder.alarms.get(alarm_id) or {}
            who = record.get("acknowledged_by" if kind == "acknowledged" else "closed_by")
            at = record.get(f"{kind}_at") or at
        people = getattr(self.hub, "people", None)
        person = people.get(str(who)) if people is not None and who else None
        name = person.name if person is not None else str(who or "system")
        for sent in alerts:
            when = i18n.format_time(at, self.hub.time_zone, sent.language)
            sent.lines[kind] = i18n.t(
                f"telegram.{kind}_line", sent.language, who=name[:64], time=when
            )
            limit = CAPTION_LIMIT if sent.photo else TEXT_LIMIT
            lines = list(sent.lines.values())
            html = f"{sent.html}\n\n" + "\n".join(escape(line) for line in lines)
            if units(html) > limit:
                html = f"{sent.html}\n\n{escape(lines[-1])}"
            try:
                await self._edit(sent.chat_id, sent.message_id, sent.photo, html)
            except DeliveryError as err:
                self.log.warning(
                    "%s",
                    i18n.Text(
                        "telegram.edit_failed",
                        entity_id=self.entity_id,
                        alarm_id=alarm_id,
                        chat=sent.chat_id,
                        error=err,
                    ),
                )
