"""Trigger types built into the hub, and attaching an automation's triggers.

Every trigger type, built-in or a plugin's, is a `TriggerPlatform` found in
`hub.trigger_platforms` by name; the engine knows no type in particular.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...context import Context
from ...i18n import Text, message
from ...lograte import LogRate
from ..templates import TemplateError, template_env
from .events import EventTrigger, NumericStateTrigger, StateTrigger, TemplateTrigger
from .time import HomeAssistantTrigger, HubTrigger, SunTrigger, TimePatternTrigger, TimeTrigger
from .webhook import WebhookTrigger

if TYPE_CHECKING:
    from ...hub import Hub

_LOGGER = logging.getLogger(__name__)


BUILTIN_TRIGGERS = (
    EventTrigger,
    StateTrigger,
    NumericStateTrigger,
    TemplateTrigger,
    TimeTrigger,
    TimePatternTrigger,
    SunTrigger,
    HubTrigger,
    HomeAssistantTrigger,
    WebhookTrigger,
)

OnTrigger = Callable[[dict[str, Any], Context | None], Any]


async def attach_triggers(
    hub: Hub,
    configs: Sequence[Mapping[str, Any]],
    on_trigger: OnTrigger,
    *,
    name: str,
    variables: Mapping[str, Any] | None = None,
) -> Callable[[], None]:
    """Attach every enabled trigger; each firing calls `on_trigger(trigger
    variables, context)` with `id`, `idx` and `alias` added. A trigger that
    fails to attach is logged with its automation's name and line; the
    others stay attached. Returns the function that detaches them all."""
    env = template_env(hub)
    failures = LogRate(_LOGGER, language=lambda: hub.console_language)
    pending = []
    for idx, config in enumerate(configs):
        enabled = config.get("enabled", True)
        if isinstance(enabled, str):
            enabled = env.template(enabled).render_bool(variables or {})
        if not enabled:
            continue
        platform = hub.trigger_platforms[config["platform"]](hub, config)
        platform.variables = variables or {}
        base = {"id": str(config.get("id", idx)), "idx": str(idx), "alias": config.get("alias")}
        extra = config.get("variables")

        def action(
            trigger: Mapping[str, Any],
            context: Context | None = None,
            base: dict[str, Any] = base,
            extra: Mapping[str, Any] | None = extra,
            config: Mapping[str, Any] = config,
        ) -> Any:
            full = {**base, **trigger}
            if extra:
                try:
                    full = _with_trigger_variables(env, extra, full, variables)
                except TemplateError as err:  # on what the trigger was sent: not a traceback
                    said = Text(
                        "automation.trigger_variables_failed",
                        name=name,
                        platform=config["platform"],
                        where=_where(config),
                        error=message(err),
                    )
                    failures.log(id(config), logging.WARNING, said)
                    return None
            return on_trigger(full, context)

        pending.append((config, platform.attach(action)))
    results = await asyncio.gather(*(attach for _, attach in pending), return_exceptions=True)
    undo = []
    for (config, _), result in zip(pending, results, strict=True):
        if isinstance(result, BaseException):
            said = Text(
                "automation.trigger_not_attached",
                name=name,
                platform=config["platform"],
                where=_where(config),
                error=message(result),
            )
            _LOGGER.error(said)
        else:
            undo.append(result)

    def detach() -> None:
        failures.close()
        for unsubscribe in undo:
            try:
                unsubscribe()
            except Exception:
                _LOGGER.exception("automation %s: a trigger failed to detach", name)

    return detach


def _where(config: Mapping[str, Any]) -> str:
    return f"{config.file}:{config.line}" if getattr(config, "line", None) else "?"  # type: ignore[attr-defined]


def _with_trigger_variables(
    env: Any, extra: Mapping[str, Any], trigger: dict[str, Any], variables: Mapping[str, Any] | None
) -> dict[str, Any]:
    """A trigger's own `variables:`, rendered with the trigger that fired."""
    from ..templates import compile_value

    scope = {**(variables or {}), "trigger": trigger}
    rendered = {}
    for key, value in extra.items():
        renderer = compile_value(value, env)
        rendered[key] = renderer(scope) if renderer is not None else value
    return {**trigger, "variables": rendered}
