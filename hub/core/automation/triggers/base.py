"""What the built-in trigger types share: the hub's clock, templates and
event index, and rendering `trigger_variables` into their settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ...clock import clock_of
from ...platform import TriggerPlatform
from ..templates import compile_value, template_env
from .index import event_index

if TYPE_CHECKING:
    from ...hub import Hub


class BuiltinTrigger(TriggerPlatform):
    def __init__(self, hub: Hub, config: Mapping[str, Any]) -> None:
        super().__init__(hub, config)
        self.clock = clock_of(hub)
        self.env = template_env(hub)
        self.index = event_index(hub)

    def limited(self, value: Any) -> Any:
        """A setting with its templates rendered once, at attach, from the
        automation's trigger_variables (as Home Assistant's limited templates)."""
        renderer = compile_value(value, self.env)
        return value if renderer is None else renderer(self.variables)


def all_of(undo: list[Callable[[], None]]) -> Callable[[], None]:
    """One unsubscribe for several."""

    def unsubscribe() -> None:
        for step in undo:
            step()

    return unsubscribe


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]
