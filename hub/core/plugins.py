"""One plugin manager per hub: first-party plugins and entry-point plugins
registered through the same door, with a block list, and every plugin fault
recorded against the plugin's name instead of stopping the hub."""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import json
import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from . import hookspecs, i18n
from .lograte import LogRate
from .storage import STORAGE_FOLDER, storage_dir, write_atomic

_LOGGER = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "sigap.plugins"
# `<config>/.storage/quarantine.json`: the running hub's switched-off
# listeners, for `sigap plugins` (another process) to show.
QUARANTINE_FILE = "quarantine.json"
# Faults kept for `sigap plugins`; a repeated fault is counted, not stored again.
MAX_FAILURES = 200
DISABLE_AUTOLOAD_ENV = "SIGAP_DISABLE_PLUGIN_AUTOLOAD"

# The rooms of the core that are built as plugins (as pytest builds its own
# features), in start order: MQTT before the devices that need it. Vendor and
# first-party device plugins come after them; the core never names those.
CORE_PLUGINS: tuple[str, ...] = (
    "hub.core.entities",
    "hub.core.mqtt",
    "hub.core.http",
    "hub.core.automation",
    "hub.core.media",
    # before the alarms: it closes after them, taking their last messages
    "hub.core.outbox",
    # last: it stops first, before the rooms its messages and snapshots go through
    "hub.core.alarms",
)


@dataclass(slots=True)
class PluginFailure:
    plugin: str
    stage: str  # "load", "hook <name>", "setup", "event", "device <id>", ...
    error: str
    when: float = field(default_factory=time.time)
    count: int = 1  # the same fault again is counted here, not stored again

    def __str__(self) -> str:
        return self.render("en")

    def render(self, lang: str) -> str:
        return i18n.render(self.text(), lang)

    def text(self) -> i18n.Text:
        return i18n.Text(
            "plugins.failure", plugin=self.plugin, stage=stage_text(self.stage), error=self.error
        )


@dataclass(slots=True)
class Quarantined:
    """A plugin's listener that failed `failures` times within `seconds` and
    was switched off until the hub restarts."""

    plugin: str
    listener: str
    event_type: str
    failures: int
    seconds: float
    error: str
    when: float = field(default_factory=time.time)

    def text(self) -> i18n.Text:
        return i18n.Text(
            "plugins.quarantined",
            plugin=self.plugin,
            listener=self.listener,
            event_type=self.event_type,
            failures=self.failures,
            seconds=f"{self.seconds:g}",
            error=self.error,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "plugin": self.plugin,
            "listener": self.listener,
            "event_type": self.event_type,
            "failures": self.failures,
            "seconds": self.seconds,
            "error": self.error,
            "when": self.when,
        }


def stage_text(stage: str) -> str:
    """A stage ("load", "device camera.x", ...) in words a reader's language has."""
    word, _, name = stage.partition(" ")
    key = f"plugins.stage.{word}"
    if not i18n.has(key):
        return stage
    return i18n.Text(key, name=name) if name else i18n.Text(key)


@dataclass(slots=True)
class PluginInfo:
    name: str
    module: str
    source: str  # "builtin", "entry point <dist>", "given"
    version: str | None = None


