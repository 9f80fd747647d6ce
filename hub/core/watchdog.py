"""The loop watchdog: notices when something holds the event loop, and names
the plugin when it can be known; counts each plugin's tasks.

A plugin that calls `time.sleep(5)` (or a blocking SDK) in a listener holds
every siren, door and alert of the hub for five seconds. On the loop, a tick
every `interval` seconds measures how late it ran: that lateness is the lag
(`lag`, `max_lag`: the figures a /metrics endpoint will read). A thread
beside the loop looks at the loop's stack while it is held (the loop cannot
look at itself then) and finds the innermost frame that belongs to a
plugin. When the loop runs again, one warning names the plugin, the file
and line, and how long; `hub.loop_blocked` is fired with the same.

Tasks: every `task_interval` the running tasks are counted by the plugin
their coroutine comes from (`tasks`); a plugin with `task_warning` or more,
and twice as many as when it was last warned about, is warned about again.
A task whose coroutine is not the plugin's own (`asyncio.sleep(...)` handed
to create_task directly) cannot be attributed and is not counted.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING

from .i18n import Text
from .lograte import LogRate

if TYPE_CHECKING:
    from .hub import Hub

_LOGGER = logging.getLogger(__name__)

EVENT_LOOP_BLOCKED = "hub.loop_blocked"


@dataclass(slots=True)
class Culprit:
    plugin: str | None
    where: str  # "file.py:12 in on_motion"


class LoopWatch:
    """One per hub: `start()` on the hub's loop, `stop()` at the end."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.interval = 0.25  # seconds between ticks
        self.threshold = 0.5  # lag that is worth a warning
        self.task_interval = 30.0
        self.task_warning = 500
        #: the latest tick's lateness, the largest seen, how many stalls (by plugin)
        self.lag = 0.0
        self.max_lag = 0.0
        self.stalls: Counter[str] = Counter()
        #: running tasks per plugin at the last count
        self.tasks: dict[str, int] = {}
        self._warned_tasks: dict[str, int] = {}
        self._log = LogRate(_LOGGER, language=lambda: hub.console_language)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._task_handle: asyncio.TimerHandle | None = None
        self._due = 0.0  # when the next tick should run (monotonic)
        # what the thread saw, and during which stall (the tick it held up)
        self._culprit: tuple[float, Culprit] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop_thread = 0

    # -- lifetime -------------------------------------------------------------

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._due = time.monotonic() + self.interval
        self._handle = self._loop.call_at(self._loop.time() + self.interval, self._tick)
        self._task_handle = self._loop.call_later(self.task_interval, self._count_tasks)
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, name="sigap loop watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        for handle in (self._handle, self._task_handle):
            if handle is not None:
                handle.cancel()
        self._handle = self._task_handle = None
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        self._log.close()

    # -- on the loop ------------------------------------------------------------

    def _tick(self) -> None:
        assert self._loop is not None
        now = time.monotonic()
        self.lag = max(0.0, now - self._due)
        self.max_lag = max(self.max_lag, self.lag)
        seen, self._culprit = self._culprit, None
        culprit = seen[1] if seen is not None and seen[0] == self._due else None
        if self.lag >= self.threshold:
            self._blocked(self.lag, culprit)
        self._due = now + self.interval
        self._handle = self._loop.call_at(self._loop.time() + self.interval, self._tick)

    def _blocked(self, lag: float, culprit: Culprit | None) -> None:
        plugin = culprit.plugin if culprit else None
        where = culprit.where if culprit else Text("watchdog.unknown_place")
        seconds = f"{lag:.1f}"
        self.stalls[plugin or "?"] += 1
        if plugin:
            said = Text("watchdog.blocked", seconds=seconds, plugin=plugin, where=where)
        else:
            said = Text("watchdog.blocked_unknown", seconds=seconds, where=where)
        self._log.log(("loop", plugin), logging.WARNING, said)
        data = {"seconds": round(lag, 3), "plugin": plugin, "where": str(where)}
        self.hub.bus.fire(EVENT_LOOP_BLOCKED, data, self.hub.context)

    def _count_tasks(self) -> None:
        assert self._loop is not None
        self.count_tasks()
        self._task_handle = self._loop.call_later(self.task_interval, self._count_tasks)

    def count_tasks(self) -> dict[str, int]:
        """Count the running tasks by plugin now (and warn about a plugin
        whose count keeps growing)."""
        counted: Counter[str] = Counter()
        asking = asyncio.current_task(self._loop)
        for task in asyncio.all_tasks(self._loop):
            if task is asking:
                continue
            frame = getattr(task.get_coro(), "cr_frame", None)
            module = frame.f_globals.get("__name__", "") if frame is not None else ""
            plugin = self.hub.plugins.plugin_of(module) if module else None
            if plugin is not None:
                counted[plugin] += 1
        self.tasks = dict(counted)
        for plugin, count in counted.items():
            before = self._warned_tasks.get(plugin, 0)
            if count >= self.task_warning and count >= 2 * before:
                self._warned_tasks[plugin] = count
                said = Text("watchdog.tasks", plugin=plugin, count=count, before=before)
                self._log.log(("tasks", plugin), logging.WARNING, said)
        return self.tasks

    # -- beside the loop ----------------------------------------------------------

    def _watch(self) -> None:
        step = min(self.interval, self.threshold) / 4
        while not self._stop.wait(step):
            due = self._due
            if time.monotonic() - due < step:
                continue
            # the loop is late: look at what it is doing; the last look
            # before it runs again is the one the warning names
            try:
                frame = sys._current_frames().get(self._loop_thread)
                if frame is not None:
                    self._culprit = (due, self._find(frame))
                del frame
            except Exception:  # a look that failed names nobody; the warning still comes
                self._culprit = None

    def _find(self, frame: FrameType | None) -> Culprit:
        first: FrameType | None = None
        while frame is not None:
            module = frame.f_globals.get("__name__", "")
            plugin = self.hub.plugins.plugin_of(module) if module else None
            if plugin is not None:
                return Culprit(plugin, _where(frame))
            if first is None and not module.startswith(("asyncio", "uvloop")):
                first = frame
            frame = frame.f_back
        return Culprit(None, _where(first) if first is not None else "?")


def _where(frame: FrameType) -> str:
    code = frame.f_code
    return f"{os.path.basename(code.co_filename)}:{frame.f_lineno} in {code.co_name}"
