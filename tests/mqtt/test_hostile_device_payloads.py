"""What a device (or anyone on the broker) publishes on a siren's or door's
topics cannot break it: deep JSON, a Shelly `params` list, a 29 MB JSON on a
Tasmota RESULT topic are refused cleanly with one escaped log line (size
limit before any parse), and the device keeps working; a device's words
cannot forge a line in the log (issue #9)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import aiomqtt
import pytest

from hub.plugins.mqtt_devices.payloads import MAX_PAYLOAD
from hub.testing import EventWaiter, wait_for_state
from hub.testing.mosquitto import Mosquitto

from .conftest import connection_of, mqtt_config

SITES = [{"id": "dinkes"}]
FORGED = "\n2026-12-01 10:00:00 CRITICAL hub: siren.halaman switched off by admin"


def siren(dialect: str, topic: str, **extra: Any) -> dict[str, Any]:
    return {
        "platform": "mqtt",
        "id": "halaman",
        "site": "dinkes",
        "dialect": dialect,
        "topic": topic,
        "confirm_timeout": 2,
        **extra,
    }


@pytest.fixture
async def panel(mosquitto: Mosquitto) -> AsyncIterator[aiomqtt.Client]:
    """Someone else on the broker: a broken device, a hostile client."""
    async with aiomqtt.Client(mosquitto.host, mosquitto.port, identifier="panel", timeout=30) as c:
        yield c


async def start_hub(hub_factory: Any, broker: Mosquitto, **devices: Any) -> Any:
    config = {"hub": {"id": "uji"}, "sites": SITES, "mqtt": mqtt_config(broker)}
    return await hub_factory({**config, **devices}, plugins=["hub.plugins.mqtt_devices"])


def lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("hub")]


def assert_clean(caplog: pytest.LogCaptureFixture) -> None:
    """No traceback, and every line one line of bounded length."""
    for record in lines(caplog):
        assert not record.exc_info, record.getMessage()
        text = record.getMessage()
        assert "\n" not in text and "\r" not in text, text
        assert len(text) < 600, text[:200]


async def test_deep_json_on_a_tasmota_result_is_refused_in_one_line(
    hub_factory: Any, mosquitto: Mosquitto, panel: aiomqtt.Client, caplog: Any
) -> None:
    hub = await start_hub(hub_factory, mosquitto, siren=[siren("tasmota", "sirene_t")])
    caplog.clear()
    await panel.publish("stat/sirene_t/RESULT", "[" * 50_000, qos=1)
    await panel.publish("stat/sirene_t/RESULT", '{"POWER": "OFF"}', qos=1)  # still heard
    await wait_for_state(hub, "siren.halaman", "off")
    assert_clean(caplog)
    (refused,) = [r for r in lines(caplog) if "stat/sirene_t/RESULT" in r.getMessage()]
    assert "siren.halaman (dinkes)" in refused.getMessage()
    assert refused.levelno == logging.WARNING


async def test_a_shelly_params_list_is_refused_in_one_line(
    hub_factory: Any, mosquitto: Mosquitto, panel: aiomqtt.Client, caplog: Any
) -> None:
    hub = await start_hub(hub_factory, mosquitto, siren=[siren("shelly", "shelly-s")])
    caplog.clear()
    for params in ([1, 2], "switch:0", {"switch:0": [True]}, {"switch:0": None}):
        notify = {"src": "shelly-s", "method": "NotifyStatus", "params": params}
        await panel.publish("shelly-s/events/rpc", json.dumps(notify), qos=1)
    await panel.publish("shelly-s/status/switch:0", '{"id": 0, "output": false}', qos=1)
    await wait_for_state(hub, "siren.halaman", "off")
    assert_clean(caplog)


async def test_a_29_mb_result_is_refused_by_size_without_a_stall(
    hub_factory: Any, mosquitto: Mosquitto, panel: aiomqtt.Client, caplog: Any
) -> None:
    hub = await start_hub(hub_factory, mosquitto, siren=[siren("tasmota", "sirene_t")])
    await panel.publish("stat/sirene_t/POWER", "OFF", qos=1)
    await wait_for_state(hub, "siren.halaman", "off")
    caplog.clear()
    # 29 MB of small values: json.loads alone takes about 1 s of the loop here
    huge = b'{"POWER": "ON", "Filler": [' + b"0," * 14_500_000 + b"0]}"
    assert len(huge) > 29_000_000 > MAX_PAYLOAD
    stalls: list[float] = []

    async def watch_the_loop() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            stalls.append(now - last)
            last = now

    # a marker behind it on the hub's own connection: when it is read, so was the big one
    marked = asyncio.Event()
    unsubscribe = await connection_of(hub).subscribe(
        "stat/sirene_t/RESULT", lambda m: m.payload == b"MARK" and marked.set(), 1
    )
    watcher = asyncio.get_running_loop().create_task(watch_the_loop())
    try:
        with EventWaiter(hub, "state_changed") as changes:
            await panel.publish("stat/sirene_t/RESULT", huge, qos=1)
            await panel.publish("stat/sirene_t/RESULT", "MARK", qos=1)
            async with asyncio.timeout(30):
                await marked.wait()
    finally:
        watcher.cancel()
        unsubscribe()
    assert hub.states.get("siren.halaman").state == "off"  # the big "ON" was not believed
    assert changes.events == []
    assert_clean(caplog)
    (refused,) = [r for r in lines(caplog) if "stat/sirene_t/RESULT" in r.getMessage()]
    assert str(MAX_PAYLOAD) in refused.getMessage() or "KiB" in refused.getMessage()
    # parsing it held the loop 2.7 s; refusing it by its size costs nothing
    print(f"\n29 MB RESULT refused; longest event-loop stall {max(stalls):.3f} s")
    assert max(stalls) < 0.5, f"the event loop stalled {max(stalls):.2f} s"


async def test_a_shellys_words_cannot_forge_a_log_line(
    hub_factory: Any, mosquitto: Mosquitto, panel: aiomqtt.Client, caplog: Any
) -> None:
    # the panel plays the Shelly: it refuses the command with a crafted message
    await panel.subscribe("shelly-s/rpc", qos=1)
    hub = await start_hub(hub_factory, mosquitto, siren=[siren("shelly", "shelly-s")])
    caplog.clear()

    async def refuse() -> None:
        async for message in panel.messages:
            request = json.loads(message.payload)
            if request["method"] == "Switch.Set":
                error = {"code": -103, "message": FORGED + "x" * 5000}
                answer = {"id": request["id"], "src": "shelly-s", "error": error}
                await panel.publish(f"{request['src']}/rpc", json.dumps(answer), qos=1)
                return

    device = asyncio.get_running_loop().create_task(refuse())
    with EventWaiter(hub, "siren.unconfirmed") as unconfirmed:
        await hub.services.call("siren", "turn_on", {"entity_id": "siren.halaman", "duration": 5})
        event = await unconfirmed.wait(timeout=5)
    await device
    assert "\n" not in event.data["refused"] and len(event.data["refused"]) < 600
    assert_clean(caplog)
    assert any("\\n2026-12-01" in r.getMessage() for r in lines(caplog))  # escaped, kept


async def test_a_door_contact_flood_of_junk_is_refused_quietly(
    hub_factory: Any, mosquitto: Mosquitto, panel: aiomqtt.Client, caplog: Any
) -> None:
    door = {
        "platform": "mqtt",
        "id": "ruang_server",
        "site": "dinkes",
        "dialect": "esphome",
        "topic": "pintu-server",
    }
    hub = await start_hub(hub_factory, mosquitto, door=[door])
    caplog.clear()
    junk = "ON" + " " * (MAX_PAYLOAD + 10)  # "ON" once stripped: but far over the limit
    for _ in range(50):
        await panel.publish("pintu-server/binary_sensor/door_contact/state", junk, qos=1)
    await panel.publish("pintu-server/binary_sensor/door_contact/state", "OFF", qos=1)
    await panel.publish("pintu-server/switch/lock_relay/state", "OFF", qos=1)
    state = await wait_for_state(hub, "door.ruang_server", "locked")
    assert state.attributes["contact_open"] is False
    assert_clean(caplog)
    refused = [r for r in lines(caplog) if "door_contact" in r.getMessage()]
    assert len(refused) == 1  # fifty alike: one line now, the count when the minute is over
