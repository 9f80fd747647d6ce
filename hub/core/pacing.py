"""How fast a messenger may be written to: sliding windows (at most N
messages in any T seconds, as the services count) and the back-off
between attempts after a 5xx or a time-out."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Hashable
from typing import Any

from .clock import Clock
from .platform import RateLimits

# Our clock and the service's are not the same: a slot is taken this much
# after the window allows, so a message is never early by a rounding error.
MARGIN = 0.001


class Window:
    """At most `count` messages in any `seconds`, per key."""

    def __init__(self, count: int, seconds: float, clock: Clock) -> None:
        self.count = max(1, count)
        self.seconds = seconds
        self._clock = clock
        self._sent: dict[Hashable, deque[float]] = {}

    def wait(self, key: Hashable) -> float:
        """0 when `key` may send now, else the seconds until it may."""
        sent = self._sent.get(key)
        if not sent:
            return 0.0
        now = self._clock.monotonic()
        while sent and sent[0] + self.seconds + MARGIN <= now:
            sent.popleft()
        if not sent:
            del self._sent[key]
            return 0.0
        if len(sent) < self.count:
            return 0.0
        return sent[0] + self.seconds + MARGIN - now

    def take(self, key: Hashable) -> None:
        self._sent.setdefault(key, deque()).append(self._clock.monotonic())

    def __len__(self) -> int:
        return len(self._sent)


def window_of(rate: float | None, burst: int, clock: Clock) -> Window | None:
    """`rate` messages a second with bursts of `burst`, as a window: at most
    `burst` in any `burst / rate` seconds (Telegram's 30/s: 30 in any
    second; WhatsApp's one per 6 s to a person: 1 in any 6 s)."""
    if rate is None or rate <= 0:
        return None
    burst = max(1, burst)
    return Window(burst, burst / rate, clock)


class Pace:
    """One messenger's limits: per recipient, per group recipient (as
    `is_group` tells) and over all of them."""

    def __init__(
        self,
        limits: RateLimits,
        clock: Clock,
        is_group: Callable[[Any], bool] = lambda _recipient: False,
    ) -> None:
        self.per_chat = window_of(limits.per_chat, limits.per_chat_burst, clock)
        self.per_group = window_of(limits.per_group, limits.per_group_burst, clock)
        self.overall = window_of(limits.overall, limits.overall_burst, clock)
        self._is_group = is_group

    def _windows(self, recipient: Hashable) -> list[tuple[Window, Hashable]]:
        found = []
        if self.per_chat is not None:
            found.append((self.per_chat, recipient))
        if self.per_group is not None and self._is_group(recipient):
            found.append((self.per_group, recipient))
        if self.overall is not None:
            found.append((self.overall, None))
        return found

    def wait(self, recipient: Hashable) -> float:
        return max([0.0, *(window.wait(key) for window, key in self._windows(recipient))])

    def take(self, recipient: Hashable) -> None:
        for window, key in self._windows(recipient):
            window.take(key)


def backoff(failures: int, base: float = 1.0, cap: float = 300.0) -> float:
    """Seconds before the next try after `failures` failures in a row:
    doubling from `base` up to `cap`, with jitter (half to all of it) so
    many messages that failed together do not come back together."""
    delay = min(cap, base * 2 ** max(0, failures - 1))
    return delay * random.uniform(0.5, 1.0)
