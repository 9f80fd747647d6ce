"""One automation: its triggers, conditions and actions, run in its mode
exactly as Home Assistant defines them.

- single: a trigger while a run is going is dropped, logged at the
  `max_exceeded` level (default warning; `silent` logs nothing).
- restart: a trigger stops the running run and starts a new one.
- queued: runs wait their turn, in order; at most `max` running or waiting.
- parallel: runs go side by side, at most `max` at once.

A trigger's conditions are checked before the mode is asked, so a trigger
that fails them never restarts or queues anything.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..context import Context
from ..i18n import Text, console_language, message, render
from .actions import ConditionFailed, Run, StepFailed, StopRun, error_text, run_sequence
from .templates import compile_value
from .trace import STORED_TRACES, Trace

if TYPE_CHECKING:
    from .engine import AutomationEngine

_LOGGER = logging.getLogger("hub.automation")


EVENT_AUTOMATION_TRIGGERED = "automation.triggered"
# A run that ended in an error (its trace says which); /metrics counts them.
EVENT_AUTOMATION_FAILED = "automation.failed"

_LOG_LEVELS = {
    "critical": logging.CRITICAL,
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
}


class _Done:
    """What a trigger's action returns: awaitable, and already done."""

    __slots__ = ()

    def __await__(self) -> Any:
        return iter(())


DONE = _Done()


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return slug or "automation"


