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

from . import i18n
from .camera_activity import CameraActivity
from .keys import HubKey
from .link import LinkWatch
from .platform import Camera

_LOGGER = logging.getLogger(__name__)
# A part larger than this is garbage, not an event: drop the buffer.
MAX_BUFFER = 1 << 20


i18n.register(
    {
        "stream.event_stream": {"en": "event stream", "id": "stream event"},
        "stream.closed": {
            "en": "{what}: the camera closed the stream",
            "id": "{what}: kamera menutup stream",
        },
        "stream.silent": {
            "en": "{what}: silent for {seconds} s",
            "id": "{what}: tidak ada data selama {seconds} detik",
        },
        "stream.error": {"en": "{what}: {type}: {error}", "id": "{what}: {type}: {error}"},
        "stream.auth": {
            "en": "the camera refused the user name or password for the {what} (HTTP 401)",
            "id": "kamera menolak nama pengguna atau kata sandi untuk {what} (HTTP 401)",
        },
        "stream.camera_reason": {"en": "{entity_id}: {reason}", "id": "{entity_id}: {reason}"},
        "stream.reconnecting": {
            "en": "{entity_id} ({site}): {reason}; reconnecting in {seconds} s",
            "id": "{entity_id} ({site}): {reason}; menyambung kembali dalam {seconds} detik",
        },
    }
)


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
    """Keeps one multipart event stream open and hands each part to every
    camera on it (`cameras`); each camera picks out its own channel. The
    cameras' links follow the stream: a part (a heartbeat will do) is a
    success, a refusal, a drop or a silence is a failure. Run `run()` as a
    background task; cancel it to close the connection."""

    def __init__(
        self,
        url: str | URL,
        *,
        username: str | None,
        password: str | None,
        silence: float = 30.0,
        complete: Callable[[bytes], bool] | None = None,
        what: str = i18n.Text("stream.event_stream"),
    ) -> None:
        self.url = url
        self.username = username
        self.password = password
        self.silence = silence
        self.complete = complete
        self.what = what
        self.cameras: list[StreamCamera] = []
        self.task: asyncio.Task[None] | None = None  # run(), started by the first camera
        self.connections = 0  # how many times the stream was opened (tests, status)

    async def run(self) -> None:
        middlewares = ()
        if self.username:
            middlewares = (aiohttp.DigestAuthMiddleware(self.username, self.password or ""),)
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=self.silence)
        async with aiohttp.ClientSession(timeout=timeout, middlewares=middlewares) as session:
            while True:
                refused = False
                try:
                    await self._once(session)
                    reason = i18n.Text("stream.closed", what=self.what)
                except asyncio.CancelledError:
                    raise
                except StreamAuthError:
                    refused = True
                    reason = i18n.Text("stream.auth", what=self.what)
                except TimeoutError:
                    reason = i18n.Text(
                        "stream.silent", what=self.what, seconds=f"{self.silence:.0f}"
                    )
                except (aiohttp.ClientError, OSError) as err:
                    reason = i18n.Text(
                        "stream.error", what=self.what, type=type(err).__name__, error=str(err)
                    )
                await asyncio.sleep(self._failed(reason, refused))

    def _failed(self, reason: str, refused: bool) -> float:
        """Tell every camera on the stream; returns the seconds to wait."""
        delays = []
        for camera in self.cameras:
            # a refusal names the camera: the admin fixes its password
            delays.append(
                camera.link.failed(
                    i18n.Text("stream.camera_reason", entity_id=camera.entity_id, reason=reason)
                    if refused
                    else reason
                )
            )
        delay = min(delays, default=1.0)
        if self.cameras:
            first = self.cameras[0]
            said = i18n.Text(
                "stream.reconnecting", entity_id=", ".join(c.entity_id for c in self.cameras),
                site=first.site, reason=reason, seconds=f"{delay:.1f}",
            )  # fmt: skip
            first.log.warning("%s", said.render(first.hub.console_language))
        return delay

    async def _once(self, session: aiohttp.ClientSession) -> None:
        async with session.get(self.url) as resp:
            if resp.status == 401:
                raise StreamAuthError
            if resp.status != 200:
                raise aiohttp.ClientResponseError(
                    resp.request_info, (), status=resp.status, message=resp.reason or ""
                )
            self.connections += 1
            boundary = resp.content_type and _boundary(resp.headers.get("Content-Type", ""))
            parser = MultipartParser(boundary or None, self.complete)
            async for chunk in resp.content.iter_any():
                parts = parser.feed(chunk)
                if not parts:
                    continue
                for camera in self.cameras:
                    if camera.link.failing_since is not None or not camera.available:
                        camera.link.ok()  # healthy once a part (a heartbeat will do) arrives
                for part in parts:
                    for camera in self.cameras:
                        try:
                            camera.on_part(part)
                        except Exception:  # a bad part never ends the stream
                            camera.log.exception("%s: unreadable event part", camera.entity_id)


def _boundary(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "boundary":
            return value.strip().strip('"')
    return None


def _seconds(value: Any) -> float:
    return vol.All(vol.Coerce(float), vol.Range(min=0.1))(value)


# The open streams of a hub, by (platform, URL, user, password, silence).
_STREAMS: HubKey[dict[tuple[Any, ...], EventStream]] = HubKey("eventstream.streams")


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
    stream_name: ClassVar[str] = i18n.Text("stream.event_stream")

    def __init__(self, hub: Any, config: Any) -> None:
        super().__init__(hub, config)
        self.username = config["username"]
        self.password = config["password"]
        self.base_url = f"http://{config['host']}:{config['port']}"
        self.activity = CameraActivity(self, auto_off=self.auto_off())
        self.link = LinkWatch(self, grace=config["unavailable_after"], maximum=config["retry_max"])
        #: the stream this camera's events come on, shared with the other
        #: channels of the same NVR (set at start)
        self.stream: EventStream | None = None

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
        """Join the stream of this camera's box, opening it if this is the
        first camera on it: an NVR sends every channel's events on one
        stream, and accepts only a few such connections."""
        self.set_state("idle")
        streams = self.hub.data.setdefault(_STREAMS, {})
        key = (self.platform, str(self.event_url()), self.username, self.password, self.silence())
        stream = streams.get(key)
        if stream is None:
            stream = streams[key] = EventStream(
                self.event_url(),
                username=self.username,
                password=self.password,
                silence=self.silence(),
                complete=self.part_complete,
                what=self.stream_name,
            )
            stream.task = self.hub.create_task(
                stream.run(),
                f"{self.platform} {self.config['host']}:{self.config['port']}",
                owner=self.hub.plugins.plugin_of(type(self).__module__),
            )
        stream.cameras.append(self)
        self.stream = stream

    async def stop(self) -> None:
        """Leave the stream; the last camera to leave closes it."""
        self.link.close()
        self.activity.clear()
        stream = self.stream
        if stream is None or self not in stream.cameras:
            return
        stream.cameras.remove(self)
        if stream.cameras:
            return
        streams = self.hub.data.get(_STREAMS) or {}
        for key in [k for k, v in streams.items() if v is stream]:
            del streams[key]
        if stream.task is not None:
            stream.task.cancel()  # leaves the `async with`: the connection is closed
            await asyncio.gather(stream.task, return_exceptions=True)
