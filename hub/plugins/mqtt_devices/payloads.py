"""Reading what arrives on a device's topics, which anyone on the broker
can publish to: a size limit before anything is decoded, JSON that cannot
recurse the hub into an error, and `Unreadable` (with the reason, a Text)
for a message the hub will not read. The device logs it in one escaped
line (`base.read_message`), and nothing else escapes a parser."""

from __future__ import annotations

import json
from typing import Any

from hub import i18n

#: the largest device message read: a state or an answer is a few hundred
#: bytes, a Zigbee2MQTT device's state a few KiB (a 29 MB JSON on a Tasmota
#: RESULT topic held the event loop 2.7 s while it was parsed)
MAX_PAYLOAD = 64 * 1024


class Unreadable(ValueError):
    """A message on a device's topic the hub will not read; `reason` says why."""

    def __init__(self, reason: i18n.Text) -> None:
        super().__init__(reason)
        self.reason = reason


def _check_size(payload: bytes) -> None:
    if len(payload) > MAX_PAYLOAD:
        raise Unreadable(i18n.Text("mqtt_devices.too_large", size=len(payload), limit=MAX_PAYLOAD))


def read_text(payload: bytes) -> str:
    """The payload as text, stripped (bad UTF-8 replaced)."""
    _check_size(payload)
    return payload.decode("utf-8", "replace").strip()


def read_json(payload: bytes) -> Any:
    """The payload as JSON."""
    _check_size(payload)
    try:
        return json.loads(payload)
    except RecursionError:  # [[[[... deeper than the interpreter's stack
        raise Unreadable(i18n.Text("mqtt_devices.too_deep")) from None
    except ValueError:  # bad JSON, bad UTF-8, an integer of 5000 digits
        raise Unreadable(i18n.Text("mqtt_devices.not_json")) from None


def json_object(value: Any, key: str) -> dict[str, Any]:
    """`value` (found at `key`) when it is a JSON object."""
    if not isinstance(value, dict):
        raise Unreadable(i18n.Text("mqtt_devices.not_object", key=key))
    return value
