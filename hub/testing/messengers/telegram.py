"""A fake Telegram Bot API on loopback, shaped like api.telegram.org.

`POST|GET /bot<token>/<method>` with JSON, form or multipart bodies; the
answers and errors carry the Bot API's envelope and descriptions word for
word (/work/shared/PROTOCOLS.md, core.telegram.org/bots/api). What it
enforces: the token, known chats and blocked users, parse_mode=HTML as the
API parses it, text and caption lengths after parsing, callback_data bytes,
"message is not modified", callback answers that come too late, one poller
at a time and never while a webhook is set, per-chat / per-group / overall
rate limits with `retry_after` (a flood wait: refused until it has passed).

A test plays the people: `add_user`, `add_group`, `block`, `send_text`
(a user writes to the bot), `tap` (a user presses an inline button); the
updates go to `getUpdates` or, once a webhook is set, are POSTed to it with
`X-Telegram-Bot-Api-Secret-Token`. Every request is in `requests`;
`wait_for` / `wait_for_call` wait on what the fake sees, never on time.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from hub.core.clock import Clock

from .common import Call, LoopbackServer, SlidingLimit, Upload, Window, whole_seconds
from .control import telegram_routes
from .images import image_size
from .telegram_api import (
    CALLBACK_ANSWER_LIMIT,
    CAPTION_LIMIT,
    DEFAULT_TOKEN,
    NOT_MODIFIED,
    PHOTO_LIMIT,
    QUERY_TOO_OLD,
    REQUEST_LIMIT,
    STATUS_TEXT,
    TEXT_LIMIT,
    ApiError,
    flag,
    inline_markup,
    int_param,
    json_param,
    markup_of,
    read_params,
    too_many_requests,
)
from .telegram_html import HtmlError, parse_html
from .telegram_updates import Updates, Webhook, WebhookPost

PER_CHAT, PER_GROUP, OVERALL = Window(1, 1.0), Window(20, 60.0), Window(30, 1.0)
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class TelegramLimits:
    """The limits Telegram applies (not published exactly; PROTOCOLS.md):
    about 1 message a second per chat, 20 a minute per group, about 30 a
    second overall. `None` lifts one; `FakeTelegram(limits=None)` all."""

    per_chat: Window | None = PER_CHAT
    per_group: Window | None = PER_GROUP
    overall: Window | None = OVERALL
    edits_count: bool = True  # editMessage* count against the same windows


@dataclass
class _Query:
    id: str
    created: float
    chat_id: int
    message_id: int
    answered: bool = False
    answer: dict[str, Any] | None = None


@dataclass
class _Chat:
    info: dict[str, Any]
    blocked: bool = False
    kicked: bool = False  # the bot was removed from the group
    migrated_to: int | None = None  # the group became this supergroup
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def id(self) -> int:
        return int(self.info["id"])

    @property
    def is_group(self) -> bool:
        return self.info["type"] in ("group", "supergroup")


# every method the fake answers, by its lower-case name (method names are case-insensitive)
METHODS = (
    "getMe",
    "sendMessage",
    "sendPhoto",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "deleteMessage",
    "setMyCommands",
)
_BY_LOWER = {name.lower(): name for name in METHODS}
_SENDING = {"sendMessage", "sendPhoto"}
_EDITING = {"editMessageText", "editMessageCaption", "editMessageReplyMarkup"}


class FakeTelegram(LoopbackServer):
    """`async with FakeTelegram() as tg:` then point the bot at `tg.url`
    (aiogram: `TelegramAPIServer.from_base(tg.url)`) with `tg.token`."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "sigap_bot",
        bot_name: str = "Sigap",
        clock: Clock | None = None,
        limits: TelegramLimits | None = TelegramLimits(),
        callback_expiry: float = 15.0,
        strict_html: bool = True,
        webhook_retry: float = 1.0,
        webhook_timeout: float = 10.0,
        control: bool = False,
    ) -> None:
        super().__init__(clock)
        self.control = control  # the /fake/ routes of control.py (a fake run on its own)
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.callback_expiry = callback_expiry  # how long a tap waits for its answer
        self.strict_html = strict_html
        self.updates = Updates(
            self.clock, self.changed, retry=webhook_retry, timeout=webhook_timeout
        )
        self.users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, _Chat] = {}
        self._query_ids = itertools.count(1)
        self._queries: dict[str, _Query] = {}
        self._files: dict[str, bytes] = {}
        self._file_ids = itertools.count(1)
        self._webhook_said = ""
        self.set_limits(limits)

    # -- lifetime ---------------------------------------------------------

    @property
    def api_url(self) -> str:
        """The base of every method's URL: `{api_url}/sendMessage`."""
        return f"{self.url}/bot{self.token}"

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=REQUEST_LIMIT)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        if self.control:
            app.add_routes(telegram_routes(self))
        return app

    async def stop(self) -> None:
        await self.updates.close()
        await super().stop()

    # -- limits -------------------------------------------------------------

    def set_limits(self, limits: TelegramLimits | None) -> None:
        """New limits from now on (`None`: none, for benchmarks)."""
        self.limits = limits
        self._windows: list[tuple[str, SlidingLimit]] = []
        if limits is None:
            return
        for scope, window in (
            ("overall", limits.overall),
            ("chat", limits.per_chat),
            ("group", limits.per_group),
        ):
            if window is not None:
                self._windows.append((scope, SlidingLimit(window, self.clock)))

    def lift_limits(self) -> None:
        self.set_limits(None)

    def _keys(self, chat: _Chat) -> dict[str, Any]:
        return {"overall": "bot", "chat": chat.id, "group": chat.id if chat.is_group else None}

    def _check_rate(self, chat: _Chat, method: str) -> None:
        if method in _EDITING and not (self.limits and self.limits.edits_count):
            return
        keys = self._keys(chat)
        wait = max(
            (limit.retry_after(keys[scope]) for scope, limit in self._windows if keys[scope]),
            default=0.0,
        )
        if wait > 0:
            raise too_many_requests(whole_seconds(wait))

    def _count_rate(self, chat: _Chat, method: str) -> None:
        if method in _EDITING and not (self.limits and self.limits.edits_count):
            return
        keys = self._keys(chat)
        for scope, limit in self._windows:
            if keys[scope]:
                limit.count(keys[scope])

    # -- the people and chats a test plays ----------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str = "Petugas",
        *,
        username: str | None = None,
        language_code: str = "id",
        started: bool = True,
    ) -> dict[str, Any]:
        """A Telegram user; `started`: they pressed Start, so the bot may write to them."""
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        user["language_code"] = language_code
        self.users[user_id] = user
        if started and user_id not in self._chats:
            info = {"id": user_id, "first_name": first_name, "type": "private"}
            if username:
                info["username"] = username
            self._chats[user_id] = _Chat(info)
        return user

    def add_group(
        self, chat_id: int, title: str = "Piket", *, supergroup: bool = True
    ) -> dict[str, Any]:
        info = {"id": chat_id, "title": title, "type": "supergroup" if supergroup else "group"}
        self._chats[chat_id] = _Chat(info)
        return info

    def block(self, user_id: int, blocked: bool = True) -> None:
        """The user blocks the bot (403 from now on), or unblocks it."""
        self._chat(user_id).blocked = blocked

    def kick(self, chat_id: int) -> None:
        """The bot is removed from a group (403 from now on)."""
        self._chat(chat_id).kicked = True

    def upgrade_group(self, chat_id: int, supergroup_id: int) -> dict[str, Any]:
        """A group becomes a supergroup with a new id: sends to the old id
        get 400 with `parameters.migrate_to_chat_id`."""
        old = self._chat(chat_id)
        old.migrated_to = supergroup_id
        return self.add_group(supergroup_id, old.info.get("title", ""), supergroup=True)

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in a chat as they are now (edits applied), oldest first."""
        return [dict(m) for m in self._chat(chat_id).messages.values()]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        return dict(self._chat(chat_id).messages[message_id])

    def photo(self, chat_id: int, message_id: int) -> bytes:
        """The bytes uploaded for a photo message."""
        sizes = self._chat(chat_id).messages[message_id]["photo"]
        return self._files[sizes[-1]["file_id"]]

    def _chat(self, chat_id: int) -> _Chat:
        return self._chats[chat_id]

    # -- updates a test makes -----------------------------------------------

    def send_text(self, user_id: int, text: str, *, chat_id: int | None = None) -> dict[str, Any]:
        """The user writes `text` to the bot (in their private chat, or in a group)."""
        user = self.users.get(user_id) or self.add_user(user_id)
        if chat_id is None and user_id not in self._chats:
            self.add_user(user_id, user["first_name"], language_code=user["language_code"])
        chat = self._chat(user_id if chat_id is None else chat_id)
        chat.blocked = False  # writing to a bot unblocks it
        message: dict[str, Any] = {
            "message_id": next(chat.ids),
            "from": dict(user),
            "chat": dict(chat.info),
            "date": int(self.clock.timestamp()),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
        return self._add_update({"message": message})

    def tap(
        self,
        chat_id: int,
        message_id: int,
        *,
        user_id: int,
        data: str | None = None,
        forged: bool = False,
    ) -> dict[str, Any]:
        """`user_id` presses the button of the bot's message whose callback_data
        is `data` (the first button when None). A button the message does not
        have is refused unless `forged` (a modified client sends anything)."""
        chat = self._chat(chat_id)
        message = chat.messages[message_id]
        buttons = [
            b
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row
            if "callback_data" in b
        ]
        if data is None:
            if not buttons:
                raise ValueError(f"message {message_id} in chat {chat_id} has no button")
            data = buttons[0]["callback_data"]
        elif not forged and data not in {b["callback_data"] for b in buttons}:
            raise ValueError(f"message {message_id} in chat {chat_id} has no button {data!r}")
        user = self.users.get(user_id) or self.add_user(user_id, started=False)
        query_id = f"{self.bot_id % 10**6}{next(self._query_ids):012d}"
        self._queries[query_id] = _Query(query_id, self.clock.monotonic(), chat_id, message_id)
        return self._add_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": dict(user),
                    "message": dict(message),
                    "chat_instance": str(abs(chat_id) * 7919 % 10**19),
                    "data": data,
                }
            }
        )

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        """What the bot answered to a tap (None while unanswered)."""
        return self._queries[query_id].answer

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self.updates.pending)

    def _add_update(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.updates.add(body)

    # -- the webhook, as the test sees it ---------------------------------------

    @property
    def webhook(self) -> Webhook | None:
        return self.updates.webhook

    @property
    def webhook_posts(self) -> list[WebhookPost]:
        return self.updates.posts

    @property
    def webhook_retry(self) -> float:
        return self.updates.retry

    async def post_to_webhook(
        self,
        update: Mapping[str, Any],
        *,
        secret_token: str | None = None,
        url: str | None = None,
    ) -> WebhookPost:
        """POST one update to the webhook as Telegram does, with the secret
        set by setWebhook, or with `secret_token` (a forger's guess)."""
        return await self.updates.post(update, secret_token=secret_token, url=url)

    async def wait_delivered(self, update: Mapping[str, Any], within: float = 5.0) -> WebhookPost:
        """The webhook POST of `update` the hub answered with 2xx."""
        update_id = update["update_id"]

        def delivered() -> WebhookPost | None:
            posts = (p for p in self.webhook_posts if p.update_id == update_id)
            return next((p for p in posts if 200 <= p.status < 300), None)

        return await self.wait_for(delivered, within)

    # -- the HTTP side --------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["method"]
        method = _BY_LOWER.get(name.lower(), name)
        call = Call(method, {}, headers=dict(request.headers), at=self.clock.monotonic())
        self.requests.append(call)
        try:
            call.params, call.files = await read_params(request)
        except ApiError as error:
            return self._answer(call, error.envelope(), error.code)
        self.changed()
        fault = self.faults.take(method)
        try:
            if fault is not None and fault.kind == "hang" and not fault.after_effect:
                await self.faults.hang()
                return web.Response(status=502, text="Bad Gateway")
            if fault is not None and fault.kind == "error":
                raise ApiError(fault.status, STATUS_TEXT.get(fault.status, "Internal Server Error"))
            if fault is not None and fault.kind == "throttle":
                raise too_many_requests(fault.retry_after)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if method not in METHODS:
                raise ApiError(404, "Not Found")
            handler = getattr(self, f"_m_{method}")
            result = await handler(call.params, call.files)
        except ApiError as error:
            return self._answer(call, error.envelope(), error.code)
        body = {"ok": True, "result": result}
        if isinstance(result, bool) and method in ("setWebhook", "deleteWebhook"):
            body["description"] = self._webhook_said
        if fault is not None and fault.kind == "hang":  # done, but the answer never comes
            await self.faults.hang()
            return web.Response(status=502, text="Bad Gateway")
        return self._answer(call, body, 200)

    def _answer(self, call: Call, body: dict[str, Any], status: int) -> web.Response:
        call.status, call.response = status, body
        self.changed()
        return web.json_response(body, status=status)

    # -- methods --------------------------------------------------------------

    async def _m_getMe(self, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        return dict(self.bot)

    async def _m_setMyCommands(self, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        json_param(p, "commands", "can't parse commands JSON object")
        return True

    async def _m_sendMessage(self, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._target(p)
        text, entities = self._parse(p.get("text"), p.get("parse_mode"), "text")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = inline_markup(p)
        self._check_rate(chat, "sendMessage")
        message = self._new_message(chat, {"text": text}, entities, "entities", markup)
        self._count_rate(chat, "sendMessage")
        return message

    async def _m_sendPhoto(self, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._target(p)
        data = self._photo_bytes(p, files)
        caption, entities = self._parse(p.get("caption", ""), p.get("parse_mode"), "caption")
        if len(caption) > CAPTION_LIMIT:
            raise ApiError(400, "Bad Request: message caption is too long")
        markup = inline_markup(p)
        self._check_rate(chat, "sendPhoto")
        content: dict[str, Any] = {"photo": self._photo_sizes(data)}
        if caption:
            content["caption"] = caption
        message = self._new_message(chat, content, entities, "caption_entities", markup)
        self._count_rate(chat, "sendPhoto")
        return message

    async def _m_editMessageText(self, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat, message = self._to_edit(p)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._parse(p.get("text"), p.get("parse_mode"), "text")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        # like the real API: an edit without reply_markup removes the keyboard
        return self._edit(chat, message, {"text": text}, entities, "entities", inline_markup(p))

    async def _m_editMessageCaption(self, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat, message = self._to_edit(p)
        if "photo" not in message:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, entities = self._parse(p.get("caption", ""), p.get("parse_mode"), "caption")
        if len(caption) > CAPTION_LIMIT:
            raise ApiError(400, "Bad Request: message caption is too long")
        content = {"caption": caption} if caption else {}
        return self._edit(
            chat, message, content, entities, "caption_entities", inline_markup(p), "caption"
        )

    async def _m_editMessageReplyMarkup(self, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat, message = self._to_edit(p)
        markup = inline_markup(p)  # none: the buttons go
        if markup_of(message) == markup:
            raise ApiError(400, NOT_MODIFIED)
        self._check_rate(chat, "editMessageReplyMarkup")
        self._set_markup(message, markup)
        message["edit_date"] = int(self.clock.timestamp())
        self._count_rate(chat, "editMessageReplyMarkup")
        return dict(message)

    async def _m_deleteMessage(self, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        chat = self._target(p)
        message_id = int_param(p, "message_id", "Bad Request: message identifier is not specified")
        if chat.messages.pop(message_id, None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _m_answerCallbackQuery(self, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        query = self._queries.get(str(p.get("callback_query_id", "")))
        if (
            query is None
            or query.answered
            or self.clock.monotonic() - query.created > self.callback_expiry
        ):
            raise ApiError(400, QUERY_TOO_OLD)
        text = str(p.get("text", ""))
        if len(text) > CALLBACK_ANSWER_LIMIT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        query.answered = True
        query.answer = {"text": text, "show_alert": flag(p.get("show_alert"))}
        return True

    async def _m_getUpdates(self, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        offset = int_param(p, "offset", None) if "offset" in p else None
        limit = min(100, max(1, int_param(p, "limit", None) if "limit" in p else 100))
        timeout = max(0, int_param(p, "timeout", None) if "timeout" in p else 0)
        return await self.updates.get(offset, limit, timeout)

    async def _m_setWebhook(self, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        url = str(p.get("url", ""))
        if not url:
            return await self._m_deleteWebhook(p, files)
        parts = urlsplit(url)
        # the fake lets a loopback http URL through: no certificate on a test machine
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOOPBACK):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = p.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        allowed = json_param(p, "allowed_updates", "can't parse allowed_updates JSON array")
        hook = Webhook(
            url,
            None if secret is None else str(secret),
            max_connections=int_param(p, "max_connections", None) if "max_connections" in p else 40,
            allowed_updates=allowed,
        )
        await self.updates.set_webhook(hook, drop_pending=flag(p.get("drop_pending_updates")))
        self._webhook_said = "Webhook was set"
        return True

    async def _m_deleteWebhook(self, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        was_set = await self.updates.delete_webhook(
            drop_pending=flag(p.get("drop_pending_updates"))
        )
        self._webhook_said = "Webhook was deleted" if was_set else "Webhook is already deleted"
        return True

    async def _m_getWebhookInfo(self, p: dict[str, Any], files: dict[str, Upload]) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates.pending),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook.max_connections
            info["ip_address"] = "127.0.0.1"
            if self.webhook.last_error_date is not None:
                info["last_error_date"] = self.webhook.last_error_date
                info["last_error_message"] = self.webhook.last_error_message
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = self.webhook.allowed_updates
        return info

    # -- method helpers ----------------------------------------------------------

    def _target(self, p: Mapping[str, Any]) -> _Chat:
        raw = p.get("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat = self._find_chat(raw)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat.kicked:
            kind = "supergroup" if chat.info["type"] == "supergroup" else "group"
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                parameters={"migrate_to_chat_id": chat.migrated_to},
            )
        return chat

    def _find_chat(self, raw: Any) -> _Chat | None:
        text = str(raw)
        if text.startswith("@"):
            return next(
                (c for c in self._chats.values() if c.info.get("username") == text[1:]), None
            )
        try:
            return self._chats.get(int(text))
        except ValueError:
            return None

    def _to_edit(self, p: Mapping[str, Any]) -> tuple[_Chat, dict[str, Any]]:
        if "inline_message_id" in p:
            raise ApiError(
                400, "Bad Request: MESSAGE_ID_INVALID"
            )  # the fake sends no inline messages
        chat = self._target(p)
        message_id = int_param(p, "message_id", "Bad Request: message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return chat, message

    def _parse(self, raw: Any, parse_mode: Any, what: str) -> tuple[str, list[dict[str, Any]]]:
        text = "" if raw is None else str(raw)
        mode = str(parse_mode or "")
        if not mode:
            return text, []
        if mode.lower() == "html":
            try:
                return parse_html(text, strict=self.strict_html)
            except HtmlError as error:
                raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None
        if mode.lower() in ("markdown", "markdownv2"):
            return text, []  # the fake reads Markdown as plain text; Sigap writes HTML
        raise ApiError(400, "Bad Request: unsupported parse_mode")

    def _photo_bytes(self, p: Mapping[str, Any], files: Mapping[str, Upload]) -> bytes:
        upload = files.get("photo")
        if upload is None:
            ref = p.get("photo")
            if not ref:
                raise ApiError(400, "Bad Request: there is no photo in the request")
            ref = str(ref)
            if ref.startswith("attach://"):
                upload = files.get(ref[len("attach://") :])
            elif ref in self._files:
                return self._files[ref]
            if upload is None:  # a URL: the fake fetches nothing from the Internet
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        data = upload.data
        if not data:
            raise ApiError(400, "Bad Request: file must be non-empty")
        if len(data) > PHOTO_LIMIT:
            raise ApiError(400, "Bad Request: PHOTO_SAVE_FILE_INVALID")
        size = image_size(data)
        if size is None:
            raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        _, width, height = size
        if width + height > 10000 or max(width, height) > 20 * max(1, min(width, height)):
            raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        return data

    def _photo_sizes(self, data: bytes) -> list[dict[str, Any]]:
        size = image_size(data)
        width, height = (size[1], size[2]) if size else (0, 0)
        n = next(self._file_ids)
        file_id = f"AgACAgUAAxkDAAI{n:08d}"
        self._files[file_id] = data
        return [
            {
                "file_id": file_id,
                "file_unique_id": f"AQAD{n:08d}",
                "file_size": len(data),
                "width": width,
                "height": height,
            }
        ]

    def _new_message(
        self,
        chat: _Chat,
        content: dict[str, Any],
        entities: list[dict[str, Any]],
        entities_key: str,
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(chat.ids),
            "from": {k: self.bot[k] for k in ("id", "is_bot", "first_name", "username")},
            "chat": dict(chat.info),
            "date": int(self.clock.timestamp()),
            **content,
        }
        if entities:
            message[entities_key] = entities
        self._set_markup(message, markup)
        chat.messages[message["message_id"]] = message
        return dict(message)

    def _edit(
        self,
        chat: _Chat,
        message: dict[str, Any],
        content: dict[str, Any],
        entities: list[dict[str, Any]],
        entities_key: str,
        markup: dict[str, Any] | None,
        field_name: str = "text",
    ) -> dict[str, Any]:
        before = (message.get(field_name, ""), message.get(entities_key, []), markup_of(message))
        after = (content.get(field_name, ""), entities, markup)
        if before == after:
            raise ApiError(400, NOT_MODIFIED)
        method = "editMessageText" if field_name == "text" else "editMessageCaption"
        self._check_rate(chat, method)
        message.pop(field_name, None)
        message.pop(entities_key, None)
        message.update(content)
        if entities:
            message[entities_key] = entities
        self._set_markup(message, markup)
        message["edit_date"] = int(self.clock.timestamp())
        self._count_rate(chat, method)
        return dict(message)

    @staticmethod
    def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
