"""The automation engine of one hub: loads the validated automations,
attaches them, reloads them, and checks what they refer to."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..clock import clock_of
from ..config import ConfigError, ConfigErrors, load_config_dir, suggest
from ..config.errors import display_path
from ..i18n import Text, console_language, message, render, t
from ..keys import HubKey
from ..recorder.recorder import error_line
from ..recorder.traces import trace_row
from .actions import ActionCompiler
from .conditions import ConditionCompiler
from .runner import Automation, slugify
from .schema import check_automations
from .templates import template_env, template_sources
from .trace import STORED_TRACES, TraceStore
from .trace_files import mark_imported, read_trace_files, trace_folder
from .triggers import attach_triggers

if TYPE_CHECKING:
    from ..hub import Hub


_LOGGER = logging.getLogger("hub.automation")

# How often, at most, an automation's entity shows a new last_triggered:
# writing it on every run would double the events of a busy automation.
STATE_WRITE_INTERVAL = 0.5
# How often the traces that changed are handed to the recorder (not on every
# run: a busy automation must not cost a row per event).
SAVE_INTERVAL = 2.0


class AutomationEngine:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.clock = clock_of(hub)
        self.templates = template_env(hub)
        self.conditions = ConditionCompiler(hub, self.templates)
        self.actions = ActionCompiler(
            hub, self.templates, self.conditions, self.clock, self.attach_triggers
        )
        self.traces = TraceStore()
        self.automations: dict[str, Automation] = {}
        self._dirty: set[Automation] = set()
        self._flush: asyncio.TimerHandle | None = None
        self._save_timer: asyncio.TimerHandle | None = None
        self._saving: asyncio.Future[None] | None = None
        self.trace_folder = trace_folder(hub.config_dir)

    async def attach_triggers(
        self,
        configs: Sequence[Mapping[str, Any]],
        on_trigger: Any,
        *,
        name: str,
        variables: Any = None,
    ) -> Any:
        return await attach_triggers(self.hub, configs, on_trigger, name=name, variables=variables)

    # -- loading ----------------------------------------------------------------------

    def build(self, configs: Iterable[Mapping[str, Any]]) -> dict[str, Automation]:
        """Compile validated automations; one that fails to compile is logged
        and left out."""
        built: dict[str, Automation] = {}
        for index, config in enumerate(configs):
            try:
                automation = Automation(self, config, index)
            except Exception as err:
                where = f"{getattr(config, 'file', '?')}:{getattr(config, 'line', '?')}"
                said = Text(
                    "automation.not_loaded",
                    name=repr(config.get("alias") or config.get("id")),
                    where=where,
                    error=message(err),
                )
                _LOGGER.error(said)
                continue
            if automation.id in built:
                said = t(
                    "automation.id_twice",
                    self.hub.console_language,
                    id=repr(automation.id),
                    where=automation.where,
                )
                _LOGGER.error("%s", said)
                continue
            built[automation.id] = automation
        return built

    async def start(self, configs: Iterable[Mapping[str, Any]]) -> None:
        self.automations = self.build(configs)
        await self._import_trace_files()
        # before any new run is saved: what the last hub left `running` was cut off
        await self._mark_cut_off()
        await self._attach_all(self.automations.values())
        self._save_timer = asyncio.get_running_loop().call_later(SAVE_INTERVAL, self._save_traces)
        self.warmed = self.hub.create_task(self.templates.warm_up(), "compile automation templates")

    async def _attach_all(self, automations: Iterable[Automation]) -> None:
        automations = list(automations)
        for automation in automations:
            automation.write_state()
        results = await asyncio.gather(*(a.attach() for a in automations), return_exceptions=True)
        for automation, result in zip(automations, results, strict=True):
            if isinstance(result, BaseException):
                _LOGGER.error(
                    "automation %s (%s) could not attach: %s",
                    automation.name,
                    automation.where,
                    render(message(result), console_language(self.hub.language)),
                )

    async def stop(self, final: bool = True) -> None:
        for automation in self.automations.values():
            automation.detach()
        await asyncio.gather(*(a.stop_runs() for a in self.automations.values()))
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        if final:
            if self._save_timer is not None:
                self._save_timer.cancel()
                self._save_timer = None
            if self._saving is not None:
                await asyncio.wait([self._saving])  # a thread cannot be cancelled
            await self._store_traces(self._changed_traces())

    # -- traces in the recorder (for `sigap trace`) -----------------------------------

    def _changed_traces(self) -> list[tuple[str, str, str | None, int, dict[str, Any]]]:
        """(id, alias, entity_id, keep, trace) of each run not yet saved as
        it is now; rendered here, on the loop, where the trace is changed."""
        dirty, self.traces.dirty = self.traces.dirty, set()
        changed = []
        for item_id in dirty:
            automation = self.automations.get(item_id)
            alias = automation.alias if automation else item_id
            entity_id = automation.entity_id if automation else None
            keep = automation.stored_traces if automation else STORED_TRACES
            for trace in self.traces.get(item_id):
                if trace.saved:
                    continue  # a finished run is written once
                trace.saved = not trace.running
                changed.append((item_id, alias, entity_id, keep, trace.as_dict()))
        return changed

    def _save_traces(self) -> None:
        loop = asyncio.get_running_loop()
        self._save_timer = loop.call_later(SAVE_INTERVAL, self._save_traces)
        if self.traces.dirty and (self._saving is None or self._saving.done()):
            self._saving = asyncio.ensure_future(self._store_traces(self._changed_traces()))

    async def _store_traces(self, changed: list[tuple[Any, ...]]) -> None:
        # the JSON of many traces (up to 128 KB each) is made in a worker
        # thread; the recorder's writer commits the rows with its next batch
        if not changed or not self.hub.recorder.running:
            return  # a recorder never started keeps nothing (the service has the runs)
        rows = await asyncio.to_thread(_trace_rows, changed)
        store = self.hub.recorder.traces
        for row, (*_, keep, _trace) in zip(rows, changed, strict=True):
            store.save(row, keep)

    async def _mark_cut_off(self) -> None:
        recorder = self.hub.recorder
        if not recorder.running:
            return
        lang = self.hub.console_language
        try:
            marked = await recorder.traces.mark_cut_off()
        except Exception as err:  # the hub runs on; the next start marks them
            _LOGGER.error("%s", t("trace.cut_off_failed", lang, error=error_line(err)))
            return
        if marked:
            _LOGGER.warning("%s", t("trace.cut_off", lang, count=marked))

    async def _import_trace_files(self) -> None:
        """Once: the trace files an older hub kept in .storage/traces go into
        the recorder, and each is renamed *.imported (kept, not deleted)."""
        recorder = self.hub.recorder
        if not recorder.running:
            return
        documents = await asyncio.to_thread(read_trace_files, self.trace_folder)
        if not documents:
            return
        imported = 0
        for path, document in documents:
            item_id = str(document.get("id") or path.stem)
            automation = self.automations.get(item_id)
            keep = automation.stored_traces if automation else STORED_TRACES
            traces = [t for t in document.get("traces") or () if isinstance(t, dict)]
            changed = [
                (item_id, document.get("alias"), document.get("entity_id"), keep, trace)
                for trace in traces
            ]
            try:
                rows = await asyncio.to_thread(_trace_rows, changed)
                await recorder.traces.save_now(rows, max(keep, len(rows)))
            except Exception as err:  # left as it is: the next start tries again
                lang = self.hub.console_language
                said = t("trace.import_failed", lang, path=path, error=error_line(err))
                _LOGGER.error("%s", said)
                continue
            await asyncio.to_thread(mark_imported, path)
            imported += len(rows)
        said = t(
            "trace.imported",
            self.hub.console_language,
            count=imported,
            files=len(documents),
            folder=self.trace_folder,
        )
        _LOGGER.info("%s", said)

    async def reload(self) -> list[ConfigError]:
        """Re-read the automations. With any mistake nothing changes and the
        mistakes are returned; otherwise the old ones stop and the new ones start."""
        raw, errors = self._read_section()
        configs, more = check_automations(raw, self.hub.trigger_platforms)
        errors = [*errors, *more]
        if errors:
            for error in errors:
                lang = self.hub.console_language
                _LOGGER.error("%s", t("automation.reload_rejected", lang, error=error.render(lang)))
            return errors
        new = self.build(configs)
        await self.stop(final=False)
        for automation in self.automations.values():
            if automation.entity_id not in {a.entity_id for a in new.values()}:
                self.hub.states.remove(automation.entity_id)
        self.automations = new
        await self._attach_all(new.values())
        self.warmed = self.hub.create_task(self.templates.warm_up(), "compile automation templates")
        self.check_references()
        _LOGGER.info("automations reloaded: %d loaded", len(new))
        return []

    def _read_section(self) -> tuple[Any, list[ConfigError]]:
        given = getattr(self.hub, "_given_config", None)
        if given is not None:
            return given.get("automation"), []
        raw, errors = load_config_dir(self.hub.config_dir)
        return (raw or {}).get("automation"), errors

    # -- references ----------------------------------------------------------------------

    def check_references(self) -> list[str]:
        """Warn (not fail, as in Home Assistant) about entities and services
        the automations name that do not exist, with a did-you-mean."""
        known_entities = set(self.hub.states.entity_ids()) | {
            d.entity_id for d in self.hub.devices.all()
        }
        known_entities |= {a.entity_id for a in self.automations.values()}
        known_services = set(self.hub.services.names())
        configs = [a.config for a in self.automations.values()]
        warnings = reference_warnings(configs, known_entities, known_services)
        lang = console_language(self.hub.language)
        for warning in warnings:
            _LOGGER.warning("%s", render(warning, lang))
        return warnings

    # -- the automation entities' state -----------------------------------------------------

    def state_dirty(self, automation: Automation) -> None:
        self._dirty.add(automation)
        if self._flush is None:
            loop = asyncio.get_running_loop()
            self._flush = loop.call_later(STATE_WRITE_INTERVAL, self._write_dirty)

    def _write_dirty(self) -> None:
        self._flush = None
        dirty, self._dirty = self._dirty, set()
        for automation in dirty:
            if self.automations.get(automation.id) is automation:
                automation.write_state()

    def find(self, name: str) -> Automation | None:
        """By id, entity id or alias."""
        for automation in self.automations.values():
            if name in (automation.id, automation.entity_id, automation.alias):
                return automation
        return None


def _trace_rows(changed: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    return [
        trace_row(item_id, alias, entity_id, trace)
        for item_id, alias, entity_id, _, trace in changed
    ]


def reference_warnings(
    configs: Iterable[Mapping[str, Any]],
    known_entities: set[str],
    known_services: set[str],
    service_domains: set[str] | None = None,
) -> list[str]:
    """`file:line: automation 'x': entity 'siren.halamn' does not exist (yet)
    (did you mean 'siren.halaman'?)` for each unknown reference. With
    `service_domains`, only services of those domains are checked (before
    the hub starts, other domains' services are not registered yet)."""
    warnings = []
    for index, config in enumerate(configs):
        name = repr(str(config.get("alias") or config.get("id") or f"automation_{index}"))

        def located(node: Any, message: str, config: Any = config, name: str = name) -> str:
            file = getattr(node, "file", None) or getattr(config, "file", None)
            line = getattr(node, "line", None) or getattr(config, "line", None)
            where = f"{display_path(file) if file else '?'}:{line}"
            return Text("automation.reference", where=where, name=name, message=message)

        for node, entity_id in _entity_refs(config):
            if entity_id not in known_entities:
                hint = suggest(entity_id, known_entities)
                message = Text("automation.no_entity", value=repr(entity_id), hint=hint)
                warnings.append(located(node, message))
        for node, service in _service_refs(config):
            if service_domains is not None and service.partition(".")[0] not in service_domains:
                continue
            if service not in known_services:
                hint = suggest(service, known_services)
                message = Text("automation.no_service", value=repr(service), hint=hint)
                warnings.append(located(node, message))
    return warnings


def configured_reference_warnings(hub: Hub) -> list[str]:
    """The reference warnings for a loaded, not started hub (`sigap check-config`):
    entities from the configured devices, services of the core domains."""
    from ..entities import domain_services

    configs = hub.config.get("automation") or []
    entities = {
        f"{domain}.{item['id']}" for domain in hub.platforms for item in hub.config.get(domain, ())
    }
    entities |= {
        "automation." + slugify(str(c.get("alias") or c.get("id") or f"automation_{i}"))
        for i, c in enumerate(configs)
    }
    services = set(domain_services(hub)) | {
        f"automation.{s}" for s in ("reload", "turn_on", "turn_off", "trigger", "trace")
    }
    domains = {name.partition(".")[0] for name in services}
    return reference_warnings(configs, entities, services, domains)


def _walk(node: Any, in_data: bool = False) -> Iterable[tuple[Any, str, Any]]:
    """(container, key, value) for every key outside service `data:` (data is
    data: a notification's `data.actions[].action` is not a service)."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield node, key, value
            if key in ("data", "data_template", "event_data", "variables", "event_data_template"):
                continue
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _entity_refs(config: Any) -> Iterable[tuple[Any, str]]:
    for container, key, value in _walk(config):
        if key == "entity_id":
            values = value if isinstance(value, list) else [value]
            for v in values:
                if isinstance(v, str) and "{" not in v and "." in v:
                    yield (v if getattr(v, "line", None) else container), v


def _service_refs(config: Any) -> Iterable[tuple[Any, str]]:
    for container, key, value in _walk(config):
        if key == "service" and isinstance(value, str) and container.get("kind") == "service":
            if not list(template_sources(value)):
                yield (value if getattr(value, "line", None) else container), value


ENGINE: HubKey[AutomationEngine] = HubKey("automation.engine")

__all__ = ["ENGINE", "AutomationEngine", "ConfigErrors"]
