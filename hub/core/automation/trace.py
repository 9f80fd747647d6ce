"""Traces: what each automation run did, step by step, kept for the last
runs of each automation.

A trace records references, not copies: the variables in effect at a step
(scopes are replaced, never changed in place, so a reference stays true),
the result mapping and the error. Turning them into something people read
happens in `as_dict()`, when someone asks, with every known secret value
redacted (whoever asks: the service, the recorder, `sigap trace`). An error (or a stop reason) that
is a Text keeps its key and values beside its English (`error_text`,
`result_text`), so a reader renders it in their own language later.

A trace is bounded, whatever the run was fed: it keeps the first
TRACE_STEPS steps and the last TRACE_TAIL (a count says how many between
were dropped), and rendering it keeps at most TRACE_TEXT characters of one
string, TRACE_ITEMS items of one list or mapping, about TRACE_SIZE in all;
what is cut ends in a marker `…(+N)` (N: what was left out), and
`truncated` counts it. One trace of a 10 MB payload once made a 202 MB file.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from ..bus import Event
from ..config.secrets import redact, redact_data
from ..context import Context
from ..i18n import Text
from ..state import State

STORED_TRACES = 10

TRACE_STEPS = 1000  # the first steps of a run kept
TRACE_TAIL = 50  # and its last ones
TRACE_TEXT = 4096  # characters of one string
TRACE_ITEMS = 100  # items of one list or mapping
TRACE_SIZE = 128 * 1024  # characters of one trace, about
# a string is redacted before it is cut, this far past the cut, so that a
# secret across the cut is hidden whole rather than shown in part
_SECRET_SLACK = 4096


class TraceStep:
    """One step of a run: where in the automation, when, with what, and how it ended."""

    __slots__ = ("error", "path", "result", "timestamp", "variables")

    def __init__(self, path: str, variables: Mapping[str, Any] | None) -> None:
        self.path = path
        self.timestamp = time.time()
        self.variables = variables
        self.result: dict[str, Any] | None = None
        self.error: str | None = None


class Trace:
    """One run of one automation."""

    __slots__ = (
        "_rendered",
        "context",
        "dropped_steps",
        "error",
        "finished",
        "item_id",
        "run_id",
        "saved",
        "script_execution",
        "started",
        "steps",
        "tail",
        "trigger",
        "trigger_context",
    )

    _counter = 0

    def __init__(
        self,
        item_id: str,
        trigger: Mapping[str, Any],
        context: Context,
        trigger_context: Context | None,
    ) -> None:
        Trace._counter += 1
        self.run_id = Trace._counter
        self.item_id = item_id
        self.trigger = trigger
        self.context = context
        self.trigger_context = trigger_context
        self.started = time.time()
        self.finished: float | None = None
        self.script_execution: str | None = None  # "finished", "failed_conditions", ...
        self.error: str | None = None
        self.steps: list[TraceStep] = []  # the first TRACE_STEPS
        self.tail: deque[TraceStep] = deque(maxlen=TRACE_TAIL)  # the last ones after those
        self.dropped_steps = 0
        self._rendered: dict[str, Any] | None = None
        self.saved = False  # handed to the recorder finished: never again

    def _keep(self, step: TraceStep) -> TraceStep:
        if len(self.steps) < TRACE_STEPS:
            self.steps.append(step)
        else:
            if len(self.tail) == TRACE_TAIL:
                self.dropped_steps += 1
            self.tail.append(step)
        return step

    def step(self, path: str, variables: Mapping[str, Any] | None = None) -> TraceStep:
        return self._keep(TraceStep(path, variables))

    def record(
        self, path: str, result: dict[str, Any], variables: Mapping[str, Any] | None = None
    ) -> None:
        self._keep(TraceStep(path, variables)).result = result

    def finish(self, execution: str, error: str | None = None) -> None:
        if self.finished is None:
            self.finished = time.time()
            self.script_execution = execution
            self.error = error

    @property
    def running(self) -> bool:
        return self.finished is None

    def as_dict(self) -> dict[str, Any]:
        """The trace as JSON-friendly data; made once for a finished run."""
        if self._rendered is not None:
            return self._rendered
        # Rendered data may hold a secret (a PIN in a message, a token in a URL).
        rendered = redact_data(self._render())
        if self.finished is not None:
            self._rendered = rendered
        return rendered

    def _render(self) -> dict[str, Any]:
        plain = _Plain(TRACE_SIZE)
        trigger = plain(self.trigger)  # first: what started the run matters most
        steps: dict[str, list[dict[str, Any]]] = {}
        previous: Mapping[str, Any] = {}
        for step in (*self.steps, *self.tail):
            item: dict[str, Any] = {"path": step.path, "timestamp": step.timestamp}
            if step.variables is not None and step.variables is not previous:
                changed = {
                    k: plain(v)
                    for k, v in step.variables.items()
                    if k not in previous or previous[k] is not v
                }
                if changed:
                    item["changed_variables"] = changed
                previous = step.variables
            if step.result is not None:
                item["result"] = plain(step.result)
                texts = {k: v.as_dict() for k, v in step.result.items() if isinstance(v, Text)}
                if texts:
                    item["result_text"] = texts
            if step.error is not None:
                item["error"] = plain(str(step.error))
                if isinstance(step.error, Text):
                    item["error_text"] = step.error.as_dict()
            steps.setdefault(step.path, []).append(item)
        rendered = {
            "item_id": self.item_id,
            "run_id": self.run_id,
            "state": "running" if self.running else "stopped",
            "script_execution": self.script_execution,
            "error": None if self.error is None else plain(str(self.error)),
            "timestamp": {"start": self.started, "finish": self.finished},
            "trigger": trigger,
            "context": self.context.as_dict(),
            "trigger_context": self.trigger_context.as_dict() if self.trigger_context else None,
            "trace": steps,
        }
        if isinstance(self.error, Text):
            rendered["error_text"] = self.error.as_dict()
        if plain.cut or self.dropped_steps:
            rendered["truncated"] = {"values": plain.cut, "steps": self.dropped_steps}
        return rendered


def plain(value: Any) -> Any:
    """A value as JSON-friendly data (events, states and times turned into
    mappings and text), cut as one trace's values are."""
    return _Plain(TRACE_SIZE)(value)


