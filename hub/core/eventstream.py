"""Long-lived HTTP event streams (Hikvision alertStream, Dahua eventManager):
a multipart parser that takes bytes as they come, split anywhere, and the
loop that keeps one stream open: digest auth, a silence limit (heartbeats
keep it quiet), reconnect with back-off, and a clean close."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
from yarl import URL

from .link import LinkWatch
from .platform import Device

_LOGGER = logging.getLogger(__name__)
# A part larger than this is garbage, not an event: drop the buffer.
MAX_BUFFER = 1 << 20


@dataclass(slots=True)
class Part:
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class MultipartParser:
    """Feed it chunks; it returns the parts they complete. Tolerates what
    cameras do: a boundary given with or without its leading dashes, parts
    with or without headers or Content-Length, LF instead of CRLF."""

    def __init__(
        self, boundary: str | None, complete: Callable[[bytes], bool] | None = None
    ) -> None:
        token = (boundary or "").strip().strip('"').lstrip("-")
        self._marker = b"--" + token.encode() if token else b"--"
        self._complete = complete
        self._buf = b""
        self._in_part = False
        self._headers: dict[str, str] | None = None

    def feed(self, data: bytes) -> list[Part]:
        self._buf += data
        parts: list[Part] = []
        while True:
            if not self._in_part:
                at = self._buf.find(self._marker)
                if at < 0:
                    # keep a tail that may be the start of a split marker
                    self._buf = self._buf[-len(self._marker) :]
                    return parts
                eol = self._buf.find(b"\n", at)
                if eol < 0:
                    self._buf = self._buf[at:]
                    return parts
                self._buf = self._buf[eol + 1 :]
                self._in_part, self._headers = True, None
            if self._headers is None:
                if not self._read_headers():
                    return parts
            part = self._read_body()
            if part is None:
                if len(self._buf) > MAX_BUFFER:
                    _LOGGER.warning("event stream part over %d bytes dropped", MAX_BUFFER)
                    self._buf, self._in_part = b"", False
                return parts
            self._in_part = False
            if part.body.strip() or part.headers:
                parts.append(part)

    def _read_headers(self) -> bool:
        buf = self._buf.lstrip(b"\r\n")
        if not buf:
            return False
        first_line, newline, _ = buf.partition(b"\n")
        if buf[:1] in (b"<", b"{") or (newline and b":" not in first_line):
            self._headers, self._buf = {}, buf  # a headerless part (some firmware)
            return True
        end, sep = buf.find(b"\r\n\r\n"), 4
        lf = buf.find(b"\n\n")
        if lf >= 0 and (end < 0 or lf < end):
            end, sep = lf, 2
        if end < 0:
            return False
        headers: dict[str, str] = {}
        for line in buf[:end].decode("latin-1").splitlines():
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        self._headers, self._buf = headers, buf[end + sep :]
        return True

    def _read_body(self) -> Part | None:
        headers = self._headers or {}
        length = headers.get("content-length", "")
        if length.isdigit():
            n = int(length)
            if len(self._buf) < n:
                return None
            body, self._buf = self._buf[:n], self._buf[n:]
            return Part(headers, body)
        at = self._buf.find(self._marker)
        if at >= 0:
            body, self._buf = self._buf[:at], self._buf[at:]
            return Part(headers, body.strip(b"\r\n"))
        if self._complete is not None and self._complete(self._buf):
            body, self._buf = self._buf, b""
            return Part(headers, body.strip(b"\r\n"))
        return None


class StreamAuthError(Exception):
    pass


class EventStream:
    """Keeps one multipart event stream open for a device and hands each
    part to `on_part`. Run `run()` as the device's background task; cancel
    it to close the connection."""

    def __init__(
        self,
        device: Device,
        url: str | URL,
        on_part: Callable[[Part], None],
        *,
        username: str | None,
        password: str | None,
        silence: float = 30.0,
        link: LinkWatch,
        complete: Callable[[bytes], bool] | None = None,
        what: str = "event stream",
    ) -> None:
        self.device = device
        self.url = url
        self.on_part = on_part
        self.username = username
        self.password = password
        self.silence = silence
        self.link = link
        self.complete = complete
        self.what = what
        self.connections = 0  # how many times the stream was opened (tests, status)

    async def run(self) -> None:
        middlewares = ()
        if self.username:
            middlewares = (aiohttp.DigestAuthMiddleware(self.username, self.password or ""),)
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=self.silence)
        async with aiohttp.ClientSession(timeout=timeout, middlewares=middlewares) as session:
            while True:
                try:
                    await self._once(session)
                    reason = f"{self.what}: the camera closed the stream"
                except asyncio.CancelledError:
                    raise
                except StreamAuthError as err:
                    reason = str(err)
                except TimeoutError:
                    reason = f"{self.what}: silent for {self.silence:.0f} s"
                except (aiohttp.ClientError, OSError) as err:
                    reason = f"{self.what}: {type(err).__name__}: {err}"
                delay = self.link.failed(reason)
                self.device.log.warning(
                    "%s (%s): %s; reconnecting in %.1f s",
                    self.device.entity_id, self.device.site, reason, delay,
                )  # fmt: skip
                await asyncio.sleep(delay)

    async def _once(self, session: aiohttp.ClientSession) -> None:
        async with session.get(self.url) as resp:
            if resp.status == 401:
                raise StreamAuthError(
                    f"{self.device.entity_id}: the camera refused the user name or password"
                    f" for the {self.what} (HTTP 401)"
                )
            if resp.status != 200:
                raise aiohttp.ClientResponseError(
                    resp.request_info, (), status=resp.status, message=resp.reason or ""
                )
            self.connections += 1
            boundary = resp.content_type and _boundary(resp.headers.get("Content-Type", ""))
            parser = MultipartParser(boundary or None, self.complete)
            async for chunk in resp.content.iter_any():
                parts = parser.feed(chunk)
                if parts and (self.link.failing_since is not None or not self.device.available):
                    self.link.ok()  # healthy once a part (a heartbeat will do) arrives
                for part in parts:
                    try:
                        self.on_part(part)
                    except Exception:  # a bad part never ends the stream
                        self.device.log.exception(
                            "%s: unreadable event part", self.device.entity_id
                        )


def _boundary(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "boundary":
            return value.strip().strip('"')
    return None
