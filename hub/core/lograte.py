"""Log lines about what the network sends, kept few and safe to read.

A camera that sends a bad part ten thousand times a second must not write
ten thousand lines (the disk fills, the one line that matters scrolls away):
`LogRate` writes the first line of a burst at once and, when the burst has
lasted its interval, one more line saying how many like it were held back.
`shown()` makes a value from the network fit for a log line: control
characters escaped (a camera's bytes cannot forge a line or move the
cursor), and the length capped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from . import i18n

#: what `shown()` keeps of a value: enough to recognise it, never a megabyte
SHOWN_LIMIT = 200


def shown(value: object, limit: int = SHOWN_LIMIT) -> str:
    """`value` as a log line may carry it: bytes decoded (bad UTF-8 as
    \\xNN), every control or invisible character escaped (\\n, \\x1b,
    \\u202e), cut at `limit` characters with the full length said."""
    if isinstance(value, bytes | bytearray | memoryview):
        total = len(value)
        # a character is at most 4 bytes: never decode a megabyte to show 200
        text = bytes(value[: limit * 4]).decode("utf-8", errors="backslashreplace")
        whole = total <= limit * 4
    else:
        text = str(value)
        total, whole = len(text), True
    if whole and total <= limit and text.isprintable():
        return text  # the common case, at C speed: a flood calls this per part
    out: list[str] = []
    size = 0
    for ch in text:
        piece = ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        if size + len(piece) > limit:
            whole = False
            break
        out.append(piece)
        size += len(piece)
    return "".join(out) if whole else "".join(out) + f"…[{total}]"


@dataclass(slots=True)
class _Burst:
    started: float
    held: int = 0
    last: tuple[int, object] | None = None  # the latest line held back: level, text
    timer: asyncio.TimerHandle | None = None


class LogRate:
    """At most one line per `key` (a camera, a stream: something the hub
    names, never a value from the network) every `interval` seconds.

        rate = LogRate(log, language=lambda: hub.console_language)
        rate.log(("camera.lobi", "bad part"), logging.WARNING, Text(...))

    The first line of a burst is written at once (with its traceback when
    `exc_info` is given); the lines that follow within the interval are
    counted, and when the interval ends the latest of them is written once
    with the count. Call `close()` when the thing logged about stops: a
    count still held is written then."""

    def __init__(
        self,
        logger: logging.Logger,
        interval: float = 60.0,
        *,
        language: Callable[[], str] = lambda: i18n.console_language(i18n.DEFAULT_LANGUAGE),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.interval = interval
        self.language = language
        self.clock = clock
        self._bursts: dict[Hashable, _Burst] = {}

    def log(
        self, key: Hashable, level: int, text: object, *, exc_info: bool | BaseException = False
    ) -> bool:
        """Write `text` (a Text renders in the console language) now, or
        count it; returns True when it was written now. `text` may be a
        function that makes it: called only for a line that is written (a
        flood's thousands of held lines cost a count each)."""
        if not self.logger.isEnabledFor(level):
            return False
        burst = self._bursts.get(key)
        if (
            burst is not None
            and burst.timer is None
            and self.clock() - burst.started >= self.interval
        ):
            self._end(key)  # no loop ran a timer for this burst: end it here
            burst = None
        if burst is None:
            self._start(key)
            said = i18n.render(_made(text), self.language())
            self.logger.log(level, "%s", said, exc_info=exc_info)
            return True
        burst.held += 1
        burst.last = (level, text)
        return False

    def held(self, key: Hashable) -> int:
        """How many lines for `key` are counted and not yet written."""
        burst = self._bursts.get(key)
        return burst.held if burst is not None else 0

    def close(self) -> None:
        """Write every count still held, and forget every burst."""
        for key in list(self._bursts):
            self._end(key)

    def _start(self, key: Hashable) -> None:
        burst = self._bursts[key] = _Burst(started=self.clock())
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop: the count is written with the next line after the interval
        burst.timer = loop.call_later(self.interval, self._tick, key)

    def _tick(self, key: Hashable) -> None:
        """The interval is over: write the count; a burst still going on
        goes on counting into the next interval (one line a minute, not two)."""
        burst = self._bursts.get(key)
        if burst is None:
            return
        burst.timer = None
        held = burst.held
        self._end(key)
        if held:
            self._start(key)

    def _end(self, key: Hashable) -> None:
        burst = self._bursts.pop(key, None)
        if burst is None:
            return
        if burst.timer is not None:
            burst.timer.cancel()
        if burst.held and burst.last is not None:
            level, text = burst.last
            seconds = max(1, round(self.clock() - burst.started))
            said = i18n.Text(
                "lograte.repeated", line=_made(text), count=burst.held, seconds=seconds
            )
            self.logger.log(level, "%s", said.render(self.language()))


def _made(text: object) -> object:
    return text() if callable(text) else text
