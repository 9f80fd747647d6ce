"""Conditions, compiled once into plain functions `check(variables, trace)`.

Each records its result in the run's trace (when there is one) under its
path, so a trace shows which condition stopped a run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from ..clock import clock_of
from ..i18n import Text, message
from ..state import State
from .schema import parse_duration
from .sun import sun_event
from .templates import TemplateEnvironment, is_template, result_as_boolean
from .trace import Trace

if TYPE_CHECKING:
    from ..hub import Hub

Check = Callable[[Mapping[str, Any], "Trace | None"], bool]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConditionError(Exception):
    """A condition could not be evaluated (not: evaluated to false)."""


def state_text(value: Any) -> str:
    """A state as YAML writes it: an unquoted on/off (YAML 1.1 booleans) means "on"/"off"."""
    if value is True:
        return "on"
    if value is False:
        return "off"
    return str(value)


def render_duration(
    value: Any, env: TemplateEnvironment, variables: Mapping[str, Any]
) -> timedelta:
    """A duration, rendering templates in it first."""
    if isinstance(value, str) and is_template(value):
        value = env.template(value).render(variables)
    elif isinstance(value, Mapping) and any(is_template(v) for v in value.values()):
        value = {
            k: env.template(v).render(variables) if is_template(v) else v for k, v in value.items()
        }
    return parse_duration(value)


class ConditionCompiler:
    """Turns validated condition configs into checks for one hub."""

    def __init__(self, hub: Hub, env: TemplateEnvironment) -> None:
        self.hub = hub
        self.env = env
        self.clock = clock_of(hub)

    def compile_all(self, configs: Sequence[Mapping[str, Any]], path: str) -> Check | None:
        """All of `configs` must hold; None when there are none."""
        checks = [self.compile(c, f"{path}/{i}") for i, c in enumerate(configs)]
        if not checks:
            return None
        if len(checks) == 1:
            return checks[0]

        def all_of(variables: Mapping[str, Any], trace: Trace | None) -> bool:
            for check in checks:
                if not check(variables, trace):
                    return False
            return True

        return all_of

    def compile(self, config: Mapping[str, Any], path: str) -> Check:
        enabled = config.get("enabled", True)
        if isinstance(enabled, str):
            enabled = self.env.template(enabled).render_bool({})
        if not enabled:

            def disabled(variables: Mapping[str, Any], trace: Trace | None) -> bool:
                if trace is not None:
                    trace.record(path, {"enabled": False})
                return True

            return disabled
        kind = config["condition"]
        test = getattr(self, f"_{kind}")(config, path)

        def traced(variables: Mapping[str, Any], trace: Trace | None) -> bool:
            if trace is None:
                return test(variables, None)
            step = trace.step(path)
            try:
                result = test(variables, trace)
            except Exception as err:
                step.error = message(err)
                raise
            step.result = {"result": result}
            return result

        return traced

    # -- logic ----------------------------------------------------------------------

    def _and(self, config: Mapping[str, Any], path: str) -> Check:
        checks = [
            self.compile(c, f"{path}/conditions/{i}") for i, c in enumerate(config["conditions"])
        ]
        return lambda v, t: all(c(v, t) for c in checks)

    def _or(self, config: Mapping[str, Any], path: str) -> Check:
        checks = [
            self.compile(c, f"{path}/conditions/{i}") for i, c in enumerate(config["conditions"])
        ]
        return lambda v, t: any(c(v, t) for c in checks)

    def _not(self, config: Mapping[str, Any], path: str) -> Check:
        checks = [
            self.compile(c, f"{path}/conditions/{i}") for i, c in enumerate(config["conditions"])
        ]
        return lambda v, t: not any(c(v, t) for c in checks)

    # -- states ---------------------------------------------------------------------

    def _state(self, config: Mapping[str, Any], path: str) -> Check:
        states = self.hub.states
        entity_ids = list(config["entity_id"])
        wanted_raw = config["state"]
        wanted = frozenset(
            state_text(w) for w in (wanted_raw if isinstance(wanted_raw, list) else [wanted_raw])
        )
        attribute = config.get("attribute")
        wanted_values = wanted_raw if isinstance(wanted_raw, list) else [wanted_raw]
        match_any = config.get("match") == "any"
        for_ = config.get("for")
        clock, env = self.clock, self.env

        def one(entity_id: str, variables: Mapping[str, Any]) -> bool:
            state = states.get(entity_id)
            if state is None:
                return False
            if attribute is not None:
                if attribute not in state.attributes:
                    return False
                value = state.attributes[attribute]
                if not (value in wanted_values or state_text(value) in wanted):
                    return False
            elif state.state not in wanted:
                return False
            if for_ is not None:
                span = render_duration(for_, env, variables)
                return clock.timestamp() - state.last_changed >= span.total_seconds()
            return True

        if len(entity_ids) == 1 and for_ is None and attribute is None:
            only = entity_ids[0]

            def single(variables: Mapping[str, Any], trace: Trace | None) -> bool:
                state = states.get(only)
                return state is not None and state.state in wanted

            return single
        if match_any:
            return lambda v, t: any(one(e, v) for e in entity_ids)
        return lambda v, t: all(one(e, v) for e in entity_ids)

    def _numeric_state(self, config: Mapping[str, Any], path: str) -> Check:
        states = self.hub.states
        entity_ids = list(config["entity_id"])
        attribute = config.get("attribute")
        value_template = (
            self.env.template(config["value_template"]) if "value_template" in config else None
        )
        above, below = config.get("above"), config.get("below")

        def one(entity_id: str, variables: Mapping[str, Any]) -> bool:
            state = states.get(entity_id)
            return state is not None and numeric_in_range(
                states, state, attribute, value_template, above, below, variables
            )

        return lambda v, t: all(one(e, v) for e in entity_ids)

    # -- time -----------------------------------------------------------------------

    def _time(self, config: Mapping[str, Any], path: str) -> Check:
        after, before = config.get("after"), config.get("before")
        weekdays = config.get("weekday")
        clock, hub = self.clock, self.hub

        def point(value: str | None) -> time | None:
            if value is None:
                return None
            if "." in value:  # an entity whose state is a time or a date-time
                state = hub.states.get(value)
                if state is None:
                    raise ConditionError(Text("automation.entity_missing", entity_id=value))
                return parse_time_of_day(state.state, hub)
            return parse_time_of_day(value, hub)

        def check(variables: Mapping[str, Any], trace: Trace | None) -> bool:
            now = clock.now().astimezone(hub.time_zone)
            if weekdays is not None and WEEKDAYS[now.weekday()] not in weekdays:
                return False
            start = point(after) or time(0, 0)
            end = point(before) or time(23, 59, 59, 999999)
            moment = now.time().replace(tzinfo=None)
            if start <= end:
                return start <= moment < end if before is not None else start <= moment
            return moment >= start or moment < end  # across midnight

        return check

    def _sun(self, config: Mapping[str, Any], path: str) -> Check:
        hub, clock = self.hub, self.clock
        after, before = config.get("after"), config.get("before")
        after_offset = parse_duration(config.get("after_offset", 0))
        before_offset = parse_duration(config.get("before_offset", 0))

        def check(variables: Mapping[str, Any], trace: Trace | None) -> bool:
            now = clock.now()
            today = now.astimezone(hub.time_zone).date()
            ok_after = after is None or now >= sun_event(hub, after, today) + after_offset
            ok_before = before is None or now < sun_event(hub, before, today) + before_offset
            if after == "sunset" and before == "sunrise":
                return ok_after or ok_before  # the night, across midnight
            return ok_after and ok_before

        return check

    # -- templates and triggers -------------------------------------------------------

    def _template(self, config: Mapping[str, Any], path: str) -> Check:
        render_bool = self.env.template(config["value_template"]).render_bool
        return lambda v, t: render_bool(v)

    def _trigger(self, config: Mapping[str, Any], path: str) -> Check:
        ids = config["id"]
        wanted = frozenset(ids if isinstance(ids, list) else [ids])

        def check(variables: Mapping[str, Any], trace: Trace | None) -> bool:
            trigger = variables.get("trigger")
            return isinstance(trigger, Mapping) and trigger.get("id") in wanted

        return check


def numeric_limit(states: Any, bound: Any) -> float | None:
    """An above/below limit: a number, or the number an entity's state holds."""
    if bound is None or isinstance(bound, float | int):
        return bound
    state = states.get(str(bound))
    try:
        return float(state.state) if state is not None else None
    except ValueError:
        return None


