"""Jinja2 templates as Home Assistant's automations write them: a sandbox,
the helpers admins use most (states(), is_state(), now(), ...), and results
turned back into numbers, lists and mappings where they look like one.

Every template is compiled once when the automations load; a string without
`{{`/`{%` is not a template at all and costs nothing at run time.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from ast import literal_eval
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from time import monotonic
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..bus import Event
from ..clock import clock_of
from ..context import Context
from ..i18n import Text, message
from ..keys import HubKey
from ..state import STATE_UNAVAILABLE, STATE_UNKNOWN, State
from .template_limits import (
    MAX_SECONDS,
    MAX_SIZE,
    TemplateLimit,
    bounded_namespace,
    check_binop,
    check_call,
    guard_filter,
    too_slow,
    with_loop_ticks,
)

if TYPE_CHECKING:
    from ..hub import Hub


class TemplateError(Exception):
    """A template could not be compiled or rendered; says which and why."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(
            Text("automation.template_error", source=repr(_short(source)), reason=reason)
        )


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value or "{#" in value)


_IS_NUMERIC = re.compile(r"^[+-]?(?!0\d)\d*(?:\.\d*)?$")

#: a rendered value longer than this stays text: reading back a payload of
#: megabytes as a list (literal_eval, on the loop) held the hub for seconds
LITERAL_LIMIT = 16 * 1024
#: values read back are cached only up to this length, so the cache keeps at
#: most _CACHED_VALUES of them: about 1 MiB of text and what it spells
_CACHED_LENGTH = 256
_CACHED_VALUES = 4096


def _parse(text: str) -> Any:
    result = literal_eval(text)
    # As Home Assistant: strings stay as rendered (quotes matter), complex
    # numbers are surprises, and "007" or "1e3" stay text.
    if isinstance(result, str | complex):
        raise ValueError
    if isinstance(result, int | float) and not isinstance(result, bool):
        if _IS_NUMERIC.match(text) is None:
            raise ValueError
    return result


_cached_parse = lru_cache(maxsize=_CACHED_VALUES)(_parse)


def parse_result(text: str) -> Any:
    """A rendered string as the value it spells (`"5"` -> 5, `"[1, 2]"` ->
    a list), else the string itself; one longer than LITERAL_LIMIT stays text."""
    if not text or text[0] not in "-+.0123456789[({TFN" or len(text) > LITERAL_LIMIT:
        return text
    try:
        return _cached_parse(text) if len(text) <= _CACHED_LENGTH else _parse(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return text


class Template:
    """One template, compiled once, on its first render: the syntax was
    checked when the configuration was validated, and compiling a thousand
    automations' templates up front would slow every start and reload.
    `render(variables)` returns the parsed result; `render_text` the string."""

    __slots__ = ("_compiled", "_env", "is_static", "source")

    def __init__(self, source: str, env: TemplateEnvironment) -> None:
        self.source = source
        self.is_static = not is_template(source)
        self._env = env
        self._compiled: jinja2.Template | None = None

    def _compile(self) -> jinja2.Template:
        jinja = self._env.jinja
        try:
            tree = with_loop_ticks(jinja.parse(self.source))
            compiled = jinja.template_class.from_code(
                jinja, jinja.compile(tree), jinja.make_globals(None), None
            )
        except jinja2.TemplateSyntaxError as err:
            raise TemplateError(
                self.source, Text("automation.template_run_syntax", error=err.message)
            ) from None
        # Jinja keeps globals as a ChainMap and copies it on every render; a
        # plain dict copies several times faster (the hot path of an MQTT
        # payload template).
        compiled.globals = dict(compiled.globals)
        self._compiled = compiled
        return compiled

    def render_text(self, variables: Mapping[str, Any]) -> str:
        if self.is_static:
            return self.source
        compiled = self._compiled or self._compile()
        jinja = self._env.jinja
        outer = jinja.deadline  # renders may nest: the inner gets no more than is left
        jinja.deadline = min(outer, monotonic() + jinja.max_seconds)
        try:
            parts: list[str] = []
            keep, size, limit = parts.append, 0, jinja.max_size
            for part in compiled.root_render_func(compiled.new_context(variables)):
                size += len(part)
                if size > limit:
                    raise TemplateLimit(Text("automation.template_output_too_large", limit=limit))
                keep(part)
            return "".join(parts)
        except TemplateLimit as err:
            raise TemplateError(self.source, err.reason) from None
        except TemplateError:
            raise
        except Exception as err:
            raise TemplateError(
                self.source, Text("automation.error", type=type(err).__name__, error=message(err))
            ) from None
        finally:
            jinja.deadline = outer

    def render(self, variables: Mapping[str, Any]) -> Any:
        if self.is_static:
            return self.source
        return parse_result(self.render_text(variables).strip())

    def render_bool(self, variables: Mapping[str, Any]) -> bool:
        """A condition: true for true/yes/on/enable/a non-zero number."""
        return result_as_boolean(self.render(variables))

    def __repr__(self) -> str:
        return f"Template({self.source!r})"


def result_as_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "on", "enable", "1")
    return bool(value)


