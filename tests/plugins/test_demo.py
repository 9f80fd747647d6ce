"""The demo plugin on the hub's clock (a FakeClock moves its simulation and
its timers, nothing waits) and its log lines in the console's language:
a plugin logs a Text and the hub's log filter renders it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from hub.testing import FakeClock, wait_for_state

SITES = [{"id": "dinkes", "areas": ["lobi"]}]


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def lines() -> Iterator[Lines]:
    # on the root logger before the hub is built: hub_factory gives every
    # root handler the filter `sigap` installs (the console's language)
    handler = Lines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("id", "siren.halaman (dinkes): SIRENE BERBUNYI selama 30 detik"),
        ("en", "siren.halaman (dinkes): SIREN ON for 30 s"),
    ],
)
async def test_a_plugin_log_line_in_the_console_language(
    hub_factory, lines, monkeypatch, lang, expected
):
    monkeypatch.setenv("SIGAP_LANG", lang)
    siren = {"platform": "demo", "id": "halaman", "site": "dinkes"}
    hub = await hub_factory({"sites": SITES, "siren": [siren]}, plugins=["hub.plugins.demo"])
    await hub.services.call("siren", "turn_on", {"entity_id": "siren.halaman", "duration": 30})
    assert expected in lines.lines


async def test_the_demo_runs_on_the_hub_clock(hub_factory):
    clock = FakeClock()
    camera = {
        "platform": "demo",
        "id": "lobi",
        "site": "dinkes",
        "area": "lobi",
        "first_event_after": 3,
        "events": ["offline"],
        "offline_for": 8,
        "mean_interval": 1000,
        "seed": 1,
    }
    siren = {"platform": "demo", "id": "halaman", "site": "dinkes"}
    hub = await hub_factory(
        {"sites": SITES, "camera": [camera], "siren": [siren]},
        plugins=["hub.plugins.demo"],
        clock=clock,
    )
    await hub.services.call("siren", "turn_on", {"entity_id": "siren.halaman", "duration": 5})
    await clock.advance(2.9)
    assert hub.states.get("camera.lobi").state == "idle"
    assert hub.states.get("siren.halaman").state == "on"
    await clock.advance(0.2)  # the first happening: a spell offline, for 8 s
    assert hub.states.get("camera.lobi").state == "unavailable"
    await clock.advance(2)
    assert hub.states.get("siren.halaman").state == "off"  # its 5 s, on the clock
    await clock.advance(5.8)
    assert hub.states.get("camera.lobi").state == "unavailable"
    await clock.advance(0.3)
    await wait_for_state(hub, "camera.lobi", "idle", 1)