def numeric_value(
    state: State,
    attribute: str | None,
    value_template: Any,
    variables: Mapping[str, Any],
) -> float | None:
    if value_template is not None:
        raw = value_template.render({**variables, "state": state})
    elif attribute is not None:
        raw = state.attributes.get(attribute)
    else:
        raw = state.state
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def numeric_in_range(
    states: Any,
    state: State,
    attribute: str | None,
    value_template: Any,
    above: Any,
    below: Any,
    variables: Mapping[str, Any],
) -> bool:
    """Is the state's value (or attribute, or template result) above `above`
    and below `below` (numbers or entities holding one)?"""
    value = numeric_value(state, attribute, value_template, variables)
    if value is None:
        return False
    low, high = numeric_limit(states, above), numeric_limit(states, below)
    if above is not None and (low is None or not value > low):
        return False
    return not (below is not None and (high is None or not value < high))


def parse_time_of_day(text: str, hub: Hub) -> time:
    """ "HH:MM[:SS]", or the time part of an ISO date-time (in the hub's zone)."""
    text = str(text).strip()
    try:
        parts = [int(p) for p in text.split(":")]
        if 2 <= len(parts) <= 3:
            return time(*parts)
    except ValueError:
        pass
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(hub.time_zone)
    return moment.time().replace(tzinfo=None)


__all__ = ["Check", "ConditionCompiler", "ConditionError", "result_as_boolean"]
