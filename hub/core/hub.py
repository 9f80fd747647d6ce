"""The root object: owns the bus, states, services, devices, plugins and
configuration of one hub, and starts and stops them in stages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from .bus import EventBus
from .clock import CLOCK, Clock, clock_of
from .config import (
    ConfigError,
    ConfigErrors,
    load_config_dir,
    validate_config,
    without_followups,
)
from .context import SYSTEM, Context
from .domains import EntityDomain
from .entities import DeviceRegistry
from .i18n import Text, console_language, message
from .keys import HubData
from .people import PeoplePolicy, PeopleRegistry
from .permissions import Policy
from .platform import Device, TriggerPlatform
from .plugins import PluginManager, save_quarantined
from .recorder import CONFIG_SCHEMA as RECORDER_SCHEMA
from .recorder import Recorder, RecorderUnavailable
from .services import ServiceRegistry
from .sites import SiteRegistry
from .state import StateMachine
from .watchdog import LoopWatch

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")

EVENT_HUB_STARTED = "hub.started"
EVENT_HUB_STOPPING = "hub.stopping"

# The first hooks of the contract, one per core domain; `sigap_platforms`
# takes platforms of any domain (a plugin's own included).
_DOMAIN_PLATFORM_HOOKS = {
    "sigap_camera_platforms": "camera",
    "sigap_door_platforms": "door",
    "sigap_siren_platforms": "siren",
    "sigap_notify_platforms": "notify",
    "sigap_platforms": None,
}


# Top-level keys of the core's own (no plugin may take them).
_CORE_SECTIONS = ("hub", "sites", "people", "groups", "recorder")

# How long stop() waits for devices to close before moving on.
STOP_TIMEOUT = 10.0


class StartupFailed(Exception):
    """Raised by a lifespan whose failure must stop the hub from starting
    (the HTTP port is taken): the message is a Text saying what and how to
    fix it. Any other setup failure is recorded and the rest starts."""


class Hub:
    """One hub. Use `async with Hub(config_dir, plugins=[...]) as hub:` or
    `await hub.start()` ... `await hub.stop()`."""

    def __init__(
        self,
        config_dir: str | Path = "config",
        *,
        plugins: Sequence[str | ModuleType | object] | None = None,
        autoload: bool | None = None,
        block: Iterable[str] = (),
        config: Mapping[str, Any] | None = None,
    ) -> None:
        """`plugins`: first-party or test plugins to load besides the core
        (module names or objects); `autoload`: also load entry-point plugins
        (default: unless SIGAP_DISABLE_PLUGIN_AUTOLOAD is set); `block`:
        plugin names never to load; `config`: an already-parsed configuration
        used instead of reading configuration.yaml (tests)."""
        self.config_dir = Path(config_dir)
        self.plugins = PluginManager(plugins, autoload=autoload, block=block)
        self.plugins.language = lambda: self.console_language
        self.bus = EventBus(
            on_listener_error=self._listener_failed,
            on_listener_failing=self._listener_failing,
            language=lambda: self.console_language,
        )
        self.states = StateMachine(self.bus)
        self.services = ServiceRegistry(self.bus)
        self.sites = SiteRegistry()
        self.devices = DeviceRegistry(self.sites)
        #: people, groups and roles (`people:`, `groups:`); set at load
        self.people = PeopleRegistry()
        self.data = HubData()
        self.clock = Clock()
        #: events, states, the audit and the alarms in the database (`recorder:`)
        self.recorder = Recorder(self)
        self.context = Context(actor=SYSTEM)  # the hub's own doings (start, stop)
        #: the entity domains the plugins declared (the core's among them), by name
        self.domains: dict[str, EntityDomain] = {}
        self.platforms: dict[str, dict[str, type[Device]]] = {}
        self.trigger_platforms: dict[str, type[TriggerPlatform]] = {}
        self.sections: dict[str, Any] = {}
        self.config: dict[str, Any] = {}
        self.config_errors: list[ConfigError] = []
        self.stage = "created"
        self._given_config = config
        self._loaded = False
        self._tasks: set[asyncio.Task[Any]] = set()
        #: the loop's lag (loop_watch.lag, .max_lag) and each plugin's tasks (.tasks)
        self.loop_watch = LoopWatch(self)
        self._exit_stack = AsyncExitStack()
        self._stopped = asyncio.Event()
        self._before_devices_stop: list[Callable[[], Awaitable[Any]]] = []

    # -- the one clock ------------------------------------------------------------

    @property
    def clock(self) -> Clock:
        """What everything in the hub waits on (a FakeClock in tests)."""
        return clock_of(self)

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self.data[CLOCK] = clock
        # events and states are stamped by it too (a bound method: no lookup per event)
        self.bus.now = self.states.now = clock.timestamp

    # -- who may do what -----------------------------------------------------------

    @property
    def policy(self) -> Policy:
        """The one permission check: service calls and reads on someone's
        behalf ask it (allows everything until load, then hub.people decide)."""
        return self.services.policy

    @policy.setter
    def policy(self, policy: Policy) -> None:
        self.services.policy = policy
        self.states.policy = policy

    # -- settings read from `hub:` -----------------------------------------------

    @property
    def settings(self) -> Mapping[str, Any]:
        return self.config.get("hub", {})

    @property
    def name(self) -> str:
        return str(self.settings.get("name", "Sigap"))

    @property
    def language(self) -> str:
        return str(self.settings.get("language", "id"))

    @property
    def console_language(self) -> str:
        """The language of the log and the terminal: SIGAP_LANG, else hub.language."""
        return console_language(self.language)

    @property
    def time_zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.get("time_zone", "Asia/Makassar"))

    # -- stage 1: plugins and configuration ---------------------------------------

    def load(self) -> list[ConfigError]:
        """Load plugins, collect what they provide and validate the
        configuration against it. Returns every configuration error; safe to
        call more than once (`sigap check-config` stops here)."""
        if self._loaded:
            return self.config_errors
        self._loaded = True
        self.stage = "loading"
        self.plugins.load()
        self._collect_domains()
        self._collect_platforms()
        self._collect_sections()
        if self._given_config is not None:
            raw: Any = self._given_config
            errors: list[ConfigError] = []
        else:
            raw, errors = load_config_dir(self.config_dir)
        config, more = validate_config(
            raw or {},
            platforms=self.platforms,
            sections={"recorder": RECORDER_SCHEMA, **self.sections},
            needs_site={d.name for d in self.domains.values() if d.needs_site},
        )
        self.config = config
        self.sites = self.devices.sites = SiteRegistry.from_config(config.get("sites", ()))
        self._load_people()
        self.config_errors = [*errors, *without_followups(errors, more)]
        self.stage = "loaded"
        return self.config_errors

    def _load_people(self) -> None:
        # from now on every call and read on someone's behalf is checked
        # against them (with nobody configured, only the hub itself may act)
        self.people = PeopleRegistry.from_config(
            self.config.get("people", ()),
            self.config.get("groups", ()),
            site_ids=[site.id for site in self.sites],
            language=self.language,
        )
        self.policy = PeoplePolicy(self)

    def _collect_domains(self) -> None:
        hook = "sigap_entity_domains"
        for plugin, answer in self.plugins.call(hook, hub=self):
            try:
                domains = _as_list(answer)
            except TypeError:
                domains = [answer]
            for domain in domains:
                if not (
                    isinstance(domain, EntityDomain)
                    and isinstance(domain.base, type)
                    and issubclass(domain.base, Device)
                ):
                    said = Text("hub.hook.not_a_domain", value=_shown(domain))
                elif domain.name in self.domains or domain.name in _CORE_SECTIONS:
                    said = Text("hub.hook.domain_taken", name=repr(domain.name))
                else:
                    self.domains[domain.name] = domain
                    self.platforms[domain.name] = {}
                    continue
                self.plugins.record_failure(plugin, f"hook {hook}", said)

    def _collect_platforms(self) -> None:
        for hook, only in _DOMAIN_PLATFORM_HOOKS.items():
            for plugin, classes in self.plugins.call(hook, hub=self):
                for cls in self._platform_classes(plugin, hook, classes, only):
                    domain = cls.domain
                    if cls.platform in self.platforms[domain]:
                        self.plugins.record_failure(
                            plugin,
                            f"hook {hook}",
                            Text("hub.hook.platform_taken", domain=domain, name=repr(cls.platform)),
                        )
                        continue
                    self.platforms[domain][cls.platform] = cls
        hook = "sigap_trigger_platforms"
        for plugin, classes in self.plugins.call(hook, hub=self):
            for cls in self._classes(plugin, hook, classes, TriggerPlatform):
                if cls.platform in self.trigger_platforms:
                    self.plugins.record_failure(
                        plugin,
                        f"hook {hook}",
                        Text("hub.hook.trigger_taken", name=repr(cls.platform)),
                    )
                    continue
                self.trigger_platforms[cls.platform] = cls

    def _classes(self, plugin: str, hook: str, answer: Any, base: type) -> list[type[Any]]:
        """The platform classes in a hook's answer; anything else in it is the
        plugin's recorded failure, never the hub's crash."""
        try:
            items = _as_list(answer)
        except TypeError:
            items = [answer]
        classes = []
        for cls in items:
            if isinstance(cls, type) and issubclass(cls, base) and getattr(cls, "platform", None):
                classes.append(cls)
            else:
                self.plugins.record_failure(
                    plugin,
                    f"hook {hook}",
                    Text("hub.hook.not_a_platform", value=_shown(cls), base=base.__name__),
                )
        return classes

    def _platform_classes(
        self, plugin: str, hook: str, answer: Any, only: str | None
    ) -> list[type[Device]]:
        """Device platform classes of a known domain (of `only`, for a
        per-domain hook); the rest of the answer is the plugin's failure."""
        base = self.domains[only].base if only in self.domains else Device
        found = []
        for cls in self._classes(plugin, hook, answer, base):
            domain = self.domains.get(cls.domain)
            if domain is None or not issubclass(cls, domain.base):
                self.plugins.record_failure(
                    plugin,
                    f"hook {hook}",
                    Text(
                        "hub.hook.unknown_domain",
                        value=_shown(cls),
                        domain=repr(cls.domain),
                        known=", ".join(self.domains),
                    ),
                )
                continue
            found.append(cls)
        return found

    def _collect_sections(self) -> None:
        hook = "sigap_config_schema"
        for plugin, sections in self.plugins.call(hook, hub=self):
            if not isinstance(sections, Mapping):
                self.plugins.record_failure(
                    plugin,
                    f"hook {hook}",
                    Text("hub.hook.not_a_mapping", type=type(sections).__name__),
                )
                continue
            for key, schema in sections.items():
                if not isinstance(key, str):
                    said = Text("hub.hook.key_not_text", key=_shown(key))
                elif key in self.sections or key in (*_CORE_SECTIONS, *self.domains):
                    said = Text("hub.hook.key_taken", key=repr(key))
                else:
                    self.sections[key] = schema
                    continue
                self.plugins.record_failure(plugin, f"hook {hook}", said)

    # -- stage 2: start -----------------------------------------------------------

    async def start(self) -> None:
        """Start everything; raises ConfigErrors when the configuration is
        invalid. A plugin or device that fails to start is reported and the
        rest of the hub starts. A mistake that leaves out only its own item
        (`leaves_item_out`, e.g. one broken automation) is logged and the hub
        starts without that item, as Home Assistant does."""
        if self.stage not in ("created", "loading", "loaded"):
            # a second start would enter every lifespan and add every device again
            raise RuntimeError(f"{self.name} cannot start: it is {self.stage}")
        errors = self.load()
        if any(not getattr(error, "leaves_item_out", False) for error in errors):
            raise ConfigErrors(errors)
        lang = console_language(self.language)
        for error in errors:
            _LOGGER.error("%s (left out; the rest starts)", error.render(lang))
        self.stage = "starting"
        self.loop_watch.start()
        # a new run has switched nothing off: the last run's report goes
        await asyncio.to_thread(self._save_quarantined, [])
        await self._exit_stack.__aenter__()
        # The recorder first (it hears everything that follows) and closed last.
        try:
            await self.recorder.start()
        except RecorderUnavailable as err:
            await self._abort_start()
            raise StartupFailed(*err.args) from err
        self._exit_stack.push_async_callback(self.recorder.stop)
        for plugin, lifespan in self.plugins.call("sigap_lifespan", hub=self):
            if not hasattr(type(lifespan), "__aenter__"):
                self.plugins.record_failure(
                    plugin,
                    "hook sigap_lifespan",
                    Text("hub.hook.not_a_lifespan", type=type(lifespan).__name__),
                )
                continue
            try:
                await type(lifespan).__aenter__(lifespan)
            except StartupFailed:
                await self._abort_start()
                raise
            except Exception as err:
                self.plugins.record_failure(plugin, "setup", err)
                continue
            self._exit_stack.push_async_callback(self._cleanup, plugin, lifespan)
        await self._start_devices()
        self.stage = "running"
        _LOGGER.info(
            "%s started: %d devices, %d plugins",
            self.name,
            len(self.devices),
            len(self.plugins.info),
        )
        self.bus.fire(EVENT_HUB_STARTED, {}, self.context)

    async def _abort_start(self) -> None:
        """A part the hub cannot run without failed: undo what had started."""
        try:
            await self._exit_stack.aclose()
            await self._cancel_tasks()
        finally:
            self.loop_watch.stop()
            self.stage = "stopped"
            self._stopped.set()

    async def _cleanup(self, plugin: str, lifespan: Any) -> None:
        # A cleanup that raises is that plugin's fault: the other plugins
        # still clean up and the hub still stops.
        try:
            await type(lifespan).__aexit__(lifespan, None, None, None)
        except Exception as err:
            self.plugins.record_failure(plugin, "cleanup", err)

    async def _start_devices(self) -> None:
        devices: list[Device] = []
        for domain, platforms in self.platforms.items():
            for item in self.config.get(domain, ()):
                cls = platforms[item["platform"]]
                try:
                    device = cls(self, item)
                    self.devices.add(device)
                except Exception as err:
                    self._device_failed(cls, f"{domain}.{item.get('id')}", err)
                    continue
                device.set_state(device._state)  # the entity exists from the start
                devices.append(device)
        results = await asyncio.gather(*(d.start() for d in devices), return_exceptions=True)
        for device, result in zip(devices, results, strict=True):
            if isinstance(result, Exception):
                self._device_failed(type(device), device.entity_id, result)
                device.set_available(False, Text("device.failed_to_start", error=message(result)))

    def _device_failed(self, cls: type, entity_id: str, err: BaseException) -> None:
        plugin = self.plugins.plugin_of(cls.__module__) or cls.__module__
        self.plugins.record_failure(plugin, f"device {entity_id}", err)

    # -- stage 3: stop ------------------------------------------------------------

    async def stop(self) -> None:
        """Stop devices, plugins and background tasks, in reverse order."""
        if self.stage in ("stopping", "stopped"):
            await self._stopped.wait()
            return
        started = self.stage in ("starting", "running")
        self.stage = "stopping"
        try:
            if started:
                self.bus.fire(EVENT_HUB_STOPPING, {}, self.context)
                await self._finish_before_devices_stop()
                devices = self.devices.all()
                results = await asyncio.gather(
                    *(asyncio.wait_for(d.stop(), STOP_TIMEOUT) for d in devices),
                    return_exceptions=True,
                )
                for device, result in zip(devices, results, strict=True):
                    if isinstance(result, Exception):
                        self._device_failed(type(device), device.entity_id, result)
                await self._exit_stack.aclose()
            await self._cancel_tasks()
            await self.bus.drain()
        finally:
            self.loop_watch.stop()
            self.bus.close()
            self.plugins.flush_log()
            if self.plugins.quarantined:
                self._save_quarantined([])
            # whatever happened, a second stop() must not wait forever
            self.stage = "stopped"
            self._stopped.set()

    def before_devices_stop(self, finish: Callable[[], Awaitable[Any]]) -> Callable[[], None]:
        """`await finish()` at stop while the devices still run (the outbox
        sends what is due through the messengers); the last one added runs
        first, as lifespans close. Returns the function that removes it."""
        self._before_devices_stop.append(finish)

        def remove() -> None:
            if finish in self._before_devices_stop:
                self._before_devices_stop.remove(finish)

        return remove

    async def _finish_before_devices_stop(self) -> None:
        for finish in reversed(list(self._before_devices_stop)):
            try:
                await asyncio.wait_for(finish(), STOP_TIMEOUT)
            except Exception as err:  # stopping goes on whatever one part says
                _LOGGER.error("%s", Text("hub.finish_failed", error=message(err)))

    async def _cancel_tasks(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def __aenter__(self) -> Hub:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- background work ----------------------------------------------------------

    def create_task(
        self, coro: Coroutine[Any, Any, T], name: str | None = None, *, owner: str | None = None
    ) -> asyncio.Task[T]:
        """Run `coro` in the background for the hub's lifetime; it is
        cancelled at stop, and an exception is reported against `owner` (a
        plugin name; by default found from the coroutine's module)."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        module = getattr(getattr(coro, "cr_frame", None), "f_globals", {}).get("__name__", "")
        who = owner or self.plugins.plugin_of(module) or module or "hub"

        def done(t: asyncio.Task[T]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and (err := t.exception()) is not None:
                self.plugins.record_failure(who, f"task {t.get_name()}", err)

        task.add_done_callback(done)
        return task

    def _listener_failed(self, owner: str, err: BaseException) -> bool:
        # `owner` is a plugin's name when it said so (listen(owner=...)),
        # else the listener's module.qualname. True: logged here, by plugin name.
        plugin = owner if owner in self.plugins.info else self.plugins.plugin_of(owner)
        if plugin is None:
            return False
        self.plugins.record_failure(plugin, "event", err)
        return True

    def _listener_failing(
        self, owner: str, event_type: str, failures: int, seconds: float, err: BaseException
    ) -> bool:
        """A plugin's listener that keeps failing is switched off (True), with
        one clear line and a record `sigap plugins` shows; the core's own
        listeners never are (they stay, their failures rate-limited in the log)."""
        plugin = owner if owner in self.plugins.info else self.plugins.plugin_of(owner)
        info = self.plugins.info.get(plugin) if plugin is not None else None
        if plugin is None or info is None or info.source == "core":
            return False
        self.plugins.quarantine(plugin, owner, event_type, failures, seconds, err)
        records = list(self.plugins.quarantined)
        self.create_task(
            asyncio.to_thread(self._save_quarantined, records), "save quarantine", owner="hub"
        )
        return True

    def _save_quarantined(self, records: list[Any]) -> None:
        try:
            save_quarantined(self.config_dir, records)
        except OSError as err:  # a report only: a full disk costs the file
            _LOGGER.warning(
                "%s", Text("hub.quarantine_not_saved", error=err).render(self.console_language)
            )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (type, str, bytes, Mapping)):
        return [value]
    return list(value)


def _shown(value: Any) -> str:
    """A plugin's odd answer as a short repr for the failure list."""
    shown = repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."
