"""A token bucket: `rate` requests a second on average, `burst` at once."""

from __future__ import annotations

import time


class TokenBucket:
    __slots__ = ("_stamp", "_tokens", "burst", "rate")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._tokens = self.burst
        self._stamp = time.monotonic()

    def take(self) -> bool:
        """True when one more request may go through now."""
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def retry_after(self) -> float:
        """Seconds until the next request would go through."""
        return max(0.0, (1.0 - self._tokens) / self.rate) if self.rate > 0 else 60.0
