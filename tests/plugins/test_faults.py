"""A plugin that raises at import, in a hook, in its lifespan setup, in a
device's start or in an event handler is contained: recorded as failed
under its name, shown as FAILED, and the rest of the hub keeps working."""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from hub.cli import plugin_table
from hub.testing import EventWaiter, wait_for_state

from ..sigap_process import sigap_run

REPO = Path(__file__).resolve().parents[2]

FAULTY = ("faulty_import", "faulty_hook", "faulty_setup", "faulty_device", "faulty_event")

CONFIG = {
    "sites": [{"id": "dinkes", "name": "Dinas Kesehatan", "areas": ["lobi", "halaman"]}],
    "camera": [
        {
            "platform": "demo",
            "id": "dinkes_lobi",
            "site": "dinkes",
            "area": "lobi",
            "simulate": False,
        }
    ],
    "siren": [
        {"platform": "demo", "id": "dinkes_halaman", "site": "dinkes", "area": "halaman"},
        {"platform": "faulty_siren", "id": "dinkes_lobi", "site": "dinkes", "area": "lobi"},
    ],
}


@pytest.fixture
def faulty(install_plugin) -> None:
    install_plugin("sigap_plugin_faulty")


def stages(hub, plugin: str) -> list[str]:
    return [f.stage for f in hub.plugins.failed(plugin)]


