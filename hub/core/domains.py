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

from . import i18n

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


@dataclass(frozen=True, slots=True)
class EntityDomain:
    """One entity domain. `kind` is what one of its things is called,
    `{"en": "door", "id": "pintu"}`; `needs_site`: every item names its site."""

    name: str
    base: type[Device]
    kind: Mapping[str, str]
    needs_site: bool = True
    services: Mapping[str, EntityService] = field(default_factory=dict)

    def register_words(self) -> None:
        """Put the domain's words in the catalog (`kind()` finds them there)."""
        words = {
            lang: self.kind.get(lang) or self.kind.get("en") or self.name
            for lang in "en id".split()
        }
        i18n.register(
            {
                f"device.kind.{self.name}": words,
                f"device.Kind.{self.name}": {
                    lang: w[:1].upper() + w[1:] for lang, w in words.items()
                },
            }
        )
