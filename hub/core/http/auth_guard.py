"""Sign-in throttling: after `max_failures` failed sign-ins within `window`
seconds, the person (whoever tries their name) and, separately, the client
address (whatever names it tries) are locked out for `lockout` seconds:
even the right password is refused until then. Times are the hub's clock's
monotonic seconds, so a FakeClock moves them in tests.

Memory stays bounded: at most `MAX_TRACKED` people and addresses are
remembered; past it the oldest are forgotten first.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_TRACKED = 10_000


@dataclass(slots=True)
class _Record:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class _Tracker:
    def __init__(self, max_failures: int, window: float, lockout: float) -> None:
        self.max_failures = max_failures
        self.window = window
        self.lockout = lockout
        self._records: OrderedDict[str, _Record] = OrderedDict()

    def locked_for(self, key: str, now: float) -> float:
        record = self._records.get(key)
        if record is None:
            return 0.0
        return max(0.0, record.locked_until - now)

    def failed(self, key: str, now: float) -> bool:
        """Count a failure; True when it locks the key out now."""
        record = self._records.pop(key, None) or _Record()
        self._records[key] = record  # the most recent last
        while record.failures and now - record.failures[0] > self.window:
            record.failures.popleft()
        record.failures.append(now)
        locks = len(record.failures) >= self.max_failures
        if locks:
            record.locked_until = now + self.lockout
            record.failures.clear()
        while len(self._records) > MAX_TRACKED:
            self._records.popitem(last=False)
        return locks

    def forget(self, key: str) -> None:
        self._records.pop(key, None)


class SignInGuard:
    """Failures per person and per address; `retry_after` says how long a
    sign-in is refused (0: it may be tried)."""

    def __init__(
        self,
        now: Callable[[], float],
        *,
        max_failures: int = 5,
        address_max_failures: int = 20,
        window: float = 900.0,
        lockout: float = 900.0,
    ) -> None:
        self._now = now
        self.users = _Tracker(max_failures, window, lockout)
        self.addresses = _Tracker(address_max_failures, window, lockout)

    def retry_after(self, user: str | None, address: str) -> float:
        now = self._now()
        by_user = self.users.locked_for(user, now) if user else 0.0
        return max(by_user, self.addresses.locked_for(address, now))

    def failed(self, user: str | None, address: str) -> bool:
        """A failed sign-in (`user` only when it names a person who may sign
        in: made-up names would fill the table); True when it locks now."""
        now = self._now()
        locked = self.addresses.failed(address, now)
        if user:
            locked = self.users.failed(user, now) or locked
        return locked

    def succeeded(self, user: str) -> None:
        self.users.forget(user)