class PluginManager:
    """Loads plugins for one hub and calls their hooks one plugin at a time,
    so a plugin that raises is reported by name and the others still answer."""

    def __init__(
        self,
        plugins: Sequence[str | ModuleType | object] | None = None,
        *,
        autoload: bool | None = None,
        block: Iterable[str] = (),
    ) -> None:
        self._pm = pluggy.PluginManager("sigap")
        self._pm.add_hookspecs(hookspecs)
        self._requested = (*CORE_PLUGINS, *(plugins or ()))
        if autoload is None:
            autoload = not os.environ.get(DISABLE_AUTOLOAD_ENV)
        self.autoload = autoload
        self.blocked = set(block)
        self.info: dict[str, PluginInfo] = {}
        #: faults, oldest first, at most MAX_FAILURES (a repeated one is counted)
        self.failures: list[PluginFailure] = []
        self.dropped_failures = 0
        #: listeners switched off because they kept failing (shown by `sigap plugins`)
        self.quarantined: list[Quarantined] = []
        self._log = LogRate(_LOGGER, language=lambda: self.language())
        #: the language failures are logged in (the hub sets its console language)
        self.language: Any = lambda: i18n.console_language(i18n.DEFAULT_LANGUAGE)
        self._module_prefixes: list[tuple[str, str]] = []
        self._pending: list[tuple[Any, str, str, str | None]] = []
        # the answers of the hook call under way (a stack: a hook may call hooks)
        self._answers: list[list[tuple[str, Any]]] = []

    # -- loading ----------------------------------------------------------

    def load(self) -> None:
        """Import every plugin, then register them with pluggy.

        pluggy calls a hook's implementations last-registered first, so the
        plugins are registered in reverse load order: hooks then run in load
        order (the core's rooms first, MQTT before the devices that need it),
        and `tryfirst` / `trylast` / wrappers behave as pluggy documents."""
        self._pending: list[tuple[Any, str, str, str | None]] = []
        for plugin in self._requested:
            if isinstance(plugin, str):
                source = "core" if plugin in CORE_PLUGINS else "builtin"
                self._load_module(plugin, plugin.rsplit(".", 1)[-1], source)
            else:
                name = getattr(plugin, "name", None) or getattr(plugin, "__name__", None)
                self._queue(plugin, str(name or type(plugin).__name__), "given")
        if self.autoload:
            for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
                dist = ep.dist.name if ep.dist else "?"
                version = ep.dist.version if ep.dist else None
                self._load_entry_point(ep, f"entry point {dist}", version)
        registered = [entry for entry in reversed(self._pending) if self._register(*entry)]
        for plugin, name, source, version in reversed(registered):
            module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
            self.info[name] = PluginInfo(name, module, source, version)
            self._module_prefixes.append((module, name))
        self._pending = []

    def _load_module(self, module_name: str, name: str, source: str) -> None:
        if name in self.blocked:
            _LOGGER.info("plugin %s is blocked; not loaded", name)
            return
        try:
            module = importlib.import_module(module_name)
        except Exception as err:
            self.record_failure(name, "load", err)
            return
        self._queue(module, name, source)

    def _load_entry_point(
        self, ep: importlib.metadata.EntryPoint, source: str, version: str | None
    ) -> None:
        if ep.name in self.blocked:
            _LOGGER.info("plugin %s is blocked; not loaded", ep.name)
            return
        if any(name == ep.name for _, name, _, _ in self._pending):
            return  # a built-in already answers to this name
        try:
            plugin = ep.load()
        except Exception as err:
            self.record_failure(ep.name, "load", err)
            return
        self._queue(plugin, ep.name, source, version)

    def _queue(self, plugin: Any, name: str, source: str, version: str | None = None) -> None:
        if name not in self.blocked:
            self._pending.append((plugin, name, source, version))

    def _register(self, plugin: Any, name: str, source: str, version: str | None) -> bool:
        try:
            self._pm.register(plugin, name)
        except Exception as err:
            self.record_failure(name, "load", err)
            return False
        for caller in self._pm.get_hookcallers(plugin) or ():
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin:
                    impl.function = self._contained(impl, caller.name)
        return True

    # -- calling hooks --------------------------------------------------------

    def call(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a hook through pluggy (`pm.hook.<name>`); returns (plugin
        name, result) pairs in pluggy's order, without None results and
        without the plugins whose implementation raised (those are recorded).
        A result a wrapper put in place is credited to the wrapper's plugin."""
        answers: list[tuple[str, Any]] = []
        self._answers.append(answers)
        try:
            results = getattr(self._pm.hook, hook_name)(**kwargs)
        finally:
            self._answers.pop()
        wrappers = [
            impl.plugin_name
            for impl in getattr(self._pm.hook, hook_name).get_hookimpls()
            if impl.hookwrapper or impl.wrapper
        ]
        credited = []
        for result in results:
            for index, (plugin, answer) in enumerate(answers):
                if answer is result:
                    credited.append((plugin, result))
                    del answers[index]
                    break
            else:
                credited.append((wrappers[0] if wrappers else "?", result))
        return credited

    def _contained(self, impl: pluggy.HookImpl, hook_name: str) -> Any:
        """The implementation, wrapped so that a raise is that plugin's
        recorded failure (the hook answers without it) instead of the hub's."""
        function, plugin = impl.function, impl.plugin_name
        stage = f"hook {hook_name}"
        if impl.hookwrapper or impl.wrapper:
            return functools.wraps(function)(self._contained_wrapper(function, plugin, stage))

        @functools.wraps(function)
        def contained(*args: Any) -> Any:
            try:
                result = function(*args)
            except Exception as err:
                self.record_failure(plugin, stage, err)
                return None
            if result is not None and self._answers:
                self._answers[-1].append((plugin, result))
            return result

        return contained

    def _contained_wrapper(self, function: Any, plugin: str, stage: str) -> Any:
        record = self.record_failure

        def contained(*args: Any) -> Any:
            generator = function(*args)
            try:
                next(generator)
            except Exception as err:  # failed before the inner calls: step aside
                record(plugin, stage, err)
                return (yield)
            try:
                outcome = yield
            except BaseException as inner:  # an inner implementation raised
                try:
                    generator.throw(inner)
                except StopIteration as done:
                    return done.value
                raise RuntimeError(f"{plugin}: hook wrapper yielded twice") from None
            try:
                generator.send(outcome)
            except StopIteration as done:
                return done.value
            except Exception as err:  # failed after the inner calls
                record(plugin, stage, err)
                return outcome
            record(plugin, stage, "hook wrapper yielded twice")
            return outcome

        return contained

    # -- faults -------------------------------------------------------------------

    def record_failure(
        self, plugin: str, stage: str, err: BaseException | str, *, logged: bool = False
    ) -> None:
        """Keep a plugin's fault for `sigap plugins` and log it (`logged`:
        whoever caught it has logged it already). The same fault again is
        counted on its first record, and the log says it once a minute: a
        listener that raises 200 times a second costs one record and a line."""
        text = (
            err
            if isinstance(err, str)
            else i18n.Text("plugins.error", type=type(err).__name__, error=i18n.message(err))
        )
        same = next(
            (
                i
                for i, f in enumerate(self.failures)
                if f.plugin == plugin and f.stage == stage and f.error == text
            ),
            None,
        )
        if same is not None:
            failure = self.failures.pop(same)
            failure.count += 1
            failure.when = time.time()
        else:
            failure = PluginFailure(plugin, stage, text)
        self.failures.append(failure)
        if len(self.failures) > MAX_FAILURES:
            # the oldest go first; how many went is said in `sigap plugins`
            self.dropped_failures += len(self.failures) - MAX_FAILURES
            del self.failures[:-MAX_FAILURES]
        if logged:
            return
        said = i18n.Text("plugins.log_failure", plugin=plugin, stage=stage_text(stage), error=text)
        self._log.log(
            ("failure", plugin, stage),
            logging.ERROR,
            said,
            exc_info=err if isinstance(err, BaseException) else False,
        )

    def quarantine(
        self, plugin: str, listener: str, event_type: str, failures: int, seconds: float, err: Any
    ) -> Quarantined:
        """A listener of `plugin` that kept failing is switched off: say so once."""
        error = i18n.Text("plugins.error", type=type(err).__name__, error=i18n.message(err))
        record = Quarantined(plugin, listener, event_type, failures, seconds, str(error))
        self.quarantined.append(record)
        del self.quarantined[:-MAX_FAILURES]
        _LOGGER.error(record.text())
        return record

    def flush_log(self) -> None:
        """Write the counts of repeated faults still held back (at stop)."""
        self._log.close()

    def plugin_of(self, module_or_owner: str) -> str | None:
        """Which plugin a module (or `module.function` owner) belongs to."""
        for prefix, name in self._module_prefixes:
            if module_or_owner == prefix or module_or_owner.startswith(prefix + "."):
                return name
        return None

    def names(self) -> list[str]:
        return list(self.info)

    def failed(self, name: str) -> list[PluginFailure]:
        return [f for f in self.failures if f.plugin == name]


def save_quarantined(config_dir: str | os.PathLike[str], records: Sequence[Quarantined]) -> None:
    """Write (or, with no records, remove) the quarantine file; blocking."""
    if not records:
        (Path(config_dir) / STORAGE_FOLDER / QUARANTINE_FILE).unlink(missing_ok=True)
        return
    write_atomic(
        storage_dir(config_dir) / QUARANTINE_FILE,
        json.dumps([r.as_dict() for r in records], ensure_ascii=False, indent=1),
    )


def read_quarantined(config_dir: str | os.PathLike[str]) -> list[Quarantined]:
    """What the hub running on `config_dir` switched off (nothing when the file
    is missing or unreadable: it is a report, never a reason to fail)."""
    path = Path(config_dir) / STORAGE_FOLDER / QUARANTINE_FILE
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
        return [Quarantined(**item) for item in items]
    except (OSError, ValueError, TypeError):
        return []
