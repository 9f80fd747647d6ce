"""The hub's stages: load, start (lifespans, then devices, then
hub.started), stop (hub.stopping, devices, lifespans in reverse, tasks),
and faults in each stage contained and recorded against the plugin."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any

import pytest

from hub import EVENT_HUB_STARTED, EVENT_HUB_STOPPING, ConfigErrors, Event, Siren, hookimpl
from hub.core.hub import Hub


class Journal:
    """A plugin whose lifespan writes what happens, in order."""

    def __init__(
        self, name: str, log: list[str], *, setup_fails: bool = False, cleanup_fails: bool = False
    ) -> None:
        self.name = name
        self.log = log
        self.setup_fails = setup_fails
        self.cleanup_fails = cleanup_fails

    @hookimpl
    def sigap_lifespan(self, hub: Hub) -> Any:
        @asynccontextmanager
        async def lifespan():
            self.log.append(f"{self.name} setup")
            if self.setup_fails:
                raise RuntimeError(f"{self.name} cannot connect")
            yield
            self.log.append(f"{self.name} cleanup")
            if self.cleanup_fails:
                raise RuntimeError(f"{self.name} cleanup broke")

        return lifespan()


class JournalSiren(Siren):
    platform = "journal"
    journal: list[str] = []

    async def start(self) -> None:
        self.journal.append(f"start {self.entity_id}")
        self.set_state("off")

    async def stop(self) -> None:
        self.journal.append(f"stop {self.entity_id}")


class SirenPlugin:
    name = "journal_sirens"

    @hookimpl
    def sigap_siren_platforms(self, hub: Hub) -> Any:
        return [JournalSiren]


CONFIG = {
    "sites": [{"id": "dinkes", "name": "Dinas Kesehatan", "areas": ["halaman"]}],
    "siren": [{"platform": "journal", "id": "halaman", "site": "dinkes", "area": "halaman"}],
}


@pytest.fixture
def log() -> list[str]:
    JournalSiren.journal = []
    return JournalSiren.journal


async def test_start_and_stop_run_in_stages(hub_factory, log: list[str]) -> None:
    hub = await hub_factory(
        config=CONFIG,
        plugins=[Journal("first", log), Journal("second", log), SirenPlugin()],
        start=False,
    )
    hub.bus.listen(EVENT_HUB_STARTED, lambda e: log.append("hub.started"))
    hub.bus.listen(EVENT_HUB_STOPPING, lambda e: log.append("hub.stopping"))
    assert hub.stage == "created"

    await hub.start()
    assert hub.stage == "running"
    assert log == ["first setup", "second setup", "start siren.halaman", "hub.started"]

    log.clear()
    await hub.stop()
    assert hub.stage == "stopped"
    assert log == ["hub.stopping", "stop siren.halaman", "second cleanup", "first cleanup"]


async def test_stop_twice_and_stop_without_start(hub_factory, log: list[str]) -> None:
    hub = await hub_factory(config={}, plugins=[Journal("only", log)])
    await hub.stop()
    await hub.stop()
    assert log.count("only cleanup") == 1
    never_started = await hub_factory(config={}, start=False)
    await never_started.stop()
    assert never_started.stage == "stopped"


async def test_async_with(log: list[str], tmp_path) -> None:
    async with Hub(tmp_path, plugins=[Journal("ctx", log)], autoload=False, config={}) as hub:
        assert hub.stage == "running"
    assert hub.stage == "stopped"
    assert log == ["ctx setup", "ctx cleanup"]


async def test_an_invalid_configuration_stops_start(hub_factory) -> None:
    hub = await hub_factory(config={"hub": {"nmae": "typo"}}, start=False)
    with pytest.raises(ConfigErrors) as info:
        await hub.start()
    assert "nmae" in str(info.value)
    assert hub.stage != "running"


async def test_a_failed_setup_is_not_cleaned_up_and_the_rest_starts(
    hub_factory, log: list[str]
) -> None:
    hub = await hub_factory(
        expect_failures=True,
        config=CONFIG,
        plugins=[Journal("broken", log, setup_fails=True), Journal("fine", log), SirenPlugin()],
    )
    assert hub.stage == "running"
    assert [(f.plugin, f.stage) for f in hub.plugins.failures] == [("broken", "setup")]
    assert "start siren.halaman" in log
    await hub.stop()
    assert "fine cleanup" in log
    assert "broken cleanup" not in log


async def test_a_cleanup_that_raises_is_contained_and_the_hub_still_stops(
    hub_factory, log: list[str]
) -> None:
    hub = await hub_factory(
        expect_failures=True,
        config=CONFIG,
        plugins=[Journal("first", log), Journal("messy", log, cleanup_fails=True), SirenPlugin()],
    )
    task = hub.create_task(asyncio.sleep(3600), "long wait")
    await hub.stop()
    assert hub.stage == "stopped"
    assert task.cancelled()
    assert log[-2:] == ["messy cleanup", "first cleanup"]
    assert [(f.plugin, f.stage) for f in hub.plugins.failures] == [("messy", "cleanup")]
    assert "messy cleanup broke" in hub.plugins.failures[0].error


async def test_background_tasks_are_cancelled_at_stop_and_their_faults_recorded(
    hub_factory,
) -> None:
    hub = await hub_factory(expect_failures=True, config={}, plugins=[SirenPlugin()])
    waiting = hub.create_task(asyncio.sleep(3600), "waits forever")

    async def broken() -> None:
        raise ValueError("lost the stream")

    failing = hub.create_task(broken(), "stream reader", owner="journal_sirens")
    await asyncio.wait([failing])
    await asyncio.sleep(0)  # the done callback runs on the next loop turn
    assert [(f.plugin, f.stage) for f in hub.plugins.failures] == [
        ("journal_sirens", "task stream reader")
    ]
    await hub.stop()
    assert waiting.cancelled()


async def test_a_listener_naming_its_plugin_as_owner_is_recorded_against_it(
    hub_factory,
) -> None:
    hub = await hub_factory(expect_failures=True, config={}, plugins=[SirenPlugin()])

    def broken(event: Event) -> None:
        raise RuntimeError("boom")

    hub.bus.listen("camera.motion", broken, owner="journal_sirens")
    hub.bus.fire("camera.motion")
    assert [(f.plugin, f.stage) for f in hub.plugins.failures] == [("journal_sirens", "event")]


async def test_the_hub_reads_its_settings(hub_factory) -> None:
    hub = await hub_factory(
        config={"hub": {"name": "Pusat Komando", "language": "en", "time_zone": "Asia/Jakarta"}},
        start=False,
    )
    assert hub.load() == []
    assert (hub.name, hub.language, hub.time_zone.key) == ("Pusat Komando", "en", "Asia/Jakarta")
    default = await hub_factory(config={}, start=False)
    default.load()
    assert (default.language, default.time_zone.key) == ("id", "Asia/Makassar")


class OtherJournalSiren(JournalSiren):
    pass


class SamePlatformPlugin:
    name = "copycat"

    @hookimpl
    def sigap_siren_platforms(self, hub: Hub) -> Any:
        return [OtherJournalSiren]


async def test_the_first_loaded_plugin_keeps_a_platform_name(hub_factory) -> None:
    hub = await hub_factory(
        expect_failures=True, config={}, plugins=[SirenPlugin(), SamePlatformPlugin()], start=False
    )
    hub.load()
    assert hub.platforms["siren"]["journal"] is JournalSiren
    (failure,) = hub.plugins.failures
    assert failure.plugin == "copycat"
    assert "siren platform 'journal' is already provided" in failure.error


async def test_a_hub_starts_only_once(hub_factory, log: list[str]) -> None:
    hub = await hub_factory(config={}, plugins=[Journal("once", log)])
    with pytest.raises(RuntimeError, match="cannot start: it is running"):
        await hub.start()
    await hub.stop()
    with pytest.raises(RuntimeError, match="cannot start: it is stopped"):
        await hub.start()
    assert log == ["once setup", "once cleanup"]
    assert hub.plugins.failures == []
