"""Browser sessions, held in memory (a restart signs everyone out).

A session id is 256 random bits, sent only in an HttpOnly cookie and kept
here only as its SHA-256. Each session has its own CSRF token, which the
page sends back in `X-CSRF-Token` with every write. A session ends when it
was idle for `idle` seconds, when it is `max_age` old, at sign-out, and when
the person's password changed (the hash it was opened with is no longer the
stored one). Times are the hub's clock's monotonic seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_SESSIONS = 10_000
MAX_PER_USER = 20


@dataclass(slots=True)
class Session:
    key: str  # SHA-256 of the id
    user: str
    csrf: str
    password_hash: str
    started: float
    seen: float

    def csrf_matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(self.csrf.encode(), given.encode())


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


class Sessions:
    def __init__(self, now: Callable[[], float], *, idle: float, max_age: float) -> None:
        self._now = now
        self.idle = idle
        self.max_age = max_age
        self._by_key: OrderedDict[str, Session] = OrderedDict()

    def __len__(self) -> int:
        return len(self._by_key)

    def open(self, user: str, password_hash: str) -> tuple[str, Session]:
        """A new session (and its id, to be sent once as the cookie)."""
        self._sweep()
        mine = [s for s in self._by_key.values() if s.user == user]
        for old in mine[: max(0, len(mine) - MAX_PER_USER + 1)]:
            self._by_key.pop(old.key, None)
        while len(self._by_key) >= MAX_SESSIONS:
            self._by_key.popitem(last=False)
        session_id = secrets.token_urlsafe(32)
        now = self._now()
        session = Session(
            _key(session_id), user, secrets.token_urlsafe(32), password_hash, now, now
        )
        self._by_key[session.key] = session
        return session_id, session

    def get(self, session_id: str, password_of: Callable[[str], str | None]) -> Session | None:
        """The live session with this id (its idle time restarts), or None;
        `password_of(user)` is the person's stored hash now."""
        if not session_id or len(session_id) > 200:
            return None
        session = self._by_key.get(_key(session_id))
        if session is None:
            return None
        now = self._now()
        password_hash = password_of(session.user)
        if (
            now - session.seen > self.idle
            or now - session.started > self.max_age
            or password_hash is None
            or not hmac.compare_digest(session.password_hash, password_hash)
        ):
            self._by_key.pop(session.key, None)
            return None
        session.seen = now
        return session

    def still_open(self, session: Session, password_of: Callable[[str], str | None]) -> bool:
        """Whether a session an open WebSocket rides on still holds: not
        signed out, not past its age, the password unchanged. The open
        socket is the page in use (a wall screen): its idle time restarts."""
        password_hash = password_of(session.user)
        now = self._now()
        alive = (
            self._by_key.get(session.key) is session
            and now - session.started <= self.max_age
            and password_hash is not None
            and hmac.compare_digest(session.password_hash, password_hash)
        )
        if alive:
            session.seen = now
        return alive

    def close(self, session: Session) -> None:
        self._by_key.pop(session.key, None)

    def _sweep(self) -> None:
        now = self._now()
        for session in list(self._by_key.values()):
            if now - session.seen > self.idle or now - session.started > self.max_age:
                self._by_key.pop(session.key, None)