Renderer = Callable[[Mapping[str, Any]], Any]


def compile_value(value: Any, env: TemplateEnvironment) -> Renderer | None:
    """Compile the templates inside a value (a string, or mappings and lists
    of them). Returns a renderer, or None when nothing in it is a template
    (then use the value as it is)."""
    if isinstance(value, str):
        if not is_template(value):
            return None
        return env.template(value).render
    if isinstance(value, Mapping):
        parts = {k: compile_value(v, env) for k, v in value.items()}
        if all(p is None for p in parts.values()):
            return None
        items = [(k, p, value[k]) for k, p in parts.items()]

        def render_mapping(variables: Mapping[str, Any]) -> dict[str, Any]:
            return {k: (p(variables) if p is not None else v) for k, p, v in items}

        return render_mapping
    if isinstance(value, list | tuple):
        parts_list = [compile_value(v, env) for v in value]
        if all(p is None for p in parts_list):
            return None
        pairs = list(zip(parts_list, value, strict=True))

        def render_list(variables: Mapping[str, Any]) -> list[Any]:
            return [p(variables) if p is not None else v for p, v in pairs]

        return render_list
    return None


def template_sources(value: Any) -> Iterator[str]:
    """Every template string inside a value (for error messages and checks)."""
    if isinstance(value, str):
        if is_template(value):
            yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from template_sources(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from template_sources(v)


# -- the helpers templates see ------------------------------------------------------

_NO_DEFAULT = object()


class _DomainStates:
    """`states.camera` : `states.camera.dinkes_lobi` is that entity's State."""

    __slots__ = ("_domain", "_hub")

    def __init__(self, hub: Hub, domain: str) -> None:
        self._hub, self._domain = hub, domain

    def __getattr__(self, object_id: str) -> State | None:
        return self._hub.states.get(f"{self._domain}.{object_id}")

    def __iter__(self) -> Iterator[State]:
        return iter(sorted(self._hub.states.all(self._domain), key=lambda s: s.entity_id))

    def __len__(self) -> int:
        return len(self._hub.states.all(self._domain))


class _States:
    """`states('siren.x')` is a state string; `states.siren.x` the State."""

    __slots__ = ("_hub",)

    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    def __call__(self, entity_id: str, rounded: bool = False, with_unit: bool = False) -> str:
        state = self._hub.states.get(str(entity_id))
        return STATE_UNKNOWN if state is None else state.state

    def __getattr__(self, domain: str) -> _DomainStates:
        return _DomainStates(self._hub, domain)

    def __iter__(self) -> Iterator[State]:
        return iter(sorted(self._hub.states.all(), key=lambda s: s.entity_id))

    def __len__(self) -> int:
        return len(self._hub.states.all())


def _to_float(value: Any, default: Any = _NO_DEFAULT) -> float:
    try:
        return float(value)
    except (ValueError, TypeError):
        if default is _NO_DEFAULT:
            raise ValueError(
                f"float got invalid input {value!r} and no default was given"
            ) from None
        return default


def _to_int(value: Any, default: Any = _NO_DEFAULT, base: int = 10) -> int:
    try:
        if isinstance(value, str):
            try:
                return int(value, base)
            except ValueError:
                return int(float(value))
        return int(value)
    except (ValueError, TypeError, OverflowError):
        if default is _NO_DEFAULT:
            raise ValueError(f"int got invalid input {value!r} and no default was given") from None
        return default


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        number = float(value)
    except (ValueError, TypeError):
        return False
    return math.isfinite(number)


def _iif(value: Any, if_true: Any = True, if_false: Any = False, if_none: Any = _NO_DEFAULT) -> Any:
    if value is None and if_none is not _NO_DEFAULT:
        return if_none
    return if_true if value else if_false


def _from_json(value: str, default: Any = _NO_DEFAULT) -> Any:
    try:
        return json.loads(value)
    except (ValueError, TypeError):
        if default is _NO_DEFAULT:
            raise
        return default


def _to_json(
    value: Any, ensure_ascii: bool = False, pretty_print: bool = False, sort_keys: bool = False
) -> str:
    return json.dumps(
        value,
        ensure_ascii=ensure_ascii,
        indent=2 if pretty_print else None,
        sort_keys=sort_keys,
        default=str,
    )


_READ_ONLY = (Event, State, Context)


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox, reading mapping keys first: `trigger.event` on a dict
    would otherwise raise and catch an AttributeError on every render; its
    operators and calls checked against the limits (template_limits)."""

    intercepted_binops = frozenset({"*", "%", "+", "**"})
    max_size = MAX_SIZE
    max_seconds = MAX_SECONDS

    #: when the render under way must stop (time.monotonic)
    deadline = float("inf")

    def tick(self) -> None:
        """Stop the render under way if it has had its time."""
        if monotonic() > self.deadline:
            raise too_slow(self.max_seconds)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.tick()
        check_binop(operator, left, right)
        return self.binop_table[operator](left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.tick()
        check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        kind = type(obj)
        if kind is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        elif kind in _READ_ONLY and attribute[:1] != "_":
            # Read-only hub objects: nothing to guard, so skip the sandbox's
            # mutability checks (a template reads trigger.event.data a lot).
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)


class TemplateEnvironment:
    """The sandboxed Jinja2 environment of one hub, with its helpers."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        env = _Sandbox(undefined=jinja2.Undefined, autoescape=False)
        states = _States(hub)

        def state_of(entity_id: str) -> State | None:
            return hub.states.get(str(entity_id))

        def is_state(entity_id: str, value: Any) -> bool:
            state = state_of(entity_id)
            if state is None:
                return False
            if isinstance(value, list | tuple):
                return state.state in value
            return state.state == value

        def state_attr(entity_id: str, name: str) -> Any:
            state = state_of(entity_id)
            return None if state is None else state.attributes.get(name)

        def is_state_attr(entity_id: str, name: str, value: Any) -> bool:
            state = state_of(entity_id)
            return (
                state is not None and name in state.attributes and state.attributes[name] == value
            )

        def has_value(entity_id: str) -> bool:
            state = state_of(entity_id)
            return state is not None and state.state not in (STATE_UNKNOWN, STATE_UNAVAILABLE)

        def now() -> datetime:
            return clock_of(hub).now().astimezone(hub.time_zone)

        def utcnow() -> datetime:
            return clock_of(hub).now()

        def as_datetime(value: Any, default: Any = _NO_DEFAULT) -> datetime | None:
            try:
                if isinstance(value, datetime):
                    return value
                if isinstance(value, date):
                    return datetime(value.year, value.month, value.day, tzinfo=hub.time_zone)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    return datetime.fromtimestamp(value, UTC)
                moment = datetime.fromisoformat(str(value).strip())
                return moment if moment.tzinfo else moment.replace(tzinfo=hub.time_zone)
            except (ValueError, TypeError, OverflowError):
                if default is _NO_DEFAULT:
                    raise ValueError(f"as_datetime got invalid input {value!r}") from None
                return default

        def as_timestamp(value: Any, default: Any = _NO_DEFAULT) -> float | None:
            try:
                if isinstance(value, int | float) and not isinstance(value, bool):
                    return float(value)
                return as_datetime(value).timestamp()  # type: ignore[union-attr]
            except (ValueError, TypeError, AttributeError):
                if default is _NO_DEFAULT:
                    raise ValueError(f"as_timestamp got invalid input {value!r}") from None
                return default

        def as_local(value: datetime) -> datetime:
            return value.astimezone(hub.time_zone)

        def today_at(value: str = "00:00") -> datetime:
            moment = now()
            parsed = datetime.strptime(value, "%H:%M:%S" if value.count(":") == 2 else "%H:%M")
            return moment.replace(
                hour=parsed.hour, minute=parsed.minute, second=parsed.second, microsecond=0
            )

        def timestamp_custom(
            value: float, fmt: str = "%Y-%m-%d %H:%M:%S", local: bool = True
        ) -> str:
            zone = hub.time_zone if local else UTC
            return datetime.fromtimestamp(float(value), zone).strftime(fmt)

        helpers: dict[str, Any] = {
            "states": states,
            "is_state": is_state,
            "state_attr": state_attr,
            "is_state_attr": is_state_attr,
            "has_value": has_value,
            "now": now,
            "utcnow": utcnow,
            "as_timestamp": as_timestamp,
            "as_datetime": as_datetime,
            "as_local": as_local,
            "today_at": today_at,
            "timedelta": timedelta,
            "float": _to_float,
            "int": _to_int,
            "is_number": _is_number,
            "iif": _iif,
            "bool": result_as_boolean,
        }
        env.globals.update(helpers)
        env.filters.update(
            {
                "float": _to_float,
                "int": _to_int,
                "is_number": _is_number,
                "iif": _iif,
                "from_json": _from_json,
                "to_json": _to_json,
                "as_timestamp": as_timestamp,
                "as_datetime": as_datetime,
                "as_local": as_local,
                "timestamp_custom": timestamp_custom,
                "is_state": is_state,
                "state_attr": state_attr,
                "is_state_attr": is_state_attr,
                "has_value": has_value,
                "bool": result_as_boolean,
            }
        )
        env.tests.update({"is_number": _is_number, "is_state": is_state, "has_value": has_value})
        env.filters = {name: guard_filter(env, name, f) for name, f in env.filters.items()}
        env.globals["namespace"] = bounded_namespace()
        self.jinja = env
        self._cache: dict[str, Template] = {}

    async def warm_up(self, batch: int = 20) -> int:
        """Compile every template not compiled yet, a few at a time between
        other work, so a first trigger does not pay for it. Returns how many."""
        done = 0
        for template in list(self._cache.values()):
            if not template.is_static and template._compiled is None:
                try:
                    template._compile()
                except TemplateError:
                    pass  # reported when it renders, with the step that uses it
                done += 1
                if done % batch == 0:
                    await asyncio.sleep(0)
        return done

    def template(self, source: str) -> Template:
        """The compiled template for `source` (compiled once per hub)."""
        found = self._cache.get(source)
        if found is None:
            found = self._cache[source] = Template(source, self)
        return found


_TEMPLATES: HubKey[TemplateEnvironment] = HubKey("automation.templates")


def template_env(hub: Hub) -> TemplateEnvironment:
    """The hub's template environment (one per hub: its helpers read that hub)."""
    env = hub.data.get(_TEMPLATES)
    if env is None:
        env = hub.data.setdefault(_TEMPLATES, TemplateEnvironment(hub))
    return env
