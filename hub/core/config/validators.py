"""The validators every configuration needs: ports, hosts, durations.

Written once, used by the core's own sections (mqtt, http, media) and handed
to plugins through `hub.kit`, so `port: 70000` or `timeout: -1` reads the
same whichever plugin's YAML it is in.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

import voluptuous as vol

from ..i18n import Text

# RFC 1123 labels: letters, digits and hyphens, not starting or ending with a hyphen.
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def port(value: Any, *, low: int = 1) -> int:
    """A TCP/UDP port (`low` 0 lets the system pick one, for tests)."""
    if isinstance(value, bool):
        raise vol.Invalid(Text("config.expected_port", low=low))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise vol.Invalid(Text("config.expected_port", low=low)) from None
    if number != value and str(number) != str(value).strip():
        raise vol.Invalid(Text("config.expected_port", low=low))
    if not low <= number <= 65535:
        raise vol.Invalid(Text("config.expected_port", low=low))
    return number


def any_port(value: Any) -> int:
    """A port, or 0 for one the system picks."""
    return port(value, low=0)


def host(value: Any) -> str:
    """A host name or an IP address, as written (`kamera-lobi.local`, `10.20.0.5`)."""
    text = str(value).strip() if isinstance(value, str) else ""
    if not text:
        raise vol.Invalid(Text("config.expected_host"))
    try:
        ipaddress.ip_address(text.strip("[]"))
        return text
    except ValueError:
        pass
    name = text[:-1] if text.endswith(".") else text
    if len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        raise vol.Invalid(Text("config.expected_host"))
    return text


def seconds(low: float = 0.0, high: float | None = None) -> Callable[[Any], float]:
    """A duration in seconds, at least `low` (and at most `high`)."""

    def refused() -> vol.Invalid:
        if high is None:
            return vol.Invalid(Text("config.expected_seconds", low=low))
        return vol.Invalid(Text("config.expected_seconds_between", low=low, high=high))

    def check(value: Any) -> float:
        if isinstance(value, bool):
            raise refused()
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise refused() from None
        if number != number or number < low or (high is not None and number > high):
            raise refused()
        return number

    return check
