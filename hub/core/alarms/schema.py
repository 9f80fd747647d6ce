"""The data of the alarm.* services. An automation renders its templates
before the call, so what arrives here is plain values: durations in any
form an automation accepts, names as a list or a comma-separated string."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol

from ..automation.schema import parse_duration
from ..entities import _str_list
from ..eventdata import json_safe
from ..i18n import Text
from .model import PRIORITIES

# Reminders more often than this would flood a phone, not help.
MIN_REPEAT_SECONDS = 10.0


def names(value: Any) -> list[str]:
    """Person, group or entity ids: a list, or one text with commas (plain
    str: what YAML gave carries its file and line, events carry JSON)."""
    return [str(name) for name in _str_list(value)]


def plain(value: Any) -> Any:
    """A mapping from YAML or a template as plain JSON data."""
    return json_safe(value, mask=False)


def seconds(value: Any) -> float:
    """A positive duration (30, "00:05:00", {minutes: 5}) as seconds."""
    try:
        span = parse_duration(value).total_seconds()
    except ValueError as err:
        raise vol.Invalid(err.args[0]) from None
    if span <= 0:
        raise vol.Invalid(Text("config.positive_seconds"))
    return span


def _words(value: Any) -> Any:
    """A title or message: one text, or one per language ({id: ..., en: ...})."""
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in ("id", "en")]
        if unknown or not value:
            raise vol.Invalid(Text("alarm.expected_words"))
        return {str(k): str(v) for k, v in value.items()}
    if value is None or isinstance(value, list | dict):
        raise vol.Invalid(Text("alarm.expected_words"))
    return str(value)  # a template may have rendered a number


def _repeat(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping) and "every" in value:
        every = seconds(value["every"])
        times = value.get("times")
        if times is not None:
            times = vol.All(vol.Coerce(int), vol.Range(min=1))(times)
        extra = [k for k in value if k not in ("every", "times")]
        if extra:
            raise vol.Invalid(Text("alarm.repeat_keys"))
    else:
        every, times = seconds(value), None
    if every < MIN_REPEAT_SECONDS:
        raise vol.Invalid(Text("alarm.repeat_too_often", low=MIN_REPEAT_SECONDS))
    return {"every": every, "times": times}


_TIER = vol.Schema(
    {
        vol.Optional("after"): seconds,
        vol.Required("recipients"): names,
    }
)

_CLOSE_ON_EVENT = vol.Schema(
    {
        vol.Required("event"): vol.All(vol.Coerce(str), vol.Length(min=1)),
        vol.Optional("event_data"): vol.All(dict, plain),
    }
)
_CLOSE_ON_STATE = vol.Schema(
    {
        vol.Required("entity_id"): vol.All(vol.Coerce(str), vol.Length(min=1)),
        vol.Required("state"): vol.All(
            vol.Any(str, [str], bool),
            lambda v: [_state(s) for s in (v if isinstance(v, list) else [v])],
        ),
    }
)
_CLOSE_AFTER = vol.Schema({vol.Required("after"): seconds})


def _state(value: Any) -> str:
    # YAML 1.1 reads an unquoted on/off as a boolean
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def _close_on(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    rules = []
    for item in items:
        if isinstance(item, str):
            rules.append({"event": str(item)})
        elif isinstance(item, Mapping) and "event" in item:
            rules.append(_CLOSE_ON_EVENT(dict(item)))
        elif isinstance(item, Mapping) and "entity_id" in item:
            rules.append(_CLOSE_ON_STATE(dict(item)))
        elif isinstance(item, Mapping) and "after" in item:
            rules.append(_CLOSE_AFTER(dict(item)))
        else:
            raise vol.Invalid(Text("alarm.expected_close_rule"))
    return rules


def _chain(config: dict[str, Any]) -> dict[str, Any]:
    """Every tier waits `after` (counted from the tier before it, the first
    from the raise); a tier without one waits `respond_within`."""
    for index, tier in enumerate(config.get("escalation") or ()):
        if "after" not in tier:
            if config.get("respond_within") is None:
                raise vol.Invalid(Text("alarm.tier_needs_after"), path=["escalation", index])
            tier["after"] = config["respond_within"]
    return config


RAISE_SCHEMA = vol.All(
    vol.Schema(
        {
            vol.Required("title"): _words,
            vol.Optional("message", default=""): _words,
            vol.Optional("priority", default="medium"): vol.All(
                vol.Coerce(str), vol.Lower, vol.In(PRIORITIES)
            ),
            vol.Optional("site"): vol.Any(None, vol.Coerce(str)),
            vol.Optional("area"): vol.Any(None, vol.Coerce(str)),
            vol.Optional("entity_id"): vol.Any(None, vol.Coerce(str)),
            vol.Optional("source_event"): vol.Any(
                None, vol.All(str, vol.Coerce(str)), vol.All(dict, plain)
            ),
            vol.Optional("cameras", default=list): names,
            vol.Optional("recipients", default=list): names,
            vol.Optional("respond_within"): seconds,
            vol.Optional("escalation", default=list): [_TIER],
            vol.Optional("repeat"): _repeat,
            vol.Optional("auto_close_on", default=list): _close_on,
            vol.Optional("dedupe_key"): vol.Any(None, vol.All(vol.Coerce(str), vol.Length(min=1))),
            # the messengers that carry it (notify entity ids); all of them by default
            vol.Optional("notify", default=list): names,
            vol.Optional("data", default=dict): vol.All(dict, plain),
        }
    ),
    _chain,
)

_ALARM_ID = vol.All(vol.Coerce(str), vol.Length(min=1, max=100))

ACKNOWLEDGE_SCHEMA = vol.Schema(
    {vol.Required("alarm_id"): _ALARM_ID, vol.Optional("note"): vol.Coerce(str)}
)
CLOSE_SCHEMA = vol.Schema(
    {vol.Required("alarm_id"): _ALARM_ID, vol.Optional("note", default=""): vol.Coerce(str)}
)
ESCALATE_SCHEMA = vol.Schema(
    {
        vol.Required("alarm_id"): _ALARM_ID,
        vol.Optional("recipients", default=list): names,
        vol.Optional("note", default=""): vol.Coerce(str),
    }
)
