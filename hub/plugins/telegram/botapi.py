"""The Bot API client: `POST {api_url}/bot<token>/<method>` with JSON, or
multipart for a photo, and Telegram's error envelope mapped to what the
outbox understands.

The token is part of every URL, so no URL ever leaves this module: an
aiohttp error is turned into the kind of failure it was (its text names
the URL), and Telegram's own descriptions, which never hold the token, are
kept word for word (they are what docs/messengers.md explains)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp

from hub import DeliveryError, i18n, shown

PHOTO_LIMIT = 10 * 1024 * 1024
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
NOT_MODIFIED = "message is not modified"
DEFAULT_RETRY_AFTER = 5.0


class TelegramFailure(DeliveryError):
    """A refusal by Telegram: `code` is its error_code (0: no answer at all),
    `description` its words."""

    def __init__(self, code: int, description: str, text: Any, **kw: Any) -> None:
        super().__init__(text, **kw)
        self.code = code
        self.description = description

    @property
    def not_modified(self) -> bool:
        return self.code == 400 and NOT_MODIFIED in self.description


def failure(status: int, body: Any) -> TelegramFailure:
    """The DeliveryError of one answer that was not ok."""
    if not isinstance(body, dict) or body.get("ok") is not False:
        return TelegramFailure(status, "", i18n.Text("telegram.http_error", status=status))
    try:
        code = int(body.get("error_code") or status)
    except (TypeError, ValueError):
        code = status
    # Telegram's words, as a log line may carry them (a control character escaped)
    words = shown(body.get("description", ""), 300)
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    if code == 429:
        try:
            wait = float(parameters.get("retry_after", DEFAULT_RETRY_AFTER))
        except (TypeError, ValueError):
            wait = DEFAULT_RETRY_AFTER
        text = i18n.Text("telegram.rate_limited", seconds=round(wait), words=words)
        return TelegramFailure(code, words, text, retry_after=max(wait, 1.0))
    if code == 401 or code == 404:
        return TelegramFailure(code, words, i18n.Text("telegram.bad_token", words=words),
                               permanent=True)  # fmt: skip
    if code >= 500:
        return TelegramFailure(code, words, i18n.Text("telegram.server_error", code=code,
                                                      words=words))  # fmt: skip
    # 403 blocked / kicked, 400 chat not found, a bad request: sending it again cannot help
    # (409 is only getUpdates': the poller reports it, nothing is sent)
    return TelegramFailure(
        code, words, i18n.Text("telegram.refused", code=code, words=words), permanent=code != 409
    )


class BotApi:
    """One bot's methods. `timeout` bounds a plain call, `upload_timeout` a
    photo upload (a 10 MB picture over a slow uplink takes a while)."""

    def __init__(self, base: str, token: str, timeout: float, upload_timeout: float) -> None:
        self._url = f"{base.rstrip('/')}/bot{token}"
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._upload_timeout = aiohttp.ClientTimeout(total=upload_timeout)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, seconds: float | None = None
    ) -> Any:
        """The `result` of `method` called with a JSON body."""
        bound = aiohttp.ClientTimeout(total=seconds) if seconds is not None else None
        return await self._post(method, bound, json=params or {})

    async def upload(
        self,
        method: str,
        params: dict[str, Any],
        field: str,
        path: str | None = None,
        data: bytes | None = None,
    ) -> Any:
        """The `result` of `method` with `params` and one file as multipart
        (the file read off the loop; at most Telegram's 10 MB for a photo)."""
        if path is not None:
            file = Path(path)
            try:
                data = await asyncio.to_thread(file.read_bytes)
            except OSError as err:
                raise TelegramFailure(
                    0, "", i18n.Text("telegram.no_file", path=file.name, why=err.strerror or err),
                    permanent=True,
                ) from None  # fmt: skip
            name, mime = file.name, IMAGE_TYPES.get(file.suffix.lower(), "image/jpeg")
        else:
            png = (data or b"").startswith(b"\x89PNG")
            name, mime = ("photo.png", "image/png") if png else ("photo.jpg", "image/jpeg")
        if not data or len(data) > PHOTO_LIMIT:
            raise TelegramFailure(
                0, "", i18n.Text("telegram.photo_size", size=len(data or b"")), permanent=True
            )
        form = aiohttp.FormData()
        for key, value in params.items():
            text = json.dumps(value) if isinstance(value, dict | list) else str(value)
            form.add_field(key, text)
        form.add_field(field, data, filename=name, content_type=mime)
        return await self._post(method, self._upload_timeout, data=form)

    async def _post(self, method: str, bound: aiohttp.ClientTimeout | None, **kw: Any) -> Any:
        options: dict[str, Any] = {"timeout": bound} if bound is not None else {}
        try:
            async with self._http().post(f"{self._url}/{method}", **kw, **options) as response:
                try:
                    body = await response.json(content_type=None)
                except (ValueError, aiohttp.ClientError):
                    body = None
                if isinstance(body, dict) and body.get("ok") is True:
                    return body.get("result")
                raise failure(response.status, body)
        except (TimeoutError, aiohttp.ClientError) as err:
            kind = type(err).__name__
        # raised outside the handler: the aiohttp error, whose text holds the URL
        # and so the token, is not even kept as this one's __context__
        raise TelegramFailure(0, "", i18n.Text("telegram.unreachable", method=method, why=kind))
