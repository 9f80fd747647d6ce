"""What both messenger fakes share: a loopback aiohttp server with a
lifetime (`async with`), a record of every request, waits on what the fake
saw (no sleeps), fault injection, and sliding-window rate limits on an
injectable clock (a FakeClock drives them without waiting)."""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar

import aiohttp
from aiohttp import web

from hub.core.clock import Clock

T = TypeVar("T")


@dataclass
class Upload:
    """One file part of a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Call:
    """One request the fake answered (or held: `status` 0 while it hangs)."""

    method: str  # the API's name: "sendPhoto", "messages", "media", "webhook.get"
    params: dict[str, Any]
    files: dict[str, Upload] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    at: float = 0.0  # the fake's clock, monotonic
    status: int = 0
    response: Any = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class Fault:
    kind: str  # "error" | "hang" | "throttle"
    remaining: int
    method: str | None = None
    status: int = 500
    retry_after: int = 5
    after_effect: bool = False  # hang: do the call's work, then never answer

    def applies(self, method: str) -> bool:
        return self.method is None or self.method.lower() == method.lower()


class Faults:
    """A test's say over the next calls: `fail_next(3)` answers 500 three
    times, `hang_next(2)` never answers (the client's time-out fires),
    `throttle_next(1, retry_after=7)` answers the service's rate-limit error.
    `method=` narrows a fault to one API method. Faults queue in order."""

    def __init__(self) -> None:
        self._queue: list[Fault] = []
        self.release = asyncio.Event()  # set at stop: hung handlers give up

    def fail_next(self, n: int = 1, *, status: int = 500, method: str | None = None) -> None:
        self._queue.append(Fault("error", n, method, status=status))

    def hang_next(
        self, n: int = 1, *, method: str | None = None, after_effect: bool = False
    ) -> None:
        """`after_effect=True`: the message is sent but the answer is lost
        (what makes at-least-once delivery send twice)."""
        self._queue.append(Fault("hang", n, method, after_effect=after_effect))

    def throttle_next(self, n: int = 1, *, retry_after: int = 5, method: str | None = None) -> None:
        self._queue.append(Fault("throttle", n, method, retry_after=retry_after))

    def clear(self) -> None:
        self._queue.clear()

    @property
    def pending(self) -> int:
        return sum(f.remaining for f in self._queue)

    def take(self, method: str) -> Fault | None:
        for fault in self._queue:
            if fault.applies(method):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._queue.remove(fault)
                return fault
        return None

    async def hang(self) -> None:
        await self.release.wait()


@dataclass(frozen=True)
class Window:
    """At most `count` messages in any `seconds` long stretch."""

    count: int
    seconds: float


class SlidingLimit:
    """Sliding-window counters per key, with the flood wait the services
    impose: once a key is over its window it is refused until `retry_after`
    has passed, and every refusal says how long is left."""

    def __init__(self, window: Window, clock: Clock) -> None:
        self.window = window
        self._clock = clock
        self._sent: dict[Hashable, deque[float]] = {}
        self._blocked_until: dict[Hashable, float] = {}

    def retry_after(self, key: Hashable) -> float:
        """0 when `key` may send now, else the seconds to wait."""
        now = self._clock.monotonic()
        until = self._blocked_until.get(key)
        if until is not None:
            if now < until:
                return until - now
            del self._blocked_until[key]
        sent = self._sent.get(key)
        if sent is None:
            return 0.0
        while sent and sent[0] <= now - self.window.seconds:
            sent.popleft()
        if not sent:
            del self._sent[key]
            return 0.0
        if len(sent) < self.window.count:
            return 0.0
        wait = sent[0] + self.window.seconds - now
        self._blocked_until[key] = now + whole_seconds(wait)
        return wait

    def count(self, key: Hashable) -> None:
        self._sent.setdefault(key, deque()).append(self._clock.monotonic())


def whole_seconds(wait: float) -> int:
    """A retry_after as the services give it: whole seconds, at least 1."""
    return max(1, math.ceil(wait - 1e-9))


class LoopbackServer:
    """An aiohttp app on 127.0.0.1 and a free port, with `requests` and `wait_for`."""

    def __init__(self, clock: Clock | None) -> None:
        self.clock: Clock = clock or Clock()
        self.port = 0
        self.requests: list[Call] = []
        self.faults = Faults()
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _app(self) -> web.Application:
        raise NotImplementedError

    async def start(self) -> None:
        self.faults.release.clear()
        self._runner = web.AppRunner(self._app(), access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self.faults.release.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- what the fake saw ----------------------------------------------------

    def changed(self) -> None:
        """Wake every `wait_for` (a request, a delivery, a state change)."""
        self._changed.set()
        self._changed = asyncio.Event()

    def calls(self, method: str | None = None) -> list[Call]:
        """Calls of `method` (case-insensitive), in the order they came."""
        if method is None:
            return list(self.requests)
        return [c for c in self.requests if c.method.lower() == method.lower()]

    async def wait_for(self, predicate: Callable[[], T], within: float = 5.0) -> T:
        """The first truthy value of `predicate()`, re-checked on every change
        the fake sees; TimeoutError after `within` seconds."""
        async with asyncio.timeout(within):
            while not (result := predicate()):
                await self._changed.wait()
        return result

    async def wait_for_call(
        self,
        method: str,
        match: Callable[[Call], bool] | None = None,
        *,
        answered: bool = True,
        within: float = 5.0,
    ) -> Call:
        """The first call of `method` matching `match` (answered, unless told not to wait)."""

        def found() -> Call | None:
            for call in self.calls(method):
                if (not answered or call.status) and (match is None or match(call)):
                    return call
            return None

        return await self.wait_for(found, within)


async def read_form(
    request: web.Request,
    params: dict[str, Any],
    files: dict[str, Upload],
    limit: int,
    too_big: Callable[[], Exception],
) -> None:
    """A multipart or url-encoded body into `params` (text fields) and
    `files` (parts with a file name); past `limit` bytes, `too_big()` is
    raised, as both services answer an oversized upload."""
    kind = request.content_type
    if kind == "multipart/form-data":
        total = 0
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, aiohttp.BodyPartReader):
                continue
            chunks = []
            while chunk := await part.read_chunk():
                total += len(chunk)
                if total > limit:
                    raise too_big()
                chunks.append(chunk)
            data = b"".join(chunks)
            if part.filename is not None:
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                files[part.name or ""] = Upload(part.name or "", part.filename, content_type, data)
            else:
                params[part.name or ""] = data.decode("utf-8", errors="replace")
    elif kind == "application/x-www-form-urlencoded":
        params.update((await request.post()).items())
