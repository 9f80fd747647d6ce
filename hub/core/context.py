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


# The actor the core names for its own doings; plugins name theirs the same way
# ("telegram:<user id>", "api-token:<name>", "webhook:<id>").
SYSTEM = "system"


@dataclass(slots=True, frozen=True)
class Context:
    """Who or what caused something, carried by every event, state and
    service call so the trace, the audit and the dashboard tell one story.

    `user_id` is the person (an id of the people registry), None when no
    person is behind it; `actor` is the channel or actor that acted:
    `system` (the hub itself), `automation:<id>`, `device:<entity id>`,
    `telegram:<user id>`, `api-token:<name>`, ...; `parent_id` is the
    context that led to this one."""

    id: str = field(default_factory=new_id)
    user_id: str | None = None
    parent_id: str | None = None
    actor: str | None = None

    def child(self, actor: str | None = None) -> Context:
        """A new context caused by this one, by the same person; `actor`
        names who acts now (an automation acting on a person's event)."""
        return Context(new_id(), self.user_id, self.id, actor or self.actor)

    @property
    def who(self) -> str:
        """The person if there is one, else the actor, else the system."""
        return self.user_id or self.actor or SYSTEM

    def as_dict(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "parent_id": self.parent_id,
            "actor": self.actor,
        }
