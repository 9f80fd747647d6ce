"""Entity domains: what kinds of things the hub drives, declared by plugins.

A domain (`door`, `siren`, `binary_sensor`, a vendor's own) names its base
class, what one of its things is called in each language, whether it must
belong to a site, and its services (`door.unlock`), which reach entities by
entity id, site or area. The core's own domains are declared the same way,
by its `entities` room: adding a domain never edits a core table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .platform import Device
    from .services import ServiceCall


@dataclass(frozen=True, slots=True)
class EntityService:
    """A service of a domain: its data keys (besides the target) and what
    it does to one targeted entity."""

    schema: Mapping[Any, Any]
    act: Callable[[Any, ServiceCall], Awaitable[Any]]
    #: it makes things safe (siren.turn_off, door.lock): it reaches a device
    #: that is unavailable too, whose platform decides (an MQTT siren owes
    #: the switch-off until it is back); any other is refused for it at once
    makes_safe: bool = False
    #: what a person needs on the targeted entities' sites (hub/core/permissions.py):
    #: doors, sirens and cameras are "control"; a service that checks more
    #: itself (an alarm panel's code) may ask less here
    permission: str = "control"


@dataclass(frozen=True, slots=True)
class EntityDomain:
    """One entity domain; `needs_site`: every item names its site.

    What one of its things is called comes from the declaring plugin's
    catalog: `device.kind.<name>` ("pintu" / "door") and `device.Kind.<name>`
    (at the start of a sentence); a domain without them is called by its name."""

    name: str
    base: type[Device]
    needs_site: bool = True
    services: Mapping[str, EntityService] = field(default_factory=dict)
