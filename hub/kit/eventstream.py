"""Long-lived HTTP event streams (Hikvision alertStream, Dahua eventManager):
a multipart parser that takes bytes as they come, split anywhere, and the
loop that keeps one stream open: digest auth, a silence limit (heartbeats
keep it quiet), reconnect with back-off, and a clean close."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp
from yarl import URL

from ..core import i18n
from ..core.lograte import LogRate, shown
from .link import LinkWatch

if TYPE_CHECKING:
    from .stream_camera import StreamCamera

_LOGGER = logging.getLogger(__name__)
# A part larger than this is garbage, not an event: it is dropped.
MAX_BUFFER = 1 << 20


@dataclass(slots=True)
class Part:
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


# A boundary line ("--boundary", maybe "--" and spaces after it) is short;
# a part's headers are a few lines.
_LINE_LIMIT = 1024
_HEADERS_LIMIT = 16 * 1024
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_SEEK, _LINE, _HEADERS, _BODY = range(4)


class MultipartParser:
    """Feed it chunks; it returns the parts they complete. Tolerates what
    cameras do: a boundary given with or without its leading dashes, parts
    with or without headers or Content-Length, LF instead of CRLF; a part
    without Content-Length ends at the next boundary or at `end` (the
    closing tag of the vendor's document).

    What a hostile camera sends costs time in proportion to its size (every
    byte is searched once) and memory up to `limit`: a part, a boundary
    line or a header block that grows past its bound is dropped (counted
    in `dropped`) and the parser looks for the next boundary."""

    def __init__(
        self, boundary: str | None, end: bytes | None = None, *, limit: int = MAX_BUFFER
    ) -> None:
        token = (boundary or "").strip().strip('"').lstrip("-")
        self._marker = b"--" + token.encode("utf-8", "surrogateescape") if token else b"--"
        self._end = end
        self.limit = limit
        self.dropped = 0  # parts dropped for their size
        self._buf = bytearray()
        self._state = _SEEK
        self._scanned = 0  # how much of the buffer the current search has seen
        self._headers: dict[str, str] = {}

    @property
    def buffered(self) -> int:
        """Bytes held for a part not complete yet (never more than `limit`)."""
        return len(self._buf)

    def feed(self, data: bytes | memoryview) -> list[Part]:
        self._buf += data
        parts: list[Part] = []
        while self._step(parts):
            pass
        if len(self._buf) > self.limit:
            self._drop()
            self._step(parts)  # trims the buffer to a possible marker's start
        return parts

    def _step(self, parts: list[Part]) -> bool:
        """One move of the state machine; False when it needs more bytes."""
        buf = self._buf
        if self._state == _SEEK:
            keep = len(self._marker) - 1
            at = buf.find(self._marker, max(0, self._scanned - keep))
            if at < 0:
                del buf[: max(0, len(buf) - keep)]  # a tail that may be a split marker
                self._scanned = len(buf)
                return False
            del buf[:at]
            self._state, self._scanned = _LINE, len(self._marker)
            return True
        if self._state == _LINE:
            eol = buf.find(b"\n", self._scanned)
            if eol < 0:
                if len(buf) > min(_LINE_LIMIT, self.limit):
                    self._drop()  # not a boundary line: look for a marker after this one
                    return True
                self._scanned = len(buf)
                return False
            del buf[: eol + 1]
            self._state, self._scanned = _HEADERS, 0
            return True
        if self._state == _HEADERS:
            return self._read_headers()
        return self._read_body(parts)

    def _read_headers(self) -> bool:
        buf = self._buf
        lead = 0
        while lead < len(buf) and buf[lead] in b"\r\n":
            lead += 1
        if lead:
            del buf[:lead]
            self._scanned = 0
        if not buf:
            return False
        eol = buf.find(b"\n")
        if buf[:1] in (b"<", b"{") or (eol >= 0 and b":" not in buf[:eol]):
            self._headers = {}  # a headerless part (some firmware)
            self._state, self._scanned = _BODY, 0
            return True
        blank = _BLANK_LINE.search(buf, max(0, self._scanned - 3))
        if blank is None:
            if len(buf) > min(_HEADERS_LIMIT, self.limit):
                self._drop()
                return True
            self._scanned = len(buf)
            return False
        headers: dict[str, str] = {}
        for line in buf[: blank.start()].decode("latin-1").splitlines():
            name, colon, value = line.partition(":")
            if colon:
                headers[name.strip().lower()] = value.strip()
        del buf[: blank.end()]
        self._headers = headers
        self._state, self._scanned = _BODY, 0
        return True

    def _read_body(self, parts: list[Part]) -> bool:
        buf, headers = self._buf, self._headers
        length = headers.get("content-length", "")
        if length.isascii() and length.isdigit():
            n = int(length) if len(length) <= 12 else self.limit + 1
            if n > self.limit:
                self._drop()
                return True
            if len(buf) < n:
                return False
            body = bytes(buf[:n])
            del buf[:n]
            self._done(parts, Part(headers, body))
            return True
        keep = len(self._marker) - 1
        cut = buf.find(self._marker, max(0, self._scanned - keep))
        if cut < 0 and self._end is not None:
            at = buf.find(self._end, max(0, self._scanned - len(self._end) + 1))
            cut = at + len(self._end) if at >= 0 else -1
        if cut < 0:
            self._scanned = len(buf)
            return False
        if cut > self.limit:  # one chunk brought a whole part bigger than allowed
            del buf[:cut]
            self.dropped += 1
            self._state, self._scanned, self._headers = _SEEK, 0, {}
            return True
        body = bytes(buf[:cut]).strip(b"\r\n")
        del buf[:cut]
        self._done(parts, Part(headers, body))
        return True

    def _done(self, parts: list[Part], part: Part) -> None:
        self._state, self._scanned, self._headers = _SEEK, 0, {}
        if part.body.strip() or part.headers:
            parts.append(part)

    def _drop(self) -> None:
        """Give up on the part being read; look for the next boundary."""
        self.dropped += 1
        if self._state == _SEEK:
            return
        if self._state != _BODY:
            del self._buf[:1]  # the marker that began it: search after it
        self._state, self._scanned, self._headers = _SEEK, 0, {}


class StreamAuthError(Exception):
    pass


class UnreadablePart(ValueError):
    """A part that should be the platform's own and is not readable (bad
    XML, XML with entities, a malformed event line). Raised with a Text
    whose values are `shown()`: the stream logs it, rate-limited."""


# The log of one stream: at most a line a minute for each kind of trouble.
LOG_INTERVAL = 60.0
# Bytes parsed between two yields to the loop (about 60 tiny parts).
FEED_SLICE = 8 * 1024


class EventStream:
    """Keeps one multipart event stream open and hands each part to every
    camera on it (`cameras`: a camera, or the channels of an NVR); each
    camera picks out its own channel.

    A part is read once (`read`, the platform's `read_part`) for all the
    cameras. `link` is the health of the box the stream comes from (the
    camera, or the NVR, whose channels follow it): a readable part (a
    heartbeat will do) is a success; a refusal, a drop, or `silence`
    seconds without a readable part (silent, or sending only junk) is a
    failure, and the stream reconnects after the link's back-off, waited
    on the hub's clock. The reader yields to the loop between parts, so a
    camera flooding the hub cannot starve the other cameras, the HTTP API
    or Ctrl-C; its complaints are rate-limited. Run `run()` as a
    background task; cancel it to close the connection."""

    def __init__(
        self,
        url: str | URL,
        *,
        username: str | None,
        password: str | None,
        read: Callable[[Part], Any],
        link: LinkWatch,
        cameras: Iterable[StreamCamera],
        silence: float = 30.0,
        end: bytes | None = None,
        what: str | None = None,
        log: logging.Logger = _LOGGER,
        language: Callable[[], str] = lambda: i18n.console_language(i18n.DEFAULT_LANGUAGE),
    ) -> None:
        self.url = url
        self.username = username
        self.password = password
        self.read = read
        self.silence = silence
        self.end = end
        # built here, not as the default: no catalog is read at import
        self.what = what if what is not None else i18n.Text("stream.event_stream")
        self.log = log
        self.language = language
        self.rate = LogRate(log, LOG_INTERVAL, language=language)
        self.link = link
        self.clock = link.device.hub.clock
        self.cameras: list[StreamCamera] = list(cameras)
        self.task: asyncio.Task[None] | None = None  # run(), started by the stream's box
        self.connections = 0  # how many times the stream was opened (tests, status)
        self.readable = 0  # readable parts (events and heartbeats) received (tests, status)
        self.unreadable = 0  # parts refused as unreadable (tests, status)
        self._junk = 0  # bytes received since the last readable part
        self._alive = 0.0  # when (hub clock) the last readable part came

    async def run(self) -> None:
        middlewares = ()
        if self.username:
            middlewares = (aiohttp.DigestAuthMiddleware(self.username, self.password or ""),)
        # The silence limit is ours (see _once): a byte is no proof of life.
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=10)
        # A camera's event stream is never compressed; a compressed one could
        # be a bomb that inflates a few kilobytes into gigabytes before the
        # parser's limit sees them: take the bytes as they come (junk, then).
        session = aiohttp.ClientSession(
            timeout=timeout, middlewares=middlewares, auto_decompress=False
        )
        try:
            async with session:
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
                        reason = self._silent()
                    except (aiohttp.ClientError, OSError) as err:
                        reason = i18n.Text(
                            "stream.error", what=self.what, type=type(err).__name__,
                            error=shown(err),
                        )  # fmt: skip
                    # on the hub's clock: a test moves the back-off with a FakeClock
                    await self.clock.sleep(self._failed(reason, refused))
        finally:
            self.rate.close()

    def _silent(self) -> i18n.Text:
        seconds = f"{self.silence:.0f}"
        if self._junk:
            return i18n.Text("stream.junk", what=self.what, seconds=seconds, count=self._junk)
        return i18n.Text("stream.silent", what=self.what, seconds=seconds)

    def _failed(self, reason: str, refused: bool) -> float:
        """Tell the box's link (its channels follow it); returns the seconds to wait."""
        box = self.link.device
        # a refusal names the box: the admin fixes its password
        delay = self.link.failed(
            i18n.Text("stream.camera_reason", entity_id=box.entity_id, reason=reason)
            if refused
            else reason
        )
        said = i18n.Text(
            "stream.reconnecting", entity_id=self._names(),
            site=box.site, reason=reason, seconds=f"{delay:.1f}",
        )  # fmt: skip
        # a camera that answers and hangs up at once is back here every second
        self.rate.log("reconnecting", logging.WARNING, said)
        return delay

    def _names(self) -> str:
        return ", ".join(entity.entity_id for entity in self.link.device.entities)

    async def _once(self, session: aiohttp.ClientSession) -> None:
        self._junk = 0
        # Reset by every readable part only: a camera sending steady junk is
        # as dead as a silent one. Timed on the hub's clock; the timeout only
        # ends the connection when the clock says the silence has lasted.
        async with asyncio.timeout(None) as deadline:
            stop_watching = self._watch_silence(deadline)
            try:
                await self._read(session)
            finally:
                stop_watching()

    def _watch_silence(self, deadline: asyncio.Timeout) -> Callable[[], None]:
        """Expire `deadline` once `silence` seconds pass without a readable
        part (`self._alive` is when the last one came): one timer per
        silence, however many parts come."""
        self._alive = self.clock.monotonic()

        def check() -> None:
            nonlocal cancel
            quiet = self.clock.monotonic() - self._alive
            if quiet >= self.silence:
                deadline.reschedule(asyncio.get_running_loop().time())  # now: TimeoutError
            else:
                cancel = self.clock.call_later(self.silence - quiet, check)

        cancel = self.clock.call_later(self.silence, check)
        return lambda: cancel()

    async def _read(self, session: aiohttp.ClientSession) -> None:
        async with session.get(self.url, headers={"Accept-Encoding": "identity"}) as resp:
            if resp.status == 401:
                raise StreamAuthError
            if resp.status != 200:
                raise aiohttp.ClientResponseError(
                    resp.request_info, (), status=resp.status,
                    message=shown(resp.reason or ""),
                )  # fmt: skip
            self.connections += 1
            boundary = resp.content_type and _boundary(resp.headers.get("Content-Type", ""))
            parser = MultipartParser(boundary or None, self.end)
            dropped = 0
            async for chunk in resp.content.iter_any():
                self._junk += len(chunk)
                view = memoryview(chunk)
                # a chunk can hold half a megabyte of tiny parts: parse a slice
                # at a time, so no step holds the loop for more than about 1 ms
                for at in range(0, len(view), FEED_SLICE):
                    parts = parser.feed(view[at : at + FEED_SLICE])
                    if parser.dropped != dropped:
                        dropped = parser.dropped
                        self.rate.log(
                            "too big", logging.WARNING,
                            i18n.Text("stream.too_big", entity_ids=self._names(),
                                      what=self.what, limit=parser.limit),
                        )  # fmt: skip
                    for part in parts:
                        if self._on_part(part):
                            self._junk = 0
                            self._alive = self.clock.monotonic()
                        # between parts: the other streams, the API and Ctrl-C get a turn
                        await asyncio.sleep(0)
                    if not parts:
                        await asyncio.sleep(0)

    def _on_part(self, part: Part) -> bool:
        """Read one part and hand it to the cameras; True when it was readable."""
        try:
            reading = self.read(part)
        except UnreadablePart as err:
            self.unreadable += 1
            error, names = i18n.message(err), self._names()
            said = lambda: i18n.Text(  # noqa: E731 - made only for a line that is written
                "stream.unreadable", entity_ids=names, what=self.what, error=error
            )
            self.rate.log("unreadable", logging.WARNING, said)
            return False
        except Exception as err:  # a platform's bug: never the end of the stream
            self.unreadable += 1
            failed = i18n.Text(
                "stream.read_failed", entity_ids=self._names(), what=self.what,
                type=type(err).__name__, error=shown(err),
            )  # fmt: skip
            self.rate.log("read failed", logging.ERROR, failed, exc_info=True)
            return False
        if reading is None:
            return False  # not the platform's own (a picture, other XML): no proof of life
        self.readable += 1
        if self.link.failing_since is not None or not self.link.device.available:
            self.link.ok()  # healthy once a readable part (a heartbeat will do) arrives
        for camera in list(self.cameras):
            try:
                camera.on_reading(reading)
            except Exception as err:  # a bad part never ends the stream
                said = i18n.Text(
                    "stream.part_failed", entity_id=camera.entity_id,
                    type=type(err).__name__, error=shown(err),
                )  # fmt: skip
                self.rate.log(("part failed", camera.entity_id), logging.ERROR, said, exc_info=True)
        return True


def _boundary(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "boundary":
            return value.strip().strip('"')
    return None
