"""What an event, a state change or an audit record becomes in its table:
plain row dicts, made by the writer (off the event path), JSON encoded once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..bus import Event
from ..config.secrets import redact
from ..services import EVENT_CALL_SERVICE
from ..state import EVENT_STATE_CHANGED

_encoder = json.JSONEncoder(separators=(",", ":"), default=str, check_circular=False)

# What one row keeps of a value from the network (a 1 MB webhook body an
# automation hands to a service, a 256 KiB MQTT payload in event_data): 100
# webhook posts of 1 MB once wrote 103 MB of audit rows. Past ROW_DATA
# characters of JSON the value is cut as a trace is: strings to ROW_TEXT,
# lists and mappings to ROW_ITEMS, each cut ending in `…(+N)`.
ROW_DATA = 64 * 1024
ROW_TEXT = 4096
ROW_ITEMS = 100
# a string is redacted before it is cut, this far past the cut, so that a
# secret across the cut is hidden whole rather than shown in part
_SECRET_SLACK = 4096


def dumps(value: Any) -> str | None:
    """JSON text (anything not JSON as its str: event data should be plain),
    with every known secret value (`!secret`, `!env_var`) masked: an
    automation's event_data may carry one, and the database is copied and
    read by more people than the config folder. Exact: for what the hub
    reads back whole (an alarm's record, an outbox message)."""
    if value is None:
        return None
    return redact(_encoder.encode(value))


def dumps_cut(value: Any) -> str | None:
    """`dumps` for what the network may have filled (event data, attributes,
    the audit's service data): at most about ROW_DATA characters, a bigger
    value stored cut (see ROW_DATA)."""
    if value is None:
        return None
    encoded = _encoder.encode(value)
    if len(encoded) > ROW_DATA:
        encoded = _encoder.encode(_Cut(ROW_DATA)(value))
    return redact(encoded)


class _Cut:
    """A copy of plain JSON data within a budget of characters."""

    __slots__ = ("left",)

    def __init__(self, budget: int) -> None:
        self.left = budget

    def __call__(self, value: Any, depth: int = 0) -> Any:
        if isinstance(value, str):
            return self._text(value)
        if value is None or isinstance(value, bool | int | float):
            self.left -= 8
            return value
        if depth > 32 or not isinstance(value, Mapping | list | tuple):
            return self._text(str(value) if depth <= 32 else _encoder.encode(value)[:ROW_TEXT])
        depth += 1
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            for count, (key, item) in enumerate(value.items()):
                if count == ROW_ITEMS or self.left <= 0:
                    out["…"] = _marker(len(value) - count)
                    break
                out[key if isinstance(key, str) else str(key)] = self(item, depth)
            return out
        kept: list[Any] = []
        for item in value:
            if len(kept) == ROW_ITEMS or self.left <= 0:
                kept.append(_marker(len(value) - len(kept)))
                break
            self.left -= 1
            kept.append(self(item, depth))
        return kept

    def _text(self, text: str) -> str:
        size = len(text)
        keep = min(size, ROW_TEXT, max(self.left, 0))
        if keep == size:
            self.left -= size
            return text
        self.left -= keep + 12
        return (redact(text[: keep + _SECRET_SLACK])[:keep] if keep else "") + _marker(size - keep)


def _marker(left_out: int) -> str:
    return f"…(+{left_out})"


def loads(text: str | None) -> Any:
    return json.loads(text) if text else None


def text(value: Any) -> str | None:
    """A text column's value, storable by both databases: PostgreSQL
    refuses a NUL character, and no driver encodes a lone surrogate (a
    device's bad bytes): a batch must never fail on one of them."""
    if value is None:
        return None
    value = str(value)
    if not value.isascii():
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value.replace("\x00", "\ufffd") if "\x00" in value else value


def event_row(event: Event) -> dict[str, Any]:
    context = event.context
    return {
        "event_type": text(event.event_type),
        "time_fired": event.time_fired,
        "origin": text(event.origin),
        "context_id": text(context.id),
        "context_user_id": text(context.user_id),
        "context_parent_id": text(context.parent_id),
        "context_actor": text(context.actor),
        "data": dumps_cut(dict(event.data)),
    }


def state_row(event: Event) -> dict[str, Any]:
    new = event.data.get("new_state")
    context = event.context
    common = {
        "entity_id": text(event.data.get("entity_id")),
        "context_id": text(context.id),
        "context_user_id": text(context.user_id),
        "context_actor": text(context.actor),
    }
    if new is None:  # the entity was removed
        return {
            **common,
            "state": None,
            "attributes": None,
            "last_changed": event.time_fired,
            "last_updated": event.time_fired,
        }
    return {
        **common,
        "state": text(new.get("state")),
        "attributes": dumps_cut(new.get("attributes") or {}),
        "last_changed": new.get("last_changed"),
        "last_updated": new.get("last_updated") or event.time_fired,
    }


def audit_row(record: Mapping[str, Any], now: float) -> dict[str, Any]:
    """A `hub.recorder.audit(...)` record as its row (see AUDIT_KEYS)."""
    data = record.get("data")
    alarm_id = record.get("alarm_id")
    if alarm_id is None and isinstance(data, Mapping):
        alarm_id = data.get("alarm_id")
    when = record.get("time")
    return {
        "time": float(when) if isinstance(when, int | float) else now,
        "who": text(record.get("who")),
        "action": text(record.get("action")) or "unknown",
        "entity_id": text(record.get("entity_id")),
        "site": text(record.get("site")),
        "alarm_id": text(alarm_id),
        "reason": text(record.get("reason")),
        "data": dumps_cut(data),
        "context_id": text(record.get("context_id")),
    }


def call_service_rows(event: Event, site_of: Callable[[str], str | None]) -> Iterator[dict]:
    """A `call_service` event as audit rows: one per entity it targets (so a
    camera's audit trail finds a call that named it among others)."""
    data = event.data
    service_data = data.get("service_data")
    service_data = service_data if isinstance(service_data, Mapping) else {}
    targets = service_data.get("entity_id")
    if isinstance(targets, str):
        targets = [targets]
    elif not isinstance(targets, list) or not targets:
        targets = [None]
    who = data.get("user_id") or data.get("actor") or event.context.who
    reason = service_data.get("reason") or service_data.get("note")
    body = {"service": f"{data.get('domain')}.{data.get('service')}", "data": service_data}
    for entity_id in targets:
        entity_id = entity_id if isinstance(entity_id, str) else None
        yield {
            "time": event.time_fired,
            "who": text(who),
            "action": "refused" if data.get("denied") else EVENT_CALL_SERVICE,
            "entity_id": text(entity_id),
            "site": text(service_data.get("site") or (site_of(entity_id) if entity_id else None)),
            "alarm_id": text(service_data.get("alarm_id")),
            "reason": text(reason) if isinstance(reason, str) else None,
            "data": dumps_cut(body),
            "context_id": text(event.context.id),
        }


def is_state_change(event: Event) -> bool:
    return event.event_type == EVENT_STATE_CHANGED