def _marker(left_out: int) -> str:
    return f"…(+{left_out})"


class _Plain:
    """Turns values into JSON-friendly data for one trace, within its budget
    of characters; `cut` counts the values it cut."""

    __slots__ = ("cut", "left")

    def __init__(self, budget: int) -> None:
        self.left = budget
        self.cut = 0

    def __call__(self, value: Any, depth: int = 0) -> Any:
        # Concrete types first: an isinstance check against an ABC such as
        # Mapping costs several times more, and saving traces walks a lot.
        kind = type(value)
        if kind is str:
            size = len(value)
            if size <= TRACE_TEXT and size < self.left:
                self.left -= size
                return value
            return self._text(value)
        if value is None or kind in _NUMBERS:
            self.left -= 8
            return value
        if isinstance(value, _SCALARS):  # a str or int subclass (a Text, an IntEnum)
            return self._text(value) if isinstance(value, str) else value
        if depth > 8:
            return self._text(repr(value))
        depth += 1
        if isinstance(value, dict):
            return self._mapping(value, depth)
        if isinstance(value, list | tuple):
            return self._sequence(value, depth)
        if isinstance(value, Event):
            return {
                "event_type": value.event_type,
                "data": self(value.data, depth),
                "context": value.context.as_dict(),
                "origin": value.origin,
                "time_fired": value.time_fired,
            }
        if isinstance(value, State):
            return {
                "entity_id": value.entity_id,
                "state": self._text(value.state),
                "attributes": self(value.attributes, depth),
                "last_changed": value.last_changed,
                "last_updated": value.last_updated,
                "context": value.context.as_dict(),
            }
        if isinstance(value, Context):
            return value.as_dict()
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, timedelta):
            return value.total_seconds()
        if isinstance(value, Mapping):
            return self._mapping(value, depth)
        if isinstance(value, set | frozenset):
            return self._sequence(list(value), depth)
        return self._text(repr(value))

    def _text(self, text: str) -> str:
        size = len(text)
        keep = min(size, TRACE_TEXT, max(self.left, 0))
        if keep == size:
            self.left -= size
            return text
        self.cut += 1
        self.left -= keep + 12
        kept = redact(text[: keep + _SECRET_SLACK])[:keep] if keep else ""
        return kept + _marker(size - keep)

    def _mapping(self, value: Mapping[Any, Any], depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        count = 0
        for key, item in value.items():
            if count == TRACE_ITEMS or self.left <= 0:
                self.cut += 1
                out["…"] = _marker(len(value) - count)
                break
            count += 1
            out[key if type(key) is str else str(key)] = self(item, depth)
        self.left -= 2 * count
        return out

    def _sequence(self, value: list[Any] | tuple[Any, ...], depth: int) -> list[Any]:
        if len(value) <= TRACE_ITEMS and len(value) < self.left:
            self.left -= len(value)
            return [self(item, depth) for item in value]
        out: list[Any] = []
        for item in value:
            if len(out) >= TRACE_ITEMS or self.left <= 0:
                self.cut += 1
                out.append(_marker(len(value) - len(out)))
                break
            self.left -= 1
            out.append(self(item, depth))
        return out


_SCALARS = (str, bool, int, float)
_NUMBERS = frozenset((bool, int, float))


class TraceStore:
    """The last few traces of every automation, newest last. `dirty` names
    the automations with traces not yet saved to the recorder."""

    def __init__(self) -> None:
        self._traces: dict[str, deque[Trace]] = {}
        self.dirty: set[str] = set()

    def add(self, trace: Trace, keep: int = STORED_TRACES) -> None:
        traces = self._traces.get(trace.item_id)
        if traces is None or traces.maxlen != keep:
            traces = self._traces[trace.item_id] = deque(traces or (), maxlen=keep)
        traces.append(trace)
        self.dirty.add(trace.item_id)

    def get(self, item_id: str) -> list[Trace]:
        return list(self._traces.get(item_id, ()))

    def items(self) -> list[str]:
        return list(self._traces)
