"""Context: the thread that ties an event, the automation run it starts, the
service calls it makes and the alerts it sends into one story."""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field

# Ids are cheap (no uuid4 per event on the hot path) yet unique across
# restarts: a random per-process prefix plus a time-ordered counter.
_PREFIX = os.urandom(4).hex()
_COUNTER = itertools.count(int(time.time() * 1000) << 16)


def new_id() -> str:
    """A unique, roughly time-ordered id."""
    return f"{_PREFIX}{next(_COUNTER):x}"


@dataclass(slots=True, frozen=True)
class Context:
    """Who or what caused something: `user_id` is the person (None for a
    device or the hub itself), `parent_id` the context that led to this one."""

    id: str = field(default_factory=new_id)
    user_id: str | None = None
    parent_id: str | None = None

    def child(self) -> Context:
        """A new context caused by this one, by the same person."""
        return Context(new_id(), self.user_id, self.id)

    def as_dict(self) -> dict[str, str | None]:
        return {"id": self.id, "user_id": self.user_id, "parent_id": self.parent_id}