class Automation:
    """One loaded automation."""

    def __init__(self, engine: AutomationEngine, config: Mapping[str, Any], index: int) -> None:
        self.engine = engine
        self.hub = engine.hub
        self.config = config
        self.id: str = config.get("id") or f"automation_{index}"
        self.alias: str = config.get("alias") or self.id
        self.name = f"'{self.alias}'"
        self.file = getattr(config, "file", None)
        self.line = getattr(config, "line", None)
        self.where = f"{self.file}:{self.line}" if self.file and self.line else "?"
        self.entity_id = "automation." + slugify(config.get("alias") or self.id)
        self.mode: str = config.get("mode", "single")
        self.max: int = config.get("max", 10)
        level = config.get("max_exceeded", "warning")
        self.max_exceeded: int | None = None if level == "silent" else _LOG_LEVELS[level]
        self.stored_traces = (config.get("trace") or {}).get("stored_traces", STORED_TRACES)
        self.enabled = bool(config.get("initial_state", True))
        env = engine.templates
        self._variables = config.get("variables") or {}
        self._variable_items = [(k, compile_value(v, env), v) for k, v in self._variables.items()]
        self._trigger_variables = config.get("trigger_variables") or {}
        self.conditions = engine.conditions.compile_all(config["conditions"], "condition")
        self.actions = engine.actions.compile_all(config["actions"], "action")
        self.runs: list[asyncio.Task[None]] = []
        self.last_triggered: float | None = self._known_last_triggered()
        self._detach: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _known_last_triggered(self) -> float | None:
        """When it last ran: as the hub shows it now (a reload), else as the
        recorder saw it before this start (a restart)."""
        state = self.hub.states.get(self.entity_id)
        attributes = state.attributes if state is not None else None
        if attributes is None:
            restored = self.hub.recorder.last_state(self.entity_id)
            attributes = restored["attributes"] if restored else {}
        value = attributes.get("last_triggered")
        return float(value) if isinstance(value, int | float) else None

    # -- attach / detach ---------------------------------------------------------

    async def attach(self) -> None:
        """Start watching this automation's triggers."""
        if self._detach is not None:
            return
        self._loop = asyncio.get_running_loop()
        variables = self._static_trigger_variables()
        self._detach = await self.engine.attach_triggers(
            self.config["triggers"], self.trigger, name=self.name, variables=variables
        )

    def _static_trigger_variables(self) -> dict[str, Any]:
        # trigger_variables are "limited templates": rendered once, without states.
        scope: dict[str, Any] = {}
        for key, value in self._trigger_variables.items():
            renderer = compile_value(value, self.engine.templates)
            scope[key] = renderer(scope) if renderer is not None else value
        return scope

    def detach(self) -> None:
        if self._detach is not None:
            self._detach()
            self._detach = None

    # -- state -----------------------------------------------------------------------

    def write_state(self) -> None:
        attributes = {
            "friendly_name": self.alias,
            "id": self.id,
            "mode": self.mode,
            "last_triggered": self.last_triggered,
            "current": len(self.runs),
        }
        if self.mode in ("queued", "parallel"):
            attributes["max"] = self.max
        self.hub.states.set(self.entity_id, "on" if self.enabled else "off", attributes)

    # -- a trigger fired ---------------------------------------------------------------

    def trigger(
        self,
        trigger: Mapping[str, Any],
        context: Context | None = None,
        *,
        skip_condition: bool = False,
        extra_variables: Mapping[str, Any] | None = None,
    ) -> Any:
        """A trigger fired: check conditions, apply the mode, start the run.
        Returns at once (an awaitable already done)."""
        if not self.enabled:
            return DONE
        # The run is caused by the trigger's context (and by the same person).
        actor = f"automation:{self.id}"
        run_context = context.child(actor) if context is not None else Context(actor=actor)
        trace = Trace(self.id, trigger, run_context, context)
        try:
            variables = self._run_variables(trigger, extra_variables)
            if self.conditions is not None and not skip_condition:
                if not self.conditions(variables, trace):
                    trace.finish("failed_conditions")
                    self.engine.traces.add(trace, self.stored_traces)
                    return DONE
        except Exception as err:  # a template error: this run stops, the hub goes on
            self._failed(trace, Text("automation.conditions_failed", error=message(err)))
            self.engine.traces.add(trace, self.stored_traces)
            return DONE
        running = len(self.runs)
        if running:
            if self.mode == "single":
                self._exceeded(Text("automation.already_running"))
                trace.finish("failed_single")
                self.engine.traces.add(trace, self.stored_traces)
                return DONE
            if self.mode in ("queued", "parallel") and running >= self.max:
                self._exceeded(Text("automation.running_max", running=running, max=self.max))
                trace.finish("failed_max_runs")
                self.engine.traces.add(trace, self.stored_traces)
                return DONE
        self.engine.traces.add(trace, self.stored_traces)
        wait_for: list[asyncio.Task[None]] = []
        if running and self.mode == "restart":
            for task in self.runs:
                task.cancel()
            wait_for = list(self.runs)
        elif running and self.mode == "queued":
            wait_for = [self.runs[-1]]
        self.last_triggered = trace.started
        # One line per run for the operator reading the log (the bench runs at WARNING).
        _LOGGER.info("automation %s triggered by %s", self.name, trigger.get("description"))
        self.hub.bus.fire(
            EVENT_AUTOMATION_TRIGGERED,
            {
                "name": str(self.alias),
                "entity_id": self.entity_id,
                "source": trigger.get("description"),
            },
            run_context,
        )
        loop = self._loop or asyncio.get_running_loop()
        task = loop.create_task(self._run(variables, run_context, trace, wait_for))
        self.runs.append(task)
        task.add_done_callback(self._run_done)
        self.engine.state_dirty(self)
        return DONE

    def _run_variables(
        self, trigger: Mapping[str, Any], extra: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        variables: dict[str, Any] = {
            "this": self.hub.states.get(self.entity_id),
            "trigger": trigger,
        }
        if self._variables:
            for key, renderer, raw in self._variable_items:
                variables[key] = renderer(variables) if renderer is not None else raw
        own = trigger.get("variables")
        if own:
            variables.update(own)
        if extra:
            variables.update(extra)
        return variables

    def _run_done(self, task: asyncio.Task[None]) -> None:
        try:
            self.runs.remove(task)
        except ValueError:
            pass
        # the run's end is saved too: one saved while running said so for ever
        self.engine.traces.dirty.add(self.id)
        self.engine.state_dirty(self)

    def _exceeded(self, what: str) -> None:
        # a dropped trigger can come a thousand times a second: render only what is logged
        if self.max_exceeded is not None and _LOGGER.isEnabledFor(self.max_exceeded):
            said = Text(
                "automation.trigger_dropped",
                name=self.name,
                where=self.where,
                why=what,
                mode=self.mode,
            )
            _LOGGER.log(self.max_exceeded, said)

    def _failed(self, trace: Trace, error: str) -> None:
        """Log the error in the admin's language; the trace keeps it as a Text."""
        lang = console_language(self.hub.language)
        _LOGGER.error("automation %s (%s): %s", self.name, self.where, render(error, lang))
        trace.finish("error", error)
        self._announce_failure()

    def _announce_failure(self) -> None:
        data = {"name": str(self.alias), "entity_id": self.entity_id}
        self.hub.bus.fire(EVENT_AUTOMATION_FAILED, data)

    async def _run(
        self,
        variables: dict[str, Any],
        context: Context,
        trace: Trace,
        wait_for: list[asyncio.Task[None]],
    ) -> None:
        try:
            if wait_for:
                await asyncio.wait(wait_for)
            await run_sequence(self.actions, Run(self.hub, self, context, trace), variables)
            trace.finish("finished")
        except ConditionFailed:
            trace.finish("aborted")
        except StopRun as stop:
            if stop.error:
                self._failed(trace, Text("automation.stopped_with_error", reason=stop.reason))
            else:
                trace.finish("finished")
        except StepFailed as err:
            self._failed(trace, message(err))
        except asyncio.CancelledError:
            trace.finish("cancelled")
            raise
        except Exception as err:  # never let a run take the hub down
            _LOGGER.exception("automation %s (%s): run failed", self.name, self.where)
            trace.finish("error", error_text(err))
            self._announce_failure()

    async def stop_runs(self) -> None:
        tasks = list(self.runs)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def traces(self) -> list[Trace]:
        return self.engine.traces.get(self.id)


__all__ = ["DONE", "EVENT_AUTOMATION_FAILED", "EVENT_AUTOMATION_TRIGGERED", "Automation"]
