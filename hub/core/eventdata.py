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


def json_safe(value: Any, *, depth: int = 0) -> Any:
    """`value` as plain JSON values: secrets masked (by key name and by the
    known secret values), durations in seconds, times in ISO 8601."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact(str(value))  # a Text becomes its plain (English) words
    if depth >= _MAX_DEPTH:
        return "..."
    if isinstance(value, Mapping):
        return {
            str(key): REDACTED
            if isinstance(key, str) and _SECRET_KEY.search(key)
            else json_safe(item, depth=depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(item, depth=depth + 1) for item in value]
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict):
        return json_safe(as_dict(), depth=depth + 1)
    return redact(str(value))
