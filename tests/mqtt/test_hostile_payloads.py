"""A huge MQTT payload on a templated trigger never holds the hub: the
trigger refuses what is over its `max_payload` with a warning, and a siren
command sent meanwhile is confirmed as fast as ever (real broker, the
simulated Tasmota siren)."""

from __future__ import annotations

import asyncio
import logging
import textwrap
import time
from pathlib import Path
from typing import Any

from paho.mqtt import publish as paho_publish

from hub.plugins.mqtt_devices import simulator as sim
from hub.testing import EventWaiter, wait_for_state
from hub.testing.mosquitto import Mosquitto

BIG = 10 * 1024 * 1024

AUTOMATIONS = """\
- id: laporan_gedung
  mode: queued
  max: 100
  triggers:
    - trigger: mqtt
      topic: gedung/dinkes/laporan
  actions:
    - event: laporan_diterima
      event_data:
        isi: "{{ trigger.payload }}"
"""


def write_config(folder: Path, broker: Mosquitto, automations: str, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "configuration.yaml").write_text(
        textwrap.dedent(
            f"""\
            hub: {{name: Uji, id: uji}}
            sites: [{{id: dinkes, areas: [halaman]}}]
            mqtt: {{host: {broker.host}, port: {broker.port}}}
            siren:
              - platform: mqtt
                id: halaman
                site: dinkes
                area: halaman
                dialect: tasmota
                topic: sirene_t
                confirm_timeout: 2
                max_on_time: 60
            automation: !include automations.yaml
            """
        )
        + extra
    )
    (folder / "automations.yaml").write_text(automations)
    return folder


def big_json_list(size: int) -> bytes:
    """A JSON list of about `size` bytes: text a template turns back into a value."""
    item = b"123456789, "
    return b"[" + item * (size // len(item)) + b"0]"


async def command(hub: Any, state: str) -> float:
    """Switch the siren and wait until the device confirms; seconds it took."""
    started = time.monotonic()
    service = "turn_on" if state == "on" else "turn_off"
    data = {"entity_id": "siren.halaman", **({"duration": 30} if state == "on" else {})}
    await hub.services.call("siren", service, data)
    await wait_for_state(hub, "siren.halaman", state, timeout=30)
    return time.monotonic() - started


async def test_a_siren_command_completes_within_1_s_while_a_10_mb_payload_arrives(
    hub_factory: Any, mosquitto: Mosquitto, tmp_path: Path, caplog: Any
) -> None:
    folder = write_config(tmp_path / "config", mosquitto, AUTOMATIONS)
    async with sim.TasmotaSiren(mosquitto.host, mosquitto.port, "sirene_t"):
        hub = await hub_factory(config_dir=folder, plugins=["hub.plugins.mqtt_devices"])
        await wait_for_state(hub, "siren.halaman", lambda s: s.state != "unavailable")
        assert await command(hub, "on") < 1.0  # healthy before anything arrives
        caplog.set_level(logging.WARNING)
        took: list[float] = []
        stop = asyncio.Event()

        async def keep_switching() -> None:
            # back to back: together the commands cover all the time the hub
            # spends on the big payload
            state = "off"
            while not stop.is_set():
                took.append(await command(hub, state))
                state = "on" if state == "off" else "off"

        with EventWaiter(hub, "laporan_diterima", lambda e: e.data["isi"] == "penanda") as marker:
            switching = asyncio.ensure_future(keep_switching())
            # another device, in its own thread: the big one, then a small one on
            # the same topic (in order): once the small one is through, the hub
            # has dealt with the big one
            await asyncio.to_thread(
                paho_publish.multiple,
                [
                    {"topic": "gedung/dinkes/laporan", "payload": big_json_list(BIG), "qos": 1},
                    {"topic": "gedung/dinkes/laporan", "payload": "penanda", "qos": 1},
                ],
                hostname=mosquitto.host,
                port=mosquitto.port,
            )
            await marker.wait(timeout=60)
            stop.set()  # the command under way finishes and counts
            await asyncio.wait_for(switching, timeout=60)
        assert max(took) < 1.0, f"siren commands took {[round(t, 2) for t in took]} s"
    # the admin is told which trigger refused what, and why
    refused = [r.getMessage() for r in caplog.records if "gedung/dinkes/laporan" in r.getMessage()]
    assert refused and "10485" in refused[0] and "max_payload" in refused[0], refused


async def test_a_value_template_failing_on_a_payload_is_one_warning_not_a_traceback(
    hub_factory: Any, mosquitto: Mosquitto, tmp_path: Path, caplog: Any
) -> None:
    automations = """\
- id: pintu_terbuka
  mode: queued
  triggers:
    - trigger: mqtt
      topic: pintu/+/kontak
      payload: "open"
      value_template: "{{ value_json.state * (value_json.n | default(1) | int) }}"
  actions:
    - event: pintu_terbuka
      event_data: {topic: "{{ trigger.topic }}"}
"""
    folder = write_config(tmp_path / "config", mosquitto, automations)
    hub = await hub_factory(config_dir=folder, plugins=["hub.plugins.mqtt_devices"])
    caplog.set_level(logging.WARNING)
    with EventWaiter(hub, "pintu_terbuka") as opened:
        messages = [
            {"topic": "pintu/arsip/kontak", "payload": '{"state": "x", "n": 100000000}'},
            {"topic": "pintu/arsip/kontak", "payload": '{"state": "x", "n": 100000000}'},
            {"topic": "pintu/lobi/kontak", "payload": '{"state": "open"}'},
        ]
        await asyncio.to_thread(
            paho_publish.multiple, messages, hostname=mosquitto.host, port=mosquitto.port
        )
        event = await opened.wait(timeout=10)
    assert event.data["topic"] == "pintu/lobi/kontak"  # the next message still works
    hubs = [r for r in caplog.records if r.name.startswith("hub")]  # not the sender's paho
    tracebacks = [r for r in hubs if r.exc_info or r.levelno >= logging.ERROR]
    assert not tracebacks, tracebacks[0].getMessage()
    failed = [r.getMessage() for r in caplog.records if "value_template" in r.getMessage()]
    assert len(failed) == 1, failed  # one line for the two (rate-limited)
    assert "pintu/+/kontak" in failed[0] and "would make 100000000 characters" in failed[0]
