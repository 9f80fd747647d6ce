"""How much one trigger takes in: a payload over the trigger's `max_payload`
is refused before anything decodes, parses or renders it, with a warning
that names the trigger and the limit (one line a minute per trigger, however
fast they come). A 10 MB MQTT payload once held the hub's loop for seconds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import voluptuous as vol

from ..i18n import Text
from ..lograte import LogRate

if TYPE_CHECKING:
    from ..hub import Hub

_LOGGER = logging.getLogger("hub.automation")

KIB = 1024
MIB = 1024 * KIB

#: what an mqtt or webhook trigger takes when its `max_payload` is not set:
#: far above a device's or a caller's event, far below what could hold the hub
DEFAULT_MAX_PAYLOAD = 256 * KIB


_UNITS = {"": 1, "b": 1, "kb": 1000, "kib": KIB, "mb": 1000**2, "mib": MIB}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def byte_size(value: Any) -> int:
    """A size in bytes: a whole number, or a number with B, KB, KiB, MB or MiB."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        match = _SIZE.match(value)
        if match is not None and match.group(2).lower() in _UNITS:
            size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
            if size > 0:
                return size
    raise vol.Invalid(Text("automation.expected_byte_size", value=repr(value)))


class PayloadLimit:
    """One trigger's `max_payload`: `allows(size)` says whether a payload of
    that many bytes may go on, and warns about the ones that may not."""

    def __init__(self, hub: Hub, config: Mapping[str, Any], trigger: str) -> None:
        self.limit: int = config.get("max_payload", DEFAULT_MAX_PAYLOAD)
        self.trigger = trigger
        file, line = getattr(config, "file", None), getattr(config, "line", None)
        self.where = f"{file}:{line}" if file and line else "?"
        self._log = LogRate(_LOGGER, language=lambda: hub.console_language)

    def allows(self, size: int) -> bool:
        if size <= self.limit:
            return True
        said = Text(
            "automation.payload_refused",
            trigger=self.trigger,
            where=self.where,
            size=Text("automation.payload_bytes", size=size),
            limit=self.limit,
        )
        self._log.log("payload", logging.WARNING, said)
        return False

    def close(self) -> None:
        """The trigger detaches: say how many were refused since the last line."""
        self._log.close()
