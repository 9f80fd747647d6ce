"""Event data is plain JSON: what the recorder stores, the WebSocket API
sends and an edge hub publishes is the same dict, with no live objects
(State, Text, timedelta) and no secret in it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from .config.secrets import REDACTED, redact

# Keys whose values are secrets whatever they hold (a door code, a token).
_SECRET_KEY = re.compile(r"pass(word|wd)?|secret|token|api_?key|(^|_)code$|(^|_)pin$", re.I)
_MAX_DEPTH = 16


def json_safe(value: Any, *, mask: bool = True, depth: int = 0) -> Any:
    """`value` as plain JSON values: config nodes and Texts as plain str,
    durations in seconds, times in ISO 8601, tuples and sets as lists; with
    `mask` (the audit's `call_service`), secrets masked by key name and by
    the known secret values."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact(str(value)) if mask else str(value)  # a Text: its English words
    if depth >= _MAX_DEPTH:
        return "..."
    if isinstance(value, Mapping):
        return {
            str(key): REDACTED
            if mask and isinstance(key, str) and _SECRET_KEY.search(key)
            else json_safe(item, mask=mask, depth=depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(item, mask=mask, depth=depth + 1) for item in value]
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict):
        return json_safe(as_dict(), mask=mask, depth=depth + 1)
    return redact(str(value)) if mask else str(value)


def plain_json(value: Any) -> Any:
    """What a YAML `event_data` becomes on the bus: `json_safe`, unmasked."""
    return json_safe(value, mask=False)


_PLAIN = (str, int, float, bool, type(None))


def not_plain(value: Any, path: str = "data") -> str | None:
    """Where `value` holds something that is not plain JSON (a Text, a
    config node, a datetime, a live object): `data.reason (Text)`, or None.
    A State is plain (it is its own JSON)."""
    if type(value) in _PLAIN:
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if type(key) is not str:
                return f"{path} key {key!r} ({type(key).__name__})"
            found = not_plain(item, f"{path}.{key}")
            if found:
                return found
        return None
    if type(value) is list:
        for index, item in enumerate(value):
            found = not_plain(item, f"{path}[{index}]")
            if found:
                return found
        return None
    return f"{path} ({type(value).__name__})"
