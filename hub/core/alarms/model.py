"""One alarm: its record (what the recorder stores, plain JSON) and the
words of its lifecycle. The manager changes alarms; this module only
says what an alarm holds."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

RAISED = "raised"
NOTIFIED = "notified"
ACKNOWLEDGED = "acknowledged"
CLOSED = "closed"
STATES = (RAISED, NOTIFIED, ACKNOWLEDGED, CLOSED)

PRIORITIES = ("low", "medium", "high", "critical")

# the deadlines an open alarm can wait for, each a wall-clock moment
ESCALATE = "escalate"
REMIND = "remind"
AUTO_CLOSE = "auto_close"
DEADLINES = (ESCALATE, REMIND, AUTO_CLOSE)


class Alarm:
    """An alarm's record, the dict the recorder saves (its indexed columns
    plus a JSON body), and the lock that keeps its saves in order."""

    __slots__ = ("lock", "record")

    def __init__(self, record: Mapping[str, Any]) -> None:
        self.record: dict[str, Any] = dict(record)
        self.record.setdefault("deadlines", {})
        self.record.setdefault("notified", [])
        self.lock = asyncio.Lock()

    # the record's fields the manager reads most, by name
    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def state(self) -> str:
        return str(self.record["state"])

    @property
    def site(self) -> str | None:
        return self.record.get("site")

    @property
    def is_open(self) -> bool:
        return self.state != CLOSED

    @property
    def deadlines(self) -> dict[str, float]:
        return self.record["deadlines"]

    def set_deadline(self, kind: str, when: float | None) -> None:
        if when is None:
            self.deadlines.pop(kind, None)
        else:
            self.deadlines[kind] = when
        self.record["next_deadline"] = min(self.deadlines.values(), default=None)

    def clear_deadlines(self, *kinds: str) -> None:
        for kind in kinds or DEADLINES:
            self.set_deadline(kind, None)

    def title(self, lang: str) -> str:
        return _in(self.record.get("title"), lang)

    def message(self, lang: str) -> str:
        return _in(self.record.get("message"), lang)

    def event_data(self, **extra: Any) -> dict[str, Any]:
        """What every alarm.* event carries (plain JSON)."""
        data = {
            "alarm_id": self.id,
            "site": self.site,
            "area": self.record.get("area"),
            "priority": self.record["priority"],
            "state": self.state,
            "title": self.title("en"),
            "dedupe_key": self.record.get("dedupe_key"),
            "count": self.record.get("count", 1),
            "tier": self.record.get("tier", 0),
        }
        data.update(extra)
        return data


def words(value: Any) -> dict[str, str]:
    """A title or message as given (one string, or one per language) as {lang: text}."""
    if isinstance(value, Mapping):
        given = {str(k): str(v) for k, v in value.items() if v is not None}
        first = next(iter(given.values()), "")
        return {"id": given.get("id", first), "en": given.get("en", first)}
    text = "" if value is None else str(value)
    return {"id": text, "en": text}


def _in(value: Any, lang: str) -> str:
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("en") or next(iter(value.values()), ""))
    return "" if value is None else str(value)
