"""The Bot API's shapes as the fake Telegram answers them: the error
envelope and its descriptions word for word, the limits of texts, captions
and buttons, and how a method's parameters arrive (query string, JSON, form
or multipart, with JSON-encoded fields in forms)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from .common import Upload, read_form

DEFAULT_TOKEN = "123456789:AAHfakeTokenForSigapTests-0123456789"

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_LIMIT = 200
PHOTO_LIMIT = 10 * 1024 * 1024
REQUEST_LIMIT = 50 * 1024 * 1024

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CONFLICT_POLLER = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
BAD_BUTTON = "Bad Request: can't parse inline keyboard button: "


class ApiError(Exception):
    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        *,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = dict(parameters or {})
        if retry_after is not None:
            self.parameters["retry_after"] = retry_after

    @property
    def retry_after(self) -> int | None:
        return self.parameters.get("retry_after")

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


STATUS_TEXT = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """The method's parameters from the query string and a JSON, form or
    multipart body (the three ways the Bot API accepts)."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if not request.body_exists:
        return params, files
    kind = request.content_type
    if kind == "application/json":
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON object") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON object expected")
        params.update(body)
    else:
        too_big = lambda: ApiError(413, "Request Entity Too Large")  # noqa: E731
        await read_form(request, params, files, REQUEST_LIMIT, too_big)
    return params, files


def int_param(p: Mapping[str, Any], key: str, missing: str | None) -> int:
    value = p.get(key)
    if value is None or value == "":
        if missing is None:
            raise ApiError(400, f"Bad Request: {key} is empty")
        raise ApiError(400, missing)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {key} specified") from None


def flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


def json_param(p: Mapping[str, Any], key: str, error: str) -> Any:
    value = p.get(key)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: {error}") from None
    return value


def markup_of(message: Mapping[str, Any]) -> dict[str, Any] | None:
    return message.get("reply_markup")


def inline_markup(p: Mapping[str, Any]) -> dict[str, Any] | None:
    """The inline keyboard of `reply_markup`, checked as the API checks it
    (None when there is none; other keyboards are not kept on the message)."""
    markup = json_param(p, "reply_markup", "can't parse reply keyboard markup JSON object")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return None
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise ApiError(400, f"{BAD_BUTTON}InlineKeyboardMarkup.inline_keyboard: Array of Arrays")
    for row in rows:
        for button in row:
            _check_button(button)
    kept = [[dict(b) for b in row] for row in rows if row]
    return {"inline_keyboard": kept} if kept else None


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise ApiError(400, f'{BAD_BUTTON}Field "text" must be of type String')
    if not button["text"]:
        raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    elif "url" in button:
        if not str(button["url"]).startswith(("http://", "https://", "tg://")):
            raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
    elif not any(k in button for k in ("login_url", "switch_inline_query", "web_app", "pay")):
        raise ApiError(400, f"{BAD_BUTTON}Text buttons are unallowed in the inline keyboard")
