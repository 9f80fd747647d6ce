"""What people send the bot: taps on an alert's button and chat commands.

A tap is believed only when its callback_data carries this bot's
signature for that chat; it is answered at once (or the person's button
spins), then acknowledges the alarm as the person the Telegram user is,
whose role and site the alarm room checks. Someone who is no configured
person gets one polite refusal and an audit record for every try, and
learns nothing else."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import TYPE_CHECKING, Any

from hub import Context, DeliveryError, LogRate, i18n

from . import callbacks
from .commands import Commands
from .html import TEXT_LIMIT, escape, message_parts

if TYPE_CHECKING:
    from .notifier import TelegramNotifier

SEEN = 1000  # update ids remembered: a webhook may deliver one twice
MAX_STRANGERS = 1000  # users refused once; past it the oldest are forgotten
HANDLE_LIMIT = 60.0  # seconds one update may take (a snapshot over RTSP takes a few)
_LOGGER = logging.getLogger("hub.notify.telegram")


def language_of(person: Any, user: dict[str, Any], fallback: str) -> str:
    if person is not None:
        return person.language
    code = str(user.get("language_code", ""))[:2]
    return code if code in i18n.LANGUAGES else fallback


class Inbox:
    def __init__(self, notifier: TelegramNotifier) -> None:
        self.notifier = notifier
        self.hub = notifier.hub
        self._seen: deque[int] = deque(maxlen=SEEN)
        self._strangers: dict[int, None] = {}
        self.commands = Commands(self)
        self.log = LogRate(_LOGGER, language=lambda: i18n.console_language(self.hub.language))

    async def handle(self, update: dict[str, Any]) -> None:
        """One update; nothing it holds can break the poller or the webhook."""
        update_id = update.get("update_id")
        if update_id in self._seen:
            return
        self._seen.append(update_id)
        try:
            async with asyncio.timeout(HANDLE_LIMIT):
                if isinstance(update.get("callback_query"), dict):
                    await self._tap(update["callback_query"])
                elif isinstance(update.get("message"), dict):
                    await self._message(update["message"])
        except Exception as err:  # one bad update is skipped, said once a minute
            n = self.notifier
            self.log.log(
                (n.entity_id, "update"),
                logging.WARNING,
                i18n.Text("telegram.update_failed", entity_id=n.entity_id, why=type(err).__name__),
            )

    # -- who is asking -----------------------------------------------------------------

    def person(self, user: dict[str, Any]) -> Any:
        people = getattr(self.hub, "people", None)
        user_id = user.get("id")
        if people is None or not isinstance(user_id, int):
            return None
        return people.by_identity("telegram", user_id)

    def context(self, person: Any, user_id: int) -> Context:
        return Context(user_id=person.id, actor=f"telegram:{user_id}")

    def audit(self, who: str, reason: str, **data: Any) -> None:
        self.hub.recorder.audit(
            {"who": who, "action": "refused", "entity_id": self.notifier.entity_id,
             "reason": reason, "data": data}
        )  # fmt: skip

    def _first_refusal(self, user_id: int) -> bool:
        n = self.notifier
        self.log.log(
            (n.entity_id, "stranger"),
            logging.INFO,
            i18n.Text("telegram.stranger_log", entity_id=n.entity_id, user=user_id),
        )
        if user_id in self._strangers:
            return False
        if len(self._strangers) >= MAX_STRANGERS:
            self._strangers.pop(next(iter(self._strangers)))
        self._strangers[user_id] = None
        return True

    # -- taps ------------------------------------------------------------------------------

    async def answer(self, query_id: str, text: str = "", alert: bool = False) -> None:
        params: dict[str, Any] = {"callback_query_id": query_id}
        if text:
            params.update(text=text[:200], show_alert=alert)
        try:
            await self.notifier.api.call("answerCallbackQuery", params)
        except DeliveryError as err:  # too late or gone: the button stops spinning anyway
            _LOGGER.debug("%s: callback not answered: %s", self.notifier.entity_id, err)

    async def _tap(self, query: dict[str, Any]) -> None:
        n = self.notifier
        query_id = str(query.get("id", ""))
        user = query.get("from") if isinstance(query.get("from"), dict) else {}
        user_id = user.get("id") if isinstance(user.get("id"), int) else 0
        message = query.get("message") if isinstance(query.get("message"), dict) else {}
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        chat_id = chat.get("id")
        person = self.person(user)
        lang = language_of(person, user, self.hub.language)
        action = callbacks.verify(n.key, chat_id, str(query.get("data", ""))) if chat_id else None
        if person is None:
            self.audit(f"telegram:{user_id}", "telegram.unknown_user", what="callback")
            first = self._first_refusal(user_id)
            await self.answer(query_id, i18n.t("telegram.unknown_user", lang) if first else "")
            return
        if action is None:
            self.audit(person.id, "telegram.forged_callback", user=user_id, chat=chat_id)
            self.log.log(
                (n.entity_id, "forged"),
                logging.WARNING,
                i18n.Text("telegram.forged_log", entity_id=n.entity_id, person=person.id),
            )
            await self.answer(query_id, i18n.t("telegram.forged", lang), alert=True)
            return
        await self.answer(query_id)  # at once: the rest may take a moment
        if action.startswith("ack:"):
            context = self.context(person, user_id)
            done, said = await self.acknowledge(person, context, action[4:])
            if not done:
                reply_to = message.get("message_id")
                await self.say(chat_id, escape(said), reply_to=reply_to)

    async def acknowledge(self, person: Any, context: Context, alarm_id: str) -> tuple[bool, str]:
        """alarm.acknowledge as the person; (acknowledged now, what to tell them)."""
        lang = person.language
        try:
            answer = await self.hub.services.call(
                "alarm", "acknowledge", {"alarm_id": alarm_id[:64]}, context
            )
        except Exception as err:  # refused (not their site) or unknown: said politely
            said = i18n.message(err)
            if isinstance(said, i18n.Text) and said.key.startswith("alarm.denied"):
                return False, i18n.t("telegram.ack_refused", lang)
            return False, i18n.render(said, lang) if isinstance(said, i18n.Text) else (
                i18n.t("telegram.ack_failed", lang)
            )
        return bool(answer.get("acknowledged")), str(answer.get("message") or "")

    # -- messages ----------------------------------------------------------------------

    async def say(self, chat_id: Any, html: str, *, reply_to: Any = None) -> None:
        """A reply (HTML already escaped), cut to Telegram's length; a reply
        that cannot go is one log line, never an error for the update."""
        n = self.notifier
        for index, part in enumerate(message_parts(None, html, TEXT_LIMIT)):
            params: dict[str, Any] = {"chat_id": chat_id, "text": part, "parse_mode": "HTML"}
            if reply_to and index == 0:
                params["reply_parameters"] = {
                    "message_id": reply_to,
                    "allow_sending_without_reply": True,
                }
            try:
                await n.patiently(lambda p=params: n.api.call("sendMessage", p))
            except DeliveryError as err:
                _LOGGER.warning(
                    "%s", i18n.Text("telegram.reply_failed", entity_id=n.entity_id, error=err)
                )
                return

    async def _message(self, message: dict[str, Any]) -> None:
        user = message.get("from") if isinstance(message.get("from"), dict) else {}
        chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
        text = message.get("text") if isinstance(message.get("text"), str) else ""
        private = chat.get("type") == "private"
        if not private and not text.startswith("/"):
            return  # talk in a group is not for the bot
        person = self.person(user)
        if person is None:
            user_id = user.get("id") if isinstance(user.get("id"), int) else 0
            self.audit(f"telegram:{user_id}", "telegram.unknown_user", what="message")
            if self._first_refusal(user_id) and private:
                lang = language_of(None, user, self.hub.language)
                await self.say(chat.get("id"), escape(i18n.t("telegram.unknown_user", lang)))
            return
        await self.commands.run(person, user, chat, text, private)
