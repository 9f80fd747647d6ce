"""The automation engine, a core room built as a plugin: Home Assistant's
automation language under the `automation:` key, the built-in trigger
types, and the automation.* services."""

from __future__ import annotations

import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING, Any

import voluptuous as vol

from ..clock import CLOCK, Clock, FakeClock
from ..config import ConfigErrors
from ..hookspecs import hookimpl
from ..services import ServiceCall
from .engine import ENGINE, AutomationEngine
from .schema import section_validator
from .triggers import BUILTIN_TRIGGERS

if TYPE_CHECKING:
    from ..hub import Hub

__all__ = ["CLOCK", "ENGINE", "AutomationEngine", "Clock", "FakeClock"]

_LOGGER = logging.getLogger("hub.automation")


@hookimpl
def sigap_trigger_platforms(hub: Hub) -> Any:
    return list(BUILTIN_TRIGGERS)


@hookimpl
def sigap_config_schema(hub: Hub) -> Any:
    return {"automation": section_validator(hub)}


def _targets(engine: AutomationEngine, call: ServiceCall) -> list[Any]:
    names = call.data.get("entity_id") or []
    if isinstance(names, str):
        names = [names]
    if names == ["all"]:
        return list(engine.automations.values())
    found = []
    for name in names:
        automation = engine.find(name)
        if automation is None:
            raise vol.Invalid(f"{name} is not a loaded automation")
        found.append(automation)
    return found


_TARGET = {vol.Optional("entity_id"): vol.Any(str, [str])}


def _register_services(hub: Hub, engine: AutomationEngine) -> list[Any]:
    async def reload(call: ServiceCall) -> None:
        errors = await engine.reload()
        if errors:
            raise ConfigErrors(errors)

    async def turn_on(call: ServiceCall) -> None:
        for automation in _targets(engine, call):
            if not automation.enabled:
                automation.enabled = True
                await automation.attach()
                automation.write_state()

    async def turn_off(call: ServiceCall) -> None:
        for automation in _targets(engine, call):
            automation.enabled = False
            automation.detach()
            if call.data.get("stop_actions", True):
                await automation.stop_runs()
            automation.write_state()

    async def trigger(call: ServiceCall) -> None:
        for automation in _targets(engine, call):
            automation.trigger(
                {"platform": None, "description": "automation.trigger service"},
                call.context,
                skip_condition=call.data.get("skip_condition", True),
                extra_variables=call.data.get("variables"),
            )

    async def trace(call: ServiceCall) -> dict[str, Any]:
        found = (
            _targets(engine, call)
            if call.data.get("entity_id")
            else list(engine.automations.values())
        )
        return {a.id: [t.as_dict() for t in a.traces()] for a in found}

    return [
        hub.services.register("automation", "reload", reload, {}),
        hub.services.register("automation", "turn_on", turn_on, _TARGET),
        hub.services.register(
            "automation",
            "turn_off",
            turn_off,
            {**_TARGET, vol.Optional("stop_actions", default=True): bool},
        ),
        hub.services.register(
            "automation",
            "trigger",
            trigger,
            {
                **_TARGET,
                vol.Optional("skip_condition", default=True): bool,
                vol.Optional("variables"): dict,
            },
        ),
        hub.services.register("automation", "trace", trace, _TARGET),
    ]


@hookimpl
def sigap_lifespan(hub: Hub) -> Any:
    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        engine = AutomationEngine(hub)
        hub.data[ENGINE] = engine
        await engine.start(hub.config.get("automation") or [])
        undo = _register_services(hub, engine)
        unlisten = hub.bus.listen(
            "hub.started", lambda e: engine.check_references(), owner=__name__
        )
        sighup = _on_sighup(hub, engine)
        try:
            yield
        finally:
            sighup()
            unlisten()
            for unregister in undo:
                unregister()
            await engine.stop()

    return lifespan()


def _on_sighup(hub: Hub, engine: AutomationEngine) -> Any:
    """SIGHUP reloads the automations (as `automation.reload`)."""
    import asyncio

    loop = asyncio.get_running_loop()

    def reload() -> None:
        _LOGGER.info("SIGHUP: reloading automations")
        hub.create_task(engine.reload(), "automation reload (SIGHUP)", owner="automation")

    try:
        loop.add_signal_handler(signal.SIGHUP, reload)
    except (NotImplementedError, RuntimeError, ValueError):
        return lambda: None  # not the main thread, or no signals here

    def remove() -> None:
        with suppress(Exception):
            loop.remove_signal_handler(signal.SIGHUP)

    return remove
