"""Actions (the steps of an automation), compiled once into Step objects and
run by `run_sequence` for one automation run.

Variables flow down a sequence as immutable scopes: a step that sets
variables returns a new mapping, so a trace can keep a reference to the
scope a step saw instead of copying it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..clock import Clock
from ..context import Context
from ..eventdata import plain_json
from ..i18n import Text, console_language, message, render
from ..services import ServiceNotFound, ServiceValidationError
from .conditions import Check, ConditionCompiler, render_duration
from .templates import TemplateEnvironment, TemplateError, compile_value, is_template
from .trace import Trace, TraceStep

if TYPE_CHECKING:
    from ..hub import Hub

_LOGGER = logging.getLogger(__name__)


def error_text(err: BaseException) -> str:
    """`TypeName: message`, the message a Text when the error has one."""
    return Text("automation.error", type=type(err).__name__, error=message(err))


Variables = Mapping[str, Any]


class StopRun(Exception):
    """A `stop` action: ends the run, as an error when `error: true`."""

    def __init__(self, reason: str, error: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error


class ConditionFailed(Exception):
    """A condition action was false: the sequence stops there (not an error)."""


class StepFailed(Exception):
    """A step raised: names the step (path, alias, file:line) and the cause."""

    def __init__(self, step: Step, cause: BaseException) -> None:
        self.step = step
        self.cause = cause
        super().__init__(Text("automation.step_failed", step=step.describe(), error=message(cause)))


# Errors that continue_on_error never hides: they are mistakes in the
# automation, not a device having a bad moment (as in Home Assistant).
_NOT_CONTINUABLE = (TemplateError, ServiceNotFound, ServiceValidationError)


class Run:
    """One run of an automation: who asked (Context), what it did (Trace)."""

    __slots__ = ("automation", "context", "hub", "trace")

    def __init__(self, hub: Hub, automation: Any, context: Context, trace: Trace) -> None:
        self.hub = hub
        self.automation = automation
        self.context = context
        self.trace = trace


StepFunction = Callable[[Run, Variables, TraceStep], Awaitable[Variables | None]]


class Step:
    """One compiled action."""

    __slots__ = (
        "alias",
        "continue_on_error",
        "enabled",
        "file",
        "function",
        "kind",
        "line",
        "path",
    )

    def __init__(
        self, path: str, config: Mapping[str, Any], function: StepFunction, enabled: bool
    ) -> None:
        self.path = path
        self.kind: str = config["kind"]
        self.alias: str | None = config.get("alias")
        self.continue_on_error = bool(config.get("continue_on_error", False))
        self.enabled = enabled
        self.function = function
        self.file = getattr(config, "file", None)
        self.line = getattr(config, "line", None)

    def describe(self) -> str:
        alias = f" '{self.alias}'" if self.alias else ""
        if self.file and self.line:
            return Text(
                "automation.step_at",
                path=self.path,
                kind=self.kind,
                alias=alias,
                file=self.file,
                line=self.line,
            )
        return Text("automation.step", path=self.path, kind=self.kind, alias=alias)

    async def execute(self, run: Run, variables: Variables) -> Variables:
        trace_step = run.trace.step(self.path, variables)
        if not self.enabled:
            trace_step.result = {"enabled": False}
            return variables
        try:
            new = await self.function(run, variables, trace_step)
        except (StopRun, ConditionFailed, StepFailed, asyncio.CancelledError) as err:
            if isinstance(err, StopRun):
                trace_step.result = {"stop": err.reason, "error": err.error}
            raise
        except Exception as err:
            trace_step.error = error_text(err)
            if self.continue_on_error and not isinstance(err, _NOT_CONTINUABLE):
                text = Text(
                    "automation.step_continues",
                    name=run.automation.name,
                    step=self.describe(),
                    error=message(err),
                )
                _LOGGER.warning("%s", render(text, console_language(run.hub.language)))
                return variables
            raise StepFailed(self, err) from err
        return variables if new is None else new


async def run_sequence(steps: Sequence[Step], run: Run, variables: Variables) -> Variables:
    for step in steps:
        variables = await step.execute(run, variables)
    return variables


class ActionCompiler:
    """Turns validated action configs into Steps for one hub."""

    def __init__(
        self,
        hub: Hub,
        env: TemplateEnvironment,
        conditions: ConditionCompiler,
        clock: Clock,
        attach_triggers: Callable[..., Awaitable[Callable[[], None]]],
    ) -> None:
        self.hub = hub
        self.env = env
        self.conditions = conditions
        self.clock = clock
        self.attach_triggers = attach_triggers

    def compile_all(self, configs: Sequence[Mapping[str, Any]], path: str) -> list[Step]:
        return [self.compile(config, f"{path}/{i}") for i, config in enumerate(configs)]

    def compile(self, config: Mapping[str, Any], path: str) -> Step:
        enabled = config.get("enabled", True)
        if isinstance(enabled, str):
            enabled = self.env.template(enabled).render_bool({})
        function = getattr(self, f"_{config['kind']}")(config, path)
        return Step(path, config, function, bool(enabled))

    def _checks(self, configs: Sequence[Mapping[str, Any]], path: str) -> Check:
        check = self.conditions.compile_all(configs, path)
        return check if check is not None else (lambda v, t: True)

    # -- service calls ------------------------------------------------------------

    def _service(self, config: Mapping[str, Any], path: str) -> StepFunction:
        services = self.hub.services
        name = config["service"]
        name_template = self.env.template(name) if is_template(name) else None
        static_domain, _, static_service = (
            name.partition(".") if name_template is None else ("", "", "")
        )
        data = (
            dict(config.get("data") or {})
            if isinstance(config.get("data"), Mapping)
            else config.get("data")
        )
        parts: list[Any] = []
        for part in (config.get("data_template"), data, config.get("target")):
            if part is not None:
                parts.append(part)
        if "entity_id" in config:  # the old spelling: entity_id beside the service
            parts.append({"entity_id": config["entity_id"]})
        renderers = [(compile_value(p, self.env), p) for p in parts]
        static = all(r is None for r, _ in renderers)
        merged_static: dict[str, Any] = {}
        if static:
            for part in parts:
                merged_static.update(part)
        response_variable = config.get("response_variable")

        async def call_service(run: Run, variables: Variables, step: TraceStep) -> Variables | None:
            if name_template is None:
                domain, service = static_domain, static_service
            else:
                domain, _, service = str(name_template.render(variables)).partition(".")
            if static:
                payload: Mapping[str, Any] = merged_static
            else:
                payload = {}
                for renderer, raw in renderers:
                    rendered = renderer(variables) if renderer is not None else raw
                    if not isinstance(rendered, Mapping):
                        raise TemplateError(
                            str(raw), Text("automation.expected_mapping_got", value=repr(rendered))
                        )
                    payload.update(rendered)
            step.result = {
                "params": {"domain": domain, "service": service, "service_data": payload}
            }
            response = await services.call(domain, service, payload, run.context)
            if response_variable:
                return {**variables, response_variable: response}
            return None

        return call_service

    # -- time ------------------------------------------------------------------

    def _delay(self, config: Mapping[str, Any], path: str) -> StepFunction:
        value, env, clock = config["delay"], self.env, self.clock

        async def delay(run: Run, variables: Variables, step: TraceStep) -> None:
            seconds = render_duration(value, env, variables).total_seconds()
            step.result = {"delay": seconds, "done": False}
            await clock.sleep(seconds)
            step.result = {"delay": seconds, "done": True}

        return delay

    def _timeout(self, config: Mapping[str, Any], variables: Variables) -> float | None:
        if "timeout" not in config:
            return None
        return render_duration(config["timeout"], self.env, variables).total_seconds()

    def _wait_template(self, config: Mapping[str, Any], path: str) -> StepFunction:
        template = self.env.template(config["wait_template"])
        continue_on_timeout = config.get("continue_on_timeout", True)
        hub, clock = self.hub, self.clock
        from .triggers.index import event_index

        async def wait_template(run: Run, variables: Variables, step: TraceStep) -> Variables:
            timeout = self._timeout(config, variables)
            if template.render_bool(variables):
                step.result = {"wait": {"completed": True, "remaining": timeout}}
                return {**variables, "wait": {"completed": True, "remaining": timeout}}
            done = asyncio.get_running_loop().create_future()

            def recheck(event: Any) -> None:
                if not done.done():
                    try:
                        if template.render_bool(variables):
                            done.set_result(True)
                    except Exception as err:
                        done.set_exception(err)

            started = clock.monotonic()
            unlisten = event_index(hub).listen("state_changed", recheck)
            cancel_timer = None
            if timeout is not None:
                cancel_timer = clock.call_later(
                    timeout, lambda: done.done() or done.set_result(False)
                )
            try:
                completed = await done
            finally:
                unlisten()
                if cancel_timer is not None:
                    cancel_timer()
            remaining = (
                None if timeout is None else max(0.0, timeout - (clock.monotonic() - started))
            )
            wait = {"completed": completed, "remaining": remaining}
            step.result = {"wait": wait}
            if not completed and not continue_on_timeout:
                raise StopRun(Text("automation.wait_template_timed_out"), error=False)
            return {**variables, "wait": wait}

        return wait_template

    def _wait_for_trigger(self, config: Mapping[str, Any], path: str) -> StepFunction:
        triggers = config["wait_for_trigger"]
        continue_on_timeout = config.get("continue_on_timeout", True)
        clock = self.clock

        async def wait_for_trigger(run: Run, variables: Variables, step: TraceStep) -> Variables:
            timeout = self._timeout(config, variables)
            done = asyncio.get_running_loop().create_future()

            def fired(trigger_variables: Mapping[str, Any], context: Context | None = None) -> None:
                if not done.done():
                    done.set_result(trigger_variables)

            started = clock.monotonic()
            detach = await self.attach_triggers(
                triggers, fired, name=f"{run.automation.name} {path}", variables=variables
            )
            cancel_timer = None
            if timeout is not None:
                cancel_timer = clock.call_later(
                    timeout, lambda: done.done() or done.set_result(None)
                )
            try:
                trigger = await done
            finally:
                detach()
                if cancel_timer is not None:
                    cancel_timer()
            remaining = (
                None if timeout is None else max(0.0, timeout - (clock.monotonic() - started))
            )
            wait = {"trigger": trigger, "remaining": remaining}
            step.result = {"wait": wait}
            if trigger is None and not continue_on_timeout:
                raise StopRun(Text("automation.wait_for_trigger_timed_out"), error=False)
            return {**variables, "wait": wait}

        return wait_for_trigger

    # -- events, conditions, variables, stop ---------------------------------------------

    def _event(self, config: Mapping[str, Any], path: str) -> StepFunction:
        bus = self.hub.bus
        event_type = self.env.template(config["event"])
        data = {**(config.get("event_data") or {}), **(config.get("event_data_template") or {})}
        renderer = compile_value(data, self.env)

        async def fire_event(run: Run, variables: Variables, step: TraceStep) -> None:
            name = str(event_type.render_text(variables))
            payload = plain_json(renderer(variables) if renderer is not None else data)
            step.result = {"event": name, "event_data": payload}
            bus.fire(name, payload, run.context)

        return fire_event

    def _condition(self, config: Mapping[str, Any], path: str) -> StepFunction:
        check = self.conditions.compile(config["check"], path)

        async def condition(run: Run, variables: Variables, step: TraceStep) -> None:
            result = check(variables, None)
            step.result = {"result": result}
            if not result:
                raise ConditionFailed

        return condition

    def _variables(self, config: Mapping[str, Any], path: str) -> StepFunction:
        items = [(k, compile_value(v, self.env), v) for k, v in config["variables"].items()]

        async def set_variables(run: Run, variables: Variables, step: TraceStep) -> Variables:
            scope = dict(variables)
            for key, renderer, raw in items:
                scope[key] = renderer(scope) if renderer is not None else raw
            return scope

        return set_variables

    def _stop(self, config: Mapping[str, Any], path: str) -> StepFunction:
        reason, error = config["stop"] or "", config.get("error", False)

        async def stop(run: Run, variables: Variables, step: TraceStep) -> None:
            raise StopRun(reason, error)

        return stop

    # -- flow ---------------------------------------------------------------------

    def _choose(self, config: Mapping[str, Any], path: str) -> StepFunction:
        options = [
            (
                self._checks(option["conditions"], f"{path}/choose/{i}/conditions"),
                self.compile_all(option["sequence"], f"{path}/choose/{i}/sequence"),
            )
            for i, option in enumerate(config["choose"])
        ]
        default = self.compile_all(config.get("default") or [], f"{path}/default")

        async def choose(run: Run, variables: Variables, step: TraceStep) -> None:
            for index, (check, sequence) in enumerate(options):
                if check(variables, run.trace):
                    step.result = {"choice": index}
                    await run_sequence(sequence, run, variables)
                    return
            step.result = {"choice": "default"}
            await run_sequence(default, run, variables)

        return choose

    def _if(self, config: Mapping[str, Any], path: str) -> StepFunction:
        check = self._checks(config["if"], f"{path}/if")
        then = self.compile_all(config["then"], f"{path}/then")
        otherwise = self.compile_all(config.get("else") or [], f"{path}/else")

        async def if_then(run: Run, variables: Variables, step: TraceStep) -> None:
            if check(variables, run.trace):
                step.result = {"choice": "then"}
                await run_sequence(then, run, variables)
            else:
                step.result = {"choice": "else"}
                await run_sequence(otherwise, run, variables)

        return if_then

    def _sequence(self, config: Mapping[str, Any], path: str) -> StepFunction:
        steps = self.compile_all(config["sequence"], f"{path}/sequence")

        async def sequence(run: Run, variables: Variables, step: TraceStep) -> None:
            await run_sequence(steps, run, variables)

        return sequence

    def _parallel(self, config: Mapping[str, Any], path: str) -> StepFunction:
        branches = self.compile_all(config["parallel"], f"{path}/parallel")

        async def branch(step: Step, run: Run, variables: Variables) -> None:
            try:
                await step.execute(run, variables)
            except ConditionFailed:
                pass  # a false condition ends its own branch only

        async def parallel(run: Run, variables: Variables, step: TraceStep) -> None:
            tasks = [asyncio.ensure_future(branch(b, run, variables)) for b in branches]
            try:
                results = await asyncio.gather(*tasks, return_exceptions=True)
            except asyncio.CancelledError:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
            for result in results:
                if isinstance(result, BaseException):
                    raise result

        return parallel

    def _repeat(self, config: Mapping[str, Any], path: str) -> StepFunction:
        repeat = config["repeat"]
        steps = self.compile_all(repeat["sequence"], f"{path}/repeat/sequence")
        while_check = (
            self._checks(repeat["while"], f"{path}/repeat/while") if "while" in repeat else None
        )
        until_check = (
            self._checks(repeat["until"], f"{path}/repeat/until") if "until" in repeat else None
        )
        count = repeat.get("count")
        for_each = repeat.get("for_each")
        env = self.env

        async def iteration(run: Run, variables: Variables, info: dict[str, Any]) -> None:
            try:
                await run_sequence(steps, run, {**variables, "repeat": info})
            except ConditionFailed:
                pass  # as Home Assistant: a false condition ends this iteration only

        async def run_repeat(run: Run, variables: Variables, step: TraceStep) -> None:
            if count is not None or for_each is not None:
                if for_each is not None:
                    items = for_each
                    if isinstance(for_each, str):
                        items = env.template(for_each).render(variables)
                    if not isinstance(items, list | tuple):
                        raise TemplateError(
                            str(for_each), Text("automation.for_each_list", value=repr(items))
                        )
                else:
                    total = (
                        env.template(count).render(variables) if isinstance(count, str) else count
                    )
                    try:
                        items = range(int(total))
                    except (TypeError, ValueError):
                        raise TemplateError(
                            str(count), Text("automation.count_number", value=repr(total))
                        ) from None
                last = len(items)
                for index, item in enumerate(items, start=1):
                    info = {"first": index == 1, "index": index, "last": index == last}
                    if for_each is not None:
                        info["item"] = item
                    await iteration(run, variables, info)
                step.result = {"iterations": last}
                return
            index = 0
            while True:
                index += 1
                info = {"first": index == 1, "index": index}
                scope = {**variables, "repeat": info}
                if while_check is not None and not while_check(scope, run.trace):
                    break
                await iteration(run, variables, info)
                if until_check is not None and until_check(scope, run.trace):
                    break
                await asyncio.sleep(0)  # an endless loop must not starve the hub
            step.result = {"iterations": index}

        return run_repeat