async def test_every_kind_of_fault_is_contained(
    faulty, hub_factory, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        hub = await hub_factory(
            config=CONFIG, plugins=["hub.plugins.demo"], autoload=True, expect_failures=True
        )
    assert hub.stage == "running"

    # each failure is recorded against the plugin's own name, at its stage
    assert stages(hub, "faulty_import") == ["load"]
    assert stages(hub, "faulty_hook") == ["hook sigap_siren_platforms"]
    assert stages(hub, "faulty_setup") == ["setup"]
    assert stages(hub, "faulty_device") == ["device siren.dinkes_lobi"]
    assert "vendor SDK is not installed" in hub.plugins.failed("faulty_import")[0].error
    assert "vendor cloud unreachable" in hub.plugins.failed("faulty_setup")[0].error
    assert "relay board not found" in hub.plugins.failed("faulty_device")[0].error
    for name in ("faulty_import", "faulty_hook", "faulty_setup", "faulty_device"):
        assert f"plugin {name} failed" in caplog.text

    # a lifespan whose setup failed is never cleaned up
    from sigap_plugin_faulty import in_setup

    assert in_setup.CLEANED_UP == []

    # the device that failed to start is unavailable, the rest of the hub runs
    assert hub.states.get("siren.dinkes_lobi").state == "unavailable"
    assert hub.states.get("siren.dinkes_halaman").state == "off"
    assert hub.plugins.failed("demo") == []

    # an event handler that raises: the event still reaches everyone else
    with EventWaiter(hub, "camera.motion") as motion:
        hub.devices.get("camera.dinkes_lobi").detect("motion")
        event = await motion.wait()
    assert event.data["entity_id"] == "camera.dinkes_lobi"
    assert stages(hub, "faulty_event") == ["event"]
    assert "no such camera" in hub.plugins.failed("faulty_event")[0].error
    assert hub.states.get("camera.dinkes_lobi").state == "motion"

    # services keep working
    await hub.services.call("siren", "turn_on", {"entity_id": "siren.dinkes_halaman"})
    await wait_for_state(hub, "siren.dinkes_halaman", "on")

    # the report shows every faulty plugin as FAILED and the demo as ok
    rows = {line.split()[0]: line.split()[1] for line in plugin_table(hub)}
    assert {name: rows[name] for name in FAULTY} == dict.fromkeys(FAULTY, "FAILED")
    assert rows["demo"] == "ok"
    assert rows["entities"] == "ok"


async def test_a_failing_event_handler_is_counted_each_time(faulty, hub_factory) -> None:
    hub = await hub_factory(
        config=CONFIG, plugins=["hub.plugins.demo"], autoload=True, expect_failures=True
    )
    for _ in range(3):
        hub.bus.fire("camera.motion", {"entity_id": "camera.dinkes_lobi"})
    # one record, counted: a listener failing on every event cannot grow the list
    assert [(f.stage, f.count) for f in hub.plugins.failed("faulty_event")] == [("event", 3)]


async def test_blocking_the_faulty_plugins_leaves_a_clean_hub(faulty, hub_factory) -> None:
    config = {**CONFIG, "siren": CONFIG["siren"][:1]}
    hub = await hub_factory(
        config=config, plugins=["hub.plugins.demo"], autoload=True, block=FAULTY
    )
    assert hub.plugins.failures == []
    assert not any(name in hub.plugins.info for name in FAULTY)


def test_sigap_plugins_shows_load_time_failures(install_plugin, tmp_path: Path) -> None:
    install_plugin("sigap_plugin_faulty")
    config = tmp_path / "config"
    config.mkdir()
    (config / "configuration.yaml").write_text("hub:\n  name: Uji\n", encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "-m", "hub", "plugins", "-c", str(config)],
        env=install_plugin.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    rows = {
        line.split()[0]: line.split()[1]
        for line in result.stdout.splitlines()[1:]
        if line.startswith("  ") and len(line.split()) > 1
    }
    assert rows["faulty_import"] == "FAILED"
    assert rows["faulty_hook"] == "FAILED"
    assert rows["demo"] == "ok"
    assert rows["faulty_device"] == "ok"  # it fails only when its devices start
    assert (
        "faulty_import: failed in load: ImportError: faulty_import: the vendor SDK" in result.stdout
    )
    assert "faulty_hook: failed in hook sigap_siren_platforms" in result.stdout


async def test_sigap_run_shows_every_fault_and_the_demo_keeps_working(
    install_plugin, tmp_path: Path
) -> None:
    """The admin's view: `sigap run` with all the broken plugins installed
    lists each one as FAILED at start, logs the event handler's fault with
    its name, and the demo automation still sounds the siren."""
    install_plugin("sigap_plugin_faulty")
    config = tmp_path / "config"
    shutil.copytree(REPO / "config", config)
    with (config / "devices" / "sirens.yaml").open("a", encoding="utf-8") as sirens:
        sirens.write("- platform: faulty_siren\n  id: dinkes_lobi\n  site: dinkes\n  area: lobi\n")

    async with sigap_run(config, env=install_plugin.env()) as hub:
        await hub.until(r"started: \d+ devices")
        for name in ("faulty_import", "faulty_hook", "faulty_setup", "faulty_device"):
            assert re.search(rf"plugin {name} failed in ", hub.output), name
        table = {}
        while len(table) < len(FAULTY):
            line = await hub.until(r"WARNING hub:\s+\S+\s+(ok|FAILED)\b")
            name, status = line.split("hub:", 1)[1].split()[:2]
            if name.startswith("faulty_"):
                table[name] = status
        await hub.until(r"camera\.dinkes_lobi \(dinkes/lobi\): motion")
        await hub.until(r"plugin faulty_event failed in event: KeyError")
        await hub.until(r"siren\.dinkes_halaman \(dinkes\): SIREN ON")
        assert await hub.interrupt() == 0, hub.output
    # faulty_event fails only when an event comes, after the start-up table
    assert table == {**dict.fromkeys(FAULTY, "FAILED"), "faulty_event": "ok"}


async def test_a_listener_that_keeps_failing_is_switched_off_with_one_line(
    faulty, hub_factory, caplog: pytest.LogCaptureFixture
) -> None:
    hub = await hub_factory(
        config=CONFIG, plugins=["hub.plugins.demo"], autoload=True, expect_failures=True
    )
    calls = []
    hub.bus.listen("camera.motion", lambda event: calls.append(event))
    caplog.clear()
    started = time.monotonic()
    for _ in range(200):  # 200 events a second, each one failing
        hub.bus.fire("camera.motion", {"entity_id": "camera.dinkes_lobi"})
    assert time.monotonic() - started < 10
    assert len(calls) == 200  # every other listener got every event
    # switched off after 20 failures: one record (counted), one quarantine
    [failure] = hub.plugins.failed("faulty_event")
    assert failure.count == 20
    [switched_off] = hub.plugins.quarantined
    assert (switched_off.plugin, switched_off.event_type) == ("faulty_event", "camera.motion")
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 2, lines  # the first failure (with its traceback), the quarantine
    assert lines[1] == (
        "plugin faulty_event: its listener sigap_plugin_faulty.in_event.on_motion for"
        " camera.motion failed 20 times in 10 s and is switched off until the hub restarts"
        """ (last error: KeyError: "faulty_event: no such camera in the vendor's table")"""
    )


async def test_failures_kept_are_bounded(hub_factory) -> None:
    from hub.core.plugins import MAX_FAILURES

    hub = await hub_factory({}, expect_failures=True)
    for n in range(1000):  # a plugin task failing with a new message every time
        hub.plugins.record_failure("noisy", f"task poll-{n}", RuntimeError(f"reading {n} lost"))
    assert len(hub.plugins.failures) == MAX_FAILURES
    assert hub.plugins.dropped_failures == 1000 - MAX_FAILURES
    assert hub.plugins.failures[-1].stage == "task poll-999"  # the newest are kept


async def test_sigap_plugins_shows_the_listener_the_running_hub_switched_off(
    faulty, install_plugin, hub_factory, tmp_path: Path
) -> None:
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "configuration.yaml").write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    hub = await hub_factory(
        config_dir=folder, plugins=["hub.plugins.demo"], autoload=True, expect_failures=True
    )
    for _ in range(20):
        hub.bus.fire("camera.motion", {"entity_id": "camera.dinkes_lobi"})
    [saving] = [t for t in asyncio.all_tasks() if t.get_name() == "save quarantine"]
    await saving

    def sigap_plugins(lang: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hub", "plugins", "-c", str(folder)],
            env=install_plugin.env(SIGAP_LANG=lang),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    result = await asyncio.to_thread(sigap_plugins, "en")
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"^  faulty_event +QUARANTINED ", result.stdout, re.MULTILINE)
    assert "Listeners the running hub switched off (they kept failing):" in result.stdout
    assert re.search(
        r"plugin faulty_event: its listener sigap_plugin_faulty\.in_event\.on_motion for"
        r" camera\.motion failed 20 times in 10 s .* \(since \d+ \w+ \d{4} [\d:]+ WITA\)",
        result.stdout,
    ), result.stdout
    indonesian = await asyncio.to_thread(sigap_plugins, "id")
    assert "DIKARANTINA" in indonesian.stdout
    assert "gagal 20 kali dalam 10 detik dan dimatikan" in indonesian.stdout

    await hub.stop()  # the next run starts with every listener on
    result = await asyncio.to_thread(sigap_plugins, "en")
    assert "QUARANTINED" not in result.stdout
