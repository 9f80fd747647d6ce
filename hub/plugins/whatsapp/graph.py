"""The Cloud API (Graph) client: one media upload, one message, and the
error envelope mapped to what the outbox understands. The token travels in
the Authorization header only; no log line, exception text or event ever
carries it (Graph's own error words are kept, they never hold the token)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp

from hub import DeliveryError, i18n

THROUGHPUT, PAIR_RATE, OUTSIDE_WINDOW, UNDELIVERABLE, BAD_TOKEN = (
    130429,
    131056,
    131047,
    131026,
    190,
)
# Graph gives no retry-after: the pair limit is about one message per 6 s
# to one person, the throughput limit 80/s per number
RETRY_AFTER = {THROUGHPUT: 1.0, PAIR_RATE: 6.0}
PERMANENT = {
    UNDELIVERABLE,
    BAD_TOKEN,
    131048,
    131009,
    131008,
    132000,
    132001,
    132012,
    132015,
    132016,
    100,
}
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


class GraphFailure(DeliveryError):
    """A refusal by Graph: `code` is its error code (0: no envelope)."""

    def __init__(self, code: int, text: str, **kw: Any) -> None:
        super().__init__(text, **kw)
        self.code = code


def failure(status: int, body: Any) -> GraphFailure:
    """The DeliveryError of one Graph error envelope (or of a bare status)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return GraphFailure(0, i18n.Text("whatsapp.http_error", status=status))
    try:
        code = int(error.get("code", 0))
    except (TypeError, ValueError):
        code = 0
    words = str(error.get("message", ""))[:200]
    details = (
        error.get("error_data", {}).get("details")
        if isinstance(error.get("error_data"), dict)
        else None
    )
    if details:
        words = f"{words}: {str(details)[:200]}"
    if code == BAD_TOKEN:
        return GraphFailure(code, i18n.Text("whatsapp.bad_token", words=words), permanent=True)
    if code in RETRY_AFTER:
        return GraphFailure(
            code, i18n.Text("whatsapp.rate_limited", code=code, words=words),
            retry_after=RETRY_AFTER[code],
        )  # fmt: skip
    permanent = code in PERMANENT or (400 <= status < 500 and code != OUTSIDE_WINDOW)
    return GraphFailure(
        code, i18n.Text("whatsapp.refused", code=code, words=words), permanent=permanent
    )


class Graph:
    """`POST {base}/{phone_number_id}/media` and `/messages` with the token."""

    def __init__(self, base: str, phone_number_id: str, token: str, timeout: float) -> None:
        self._url = f"{base.rstrip('/')}/{phone_number_id}"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _post(self, path: str, **kw: Any) -> dict[str, Any]:
        try:
            async with self._http().post(
                f"{self._url}/{path}", headers=self._headers, **kw
            ) as response:
                try:
                    body = await response.json(content_type=None)
                except (ValueError, aiohttp.ClientError):
                    body = None
                if response.status >= 400 or not isinstance(body, dict):
                    raise failure(response.status, body)
                return body
        except (TimeoutError, aiohttp.ClientError) as err:
            # no URL and no headers in the text: only what kind of failure it was
            raise GraphFailure(
                0, i18n.Text("whatsapp.unreachable", why=type(err).__name__)
            ) from None

    async def upload(self, path: str | None, data: bytes | None = None) -> str:
        """The media id of the image at `path` (read off the loop), or of `data`
        (old callers' bytes: a JPEG unless it says PNG)."""
        if path is not None:
            file = Path(path)
            mime = IMAGE_TYPES.get(file.suffix.lower(), "image/jpeg")
            data = await asyncio.to_thread(file.read_bytes)
        else:
            png = (data or b"").startswith(b"\x89PNG")
            file, mime = (
                Path("photo.png" if png else "photo.jpg"),
                "image/png" if png else "image/jpeg",
            )
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", mime)
        form.add_field("file", data, filename=file.name, content_type=mime)
        body = await self._post("media", data=form)
        return str(body["id"])

    async def send(self, message: dict[str, Any]) -> str:
        """The wamid of the message Graph accepted."""
        body = await self._post("messages", json={"messaging_product": "whatsapp", **message})
        try:
            return str(body["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise GraphFailure(0, i18n.Text("whatsapp.http_error", status=200)) from None
