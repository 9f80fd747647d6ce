"""A panel's code: compared in constant time, never logged or stored, and
locked for a while after too many wrong tries (someone guessing at the
keypad or the chat bot)."""

from __future__ import annotations

import hashlib
import hmac
from collections import deque
from typing import Any

import voluptuous as vol

from hub import kit

LOCKOUT_SCHEMA = vol.Schema(
    {
        vol.Optional("attempts", default=5): vol.All(int, vol.Range(min=1, max=100)),
        vol.Optional("within", default=300.0): kit.seconds(1.0),
        vol.Optional("duration", default=600.0): kit.seconds(1.0),
    }
)


def _digest(code: str) -> bytes:
    # equal lengths for compare_digest: the length of the code does not show either
    return hashlib.sha256(code.encode("utf-8")).digest()


class CodeGuard:
    """Checks codes against the configured one; `attempts` wrong ones within
    `within` seconds lock it for `duration` seconds (monotonic time)."""

    def __init__(self, code: str | None, lockout: dict[str, Any]) -> None:
        self._digest = _digest(str(code)) if code else None
        self.attempts = int(lockout["attempts"])
        self.within = float(lockout["within"])
        self.duration = float(lockout["duration"])
        self._wrong: deque[float] = deque(maxlen=self.attempts)
        self._locked_until: float | None = None

    @property
    def has_code(self) -> bool:
        return self._digest is not None

    def locked(self, now: float) -> bool:
        if self._locked_until is not None and now >= self._locked_until:
            self._locked_until = None
            self._wrong.clear()
        return self._locked_until is not None

    def locked_for(self, now: float) -> float:
        return max(0.0, self._locked_until - now) if self.locked(now) else 0.0

    def check(self, given: str, now: float) -> bool:
        """Whether `given` is the code (False too while locked: not compared)."""
        if self.locked(now):
            return False
        right = self._digest is not None and hmac.compare_digest(_digest(given), self._digest)
        if right:
            self._wrong.clear()
            return True
        self._wrong.append(now)
        recent = [t for t in self._wrong if now - t <= self.within]
        if len(recent) >= self.attempts:
            self._locked_until = now + self.duration
        return False

    def wrong_count(self, now: float) -> int:
        return sum(1 for t in self._wrong if now - t <= self.within)
