"""Plugins that misbehave at run time without raising at load: one that
holds the event loop, one that leaks tasks, one whose listener raises on
every event. The hub notices, names the plugin, bounds what it stores and
switches the failing listener off."""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager

from hub import hookimpl
from hub.testing import EventWaiter


class Slowpoke:
    """A vendor plugin whose listener calls a blocking SDK."""

    name = "slowpoke"

    @hookimpl
    def sigap_lifespan(self, hub):
        @asynccontextmanager
        async def lifespan():
            undo = hub.bus.listen("camera.motion", self.on_motion)
            yield
            undo()

        return lifespan()

    def on_motion(self, event):
        time.sleep(0.8)  # the vendor SDK's blocking call


async def test_a_plugin_that_holds_the_loop_is_named(hub_factory, caplog):
    hub = await hub_factory({}, plugins=[Slowpoke()], start=False)
    hub.loop_watch.threshold = 0.3
    await hub.start()
    with EventWaiter(hub, "hub.loop_blocked") as blocked:
        hub.bus.fire("camera.motion", {"entity_id": "camera.lobi"})
        event = await blocked.wait()
    assert event.data["plugin"] == "slowpoke"
    assert "in on_motion" in event.data["where"]
    assert event.data["seconds"] >= 0.5
    assert hub.loop_watch.max_lag >= 0.5  # the gauge a /metrics endpoint reads
    assert hub.loop_watch.stalls["slowpoke"] == 1
    [line] = [r.getMessage() for r in caplog.records if r.name == "hub.core.watchdog"]
    assert line.startswith("the event loop was held for 0.")
    assert "by plugin slowpoke (test_misbehaving.py:" in line


class Leaky:
    """A plugin that starts a task per event and never ends it."""

    name = "leaky"

    def __init__(self) -> None:
        self.tasks: list[asyncio.Task] = []

    @hookimpl
    def sigap_lifespan(self, hub):
        @asynccontextmanager
        async def lifespan():
            undo = hub.bus.listen("camera.motion", self.on_motion)
            yield
            undo()
            for task in self.tasks:
                task.cancel()

        return lifespan()

    def on_motion(self, event):
        self.tasks.append(asyncio.get_running_loop().create_task(self.wait_forever()))

    async def wait_forever(self):
        await asyncio.Event().wait()


async def test_a_plugin_whose_tasks_keep_growing_is_warned_about(hub_factory, caplog):
    plugin = Leaky()
    hub = await hub_factory({}, plugins=[plugin], start=False)
    hub.loop_watch.task_warning = 100
    await hub.start()
    for _ in range(150):
        hub.bus.fire("camera.motion", {})
    await asyncio.sleep(0)  # the tasks start
    assert hub.loop_watch.count_tasks()["leaky"] == 150
    for _ in range(50):  # not yet twice as many: no second warning
        hub.bus.fire("camera.motion", {})
    await asyncio.sleep(0)
    assert hub.loop_watch.count_tasks()["leaky"] == 200
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert said == ["plugin leaky has 150 tasks running (it had 0); it may be leaking them"]
