"""Long-lived HTTP event streams (Hikvision alertStream, Dahua eventManager):
a multipart parser that takes bytes as they come, split anywhere, and the
loop that keeps one stream open: digest auth, a silence limit (heartbeats
keep it quiet), reconnect with back-off, and a clean close."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import aiohttp
import voluptuous as vol
from yarl import URL

from .camera_activity import CameraActivity
from .link import LinkWatch
from .platform import Camera, Device

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


def _seconds(value: Any) -> float:
    return vol.All(vol.Coerce(float), vol.Range(min=0.1))(value)


class StreamCamera(Camera):
    """A camera whose events come on one long-lived HTTP multipart stream
    (Hikvision, Dahua): the connection keys every such camera has, the
    stream kept open while the hub runs and closed when it stops. A
    platform says where the stream is (`event_url`) and reads its parts
    (`on_part`), reporting through `self.activity`."""

    CONFIG_SCHEMA: ClassVar[dict[Any, Any]] = {
        **Camera.MEDIA_OPTIONS,
        vol.Required("host"): str,
        vol.Optional("port", default=80): vol.All(int, vol.Range(min=1, max=65535)),
        vol.Optional("rtsp_port", default=554): vol.All(int, vol.Range(min=1, max=65535)),
        vol.Optional("username", default="admin"): vol.Coerce(str),
        vol.Optional("password", default=""): vol.Coerce(str),
        vol.Optional("channel", default=1): vol.All(int, vol.Range(min=1)),
        vol.Optional("unavailable_after", default=30.0): _seconds,
        vol.Optional("retry_max", default=60.0): _seconds,
    }
    #: what the stream is called in messages ("alertStream")
    stream_name: ClassVar[str] = "event stream"

    def __init__(self, hub: Any, config: Any) -> None:
        super().__init__(hub, config)
        self.username = config["username"]
        self.password = config["password"]
        self.base_url = f"http://{config['host']}:{config['port']}"
        self.activity = CameraActivity(self, auto_off=self.auto_off())
        self.link = LinkWatch(self, grace=config["unavailable_after"], maximum=config["retry_max"])
        self.stream = EventStream(
            self,
            self.event_url(),
            self.on_part,
            username=self.username,
            password=self.password,
            silence=self.silence(),
            link=self.link,
            complete=self.part_complete,
            what=self.stream_name,
        )
        self._task: asyncio.Task[None] | None = None

    # -- what a platform says -----------------------------------------------------

    def event_url(self) -> str | URL:
        raise NotImplementedError

    def on_part(self, part: Part) -> None:
        raise NotImplementedError

    def silence(self) -> float:
        """Seconds without a byte (heartbeats included) before reconnecting."""
        return 30.0

    def auto_off(self) -> float | None:
        return None

    part_complete: Callable[[bytes], bool] | None = None

    # -- lifetime -----------------------------------------------------------------

    async def start(self) -> None:
        self.set_state("idle")
        self._task = self.hub.create_task(
            self.stream.run(),
            f"{self.platform} {self.entity_id}",
            owner=self.hub.plugins.plugin_of(type(self).__module__),
        )

    async def stop(self) -> None:
        self.link.close()
        self.activity.clear()
        if self._task is not None:
            self._task.cancel()  # leaves the `async with`: the connection is closed
            await asyncio.gather(self._task, return_exceptions=True)
