"""Traces: what each automation run did, step by step, kept for the last
runs of each automation.

A trace records references, not copies: the variables in effect at a step
(scopes are replaced, never changed in place, so a reference stays true),
the result mapping and the error. Turning them into something people read
happens in `as_dict()`, when someone asks, with every known secret value
redacted (whoever asks: the service, the file, `sigap trace`). An error (or a stop reason) that
is a Text keeps its key and values beside its English (`error_text`,
`result_text`), so a reader renders it in their own language later.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from ..bus import Event
from ..config.secrets import redact_data
from ..context import Context
from ..i18n import Text
from ..state import State

STORED_TRACES = 10


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
        "error",
        "finished",
        "item_id",
        "run_id",
        "script_execution",
        "started",
        "steps",
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
        self.steps: list[TraceStep] = []
        self._rendered: dict[str, Any] | None = None

    def step(self, path: str, variables: Mapping[str, Any] | None = None) -> TraceStep:
        step = TraceStep(path, variables)
        self.steps.append(step)
        return step

    def record(
        self, path: str, result: dict[str, Any], variables: Mapping[str, Any] | None = None
    ) -> None:
        step = TraceStep(path, variables)
        step.result = result
        self.steps.append(step)

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
        steps: dict[str, list[dict[str, Any]]] = {}
        previous: Mapping[str, Any] = {}
        for step in self.steps:
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
                item["error"] = str(step.error)
                if isinstance(step.error, Text):
                    item["error_text"] = step.error.as_dict()
            steps.setdefault(step.path, []).append(item)
        rendered = {
            "item_id": self.item_id,
            "run_id": self.run_id,
            "state": "running" if self.running else "stopped",
            "script_execution": self.script_execution,
            "error": None if self.error is None else str(self.error),
            "timestamp": {"start": self.started, "finish": self.finished},
            "trigger": plain(self.trigger),
            "context": self.context.as_dict(),
            "trigger_context": self.trigger_context.as_dict() if self.trigger_context else None,
            "trace": steps,
        }
        if isinstance(self.error, Text):
            rendered["error_text"] = self.error.as_dict()
        return rendered


def plain(value: Any, depth: int = 0) -> Any:
    """A value as JSON-friendly data (events, states and times turned into
    mappings and text)."""
    # Concrete types first: an isinstance check against an ABC such as
    # Mapping costs several times more, and saving traces walks a lot.
    if value is None or isinstance(value, _SCALARS):
        return value
    if depth > 8:
        return repr(value)
    depth += 1
    if isinstance(value, dict):
        return {k if type(k) is str else str(k): plain(v, depth) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, depth) for v in value]
    if isinstance(value, Event):
        return {
            "event_type": value.event_type,
            "data": plain(value.data, depth),
            "context": value.context.as_dict(),
            "origin": value.origin,
            "time_fired": value.time_fired,
        }
    if isinstance(value, State):
        return {
            "entity_id": value.entity_id,
            "state": value.state,
            "attributes": plain(value.attributes, depth),
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
        return {str(k): plain(v, depth) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return [plain(v, depth) for v in value]
    return repr(value)


_SCALARS = (str, bool, int, float)


class TraceStore:
    """The last few traces of every automation, newest last. `dirty` names
    the automations with traces not yet saved."""

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
