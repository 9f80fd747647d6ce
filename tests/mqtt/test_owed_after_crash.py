"""The hub is SIGKILLed while a door it unlocked for 60 s is open and sirens
it turned on for 60 s are sounding. A real `sigap run` process, real
simulated devices: after the restart everything is off and locked within
5 s of the start (the devices' own relays say so), an emergency exit the
fire panel released stays released, and the run that was cut off says so
in its trace."""

from __future__ import annotations

import asyncio
import json
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from hub.plugins.mqtt_devices import simulator as sim
from hub.testing.mosquitto import Mosquitto
from hub.testing.recorded import last_trace_state

from ..sigap_process import run_sigap, sigap_run


def write_config(folder: Path, broker: Mosquitto) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "configuration.yaml").write_text(
        textwrap.dedent(
            f"""\
            hub: {{name: Uji, id: uji, language: en}}
            mqtt: {{host: {broker.host}, port: {broker.port}, reconnect_min: 0.1, reconnect_max: 1}}
            sites:
              - {{id: dinkes, areas: [halaman]}}
              - {{id: diskominfo, areas: [ruang_server]}}
            siren:
              - {{platform: mqtt, id: halaman, site: dinkes, dialect: esphome, topic: node-e,
                  confirm_timeout: 1}}
              - {{platform: mqtt, id: lobi, site: dinkes, dialect: tasmota, topic: sirene_t,
                  confirm_timeout: 1}}
            door:
              - {{platform: mqtt, id: ruang_server, site: diskominfo, dialect: esphome,
                  topic: pintu-server, confirm_timeout: 1}}
              - {{platform: mqtt, id: pintu_darurat, site: diskominfo, dialect: esphome,
                  topic: pintu-darurat, confirm_timeout: 1}}
            automation:
              - id: alarm_gedung
                triggers:
                  - trigger: mqtt
                    topic: uji/alarm
                actions:
                  - action: siren.turn_on
                    target: {{entity_id: [siren.halaman, siren.lobi]}}
                    data: {{duration: 60}}
                  - action: door.unlock
                    target: {{entity_id: door.ruang_server}}
                    data: {{duration: 60}}
                  - delay: 60
            """
        )
    )
    return folder


async def until(done: Callable[[], bool], seconds: float) -> None:
    """Until `done()` holds (a file on disk changes without telling anyone)."""
    async with asyncio.timeout(seconds):
        while not done():  # noqa: ASYNC110 - the hub saves the file, nothing to await
            await asyncio.sleep(0.05)


def trace_of(folder: Path) -> dict:
    """The newest run of alarm_gedung as the recorder's database holds it."""
    found = last_trace_state(folder / "sigap.db", "alarm_gedung")
    return {"state": found[0], "script_execution": found[1]} if found else {}


async def test_after_a_sigkill_the_hub_silences_and_relocks_at_once(
    mosquitto: Mosquitto, observer, tmp_path: Path
) -> None:
    folder = write_config(tmp_path / "config", mosquitto)
    host, port = mosquitto.host, mosquitto.port
    async with (
        sim.ESPHomeSwitch(host, port, "node-e") as esphome,
        sim.TasmotaSiren(host, port, "sirene_t") as tasmota,
        sim.ESPHomeDoor(host, port, "pintu-server") as door,
        sim.ESPHomeDoor(host, port, "pintu-darurat") as exit_door,
    ):
        async with sigap_run(folder) as first:
            await first.until(r"started: 4 devices")
            # the fire panel releases the emergency exit (an evacuation: no time limit)
            await observer.publish("pintu-darurat/switch/lock_relay/command", "ON", qos=1)
            await observer.publish("uji/alarm", "ON", qos=1)
            async with asyncio.timeout(10):
                await esphome.wait_until(lambda: esphome.on)
                await tasmota.wait_until(lambda: tasmota.power)
                await door.wait_until(lambda: door.unlocked)
                await exit_door.wait_until(lambda: exit_door.unlocked)
            # the run (in its 60 s delay) is saved as running (every 2 s, written within 1 s)
            await until(lambda: trace_of(folder).get("state") == "running", 10)
            first.proc.kill()  # SIGKILL: no stop, no goodbye
            await first.proc.wait()
        assert esphome.on and tasmota.power and door.unlocked  # nothing put them back

        started = time.monotonic()
        async with sigap_run(folder) as second:
            async with asyncio.timeout(5):
                await esphome.wait_until(lambda: not esphome.on)
                await tasmota.wait_until(lambda: not tasmota.power)
                await door.wait_until(lambda: not door.unlocked)
            took = time.monotonic() - started
            assert await second.interrupt() == 0
        # fail secure relocks what the hub unlocked for a time, not what it was told to release
        assert exit_door.unlocked
        assert [p for t, p, _ in exit_door.commands if t.endswith("/command")] == [b"ON"]
        print(f"\nafter SIGKILL: off and locked {took:.2f} s after the new hub was started")
        assert took < 5
        out = second.output
        for entity_id in ("siren.halaman", "siren.lobi"):
            assert f"{entity_id} (dinkes): the hub's last run ended owing turn_off" in out
        assert "door.ruang_server (diskominfo): the hub's last run ended owing lock" in out
        assert "1 automation run(s) the last hub left running were cut off" in out

    # confirmed: nothing is owed any more
    owed = json.loads((folder / ".storage" / "owed_commands.json").read_text())["owed"]
    assert owed == {}
    trace = trace_of(folder)
    assert trace["state"] == "stopped" and trace["script_execution"] == "cut_off"
    shown = run_sigap("trace", "-c", str(folder), "alarm_gedung", lang="id")
    assert "terputus (hub berhenti sebelum jalannya selesai" in shown.stdout, shown
