"""A siren command to an MQTT siren gone offline, through an automation:
the admin's log says why in the console language, and `sigap trace`
renders the saved error in the reader's language (SIGAP_LANG, else
hub.language), whatever language the hub ran in."""

from __future__ import annotations

import asyncio
import logging
import textwrap
from pathlib import Path

import pytest

from hub.cli import main
from hub.core.automation import ENGINE
from hub.core.mqtt import EVENT_MQTT_DISCONNECTED
from hub.plugins.mqtt_devices import simulator as sim
from hub.testing import EventWaiter, wait_for_state
from hub.testing.mosquitto import Mosquitto

ENGLISH = "Siren siren.halaman is unavailable (offline); the command was not sent"
INDONESIAN = "Sirene siren.halaman tidak tersedia (offline); perintah tidak dikirim"


def write_config(folder: Path, broker: Mosquitto) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "configuration.yaml").write_text(
        textwrap.dedent(
            f"""\
            hub: {{name: Uji, id: uji, language: id}}
            sites: [{{id: dinkes, areas: [halaman]}}]
            mqtt: {{host: {broker.host}, port: {broker.port}}}
            siren:
              - platform: mqtt
                id: halaman
                site: dinkes
                area: halaman
                dialect: tasmota
                topic: sirene_t
            automation:
              - id: bunyikan
                alias: Bunyikan sirene
                triggers: [{{trigger: event, event_type: uji.bunyi}}]
                actions:
                  - action: siren.turn_on
                    target: {{entity_id: siren.halaman}}
            """
        )
    )
    return folder


async def test_an_offline_siren_fails_in_the_readers_language(
    hub_factory, mosquitto, tmp_path, caplog, capsys, monkeypatch
):
    folder = write_config(tmp_path / "config", mosquitto)
    async with sim.TasmotaSiren(mosquitto.host, mosquitto.port, "sirene_t") as device:
        hub = await hub_factory(config_dir=folder, plugins=["hub.plugins.mqtt_devices"])
        assert not hub.plugins.failures, hub.plugins.failures
        await wait_for_state(hub, "siren.halaman", lambda s: s.state != "unavailable")
        await device.go_offline()
        await wait_for_state(hub, "siren.halaman", "unavailable")

        monkeypatch.setenv("SIGAP_LANG", "id")  # the admin's console reads Indonesian
        caplog.set_level(logging.ERROR, logger="hub.automation")
        automation = hub.data[ENGINE].automations["bunyikan"]
        await hub.services.call("automation", "trigger", {"entity_id": "bunyikan"})
        async with asyncio.timeout(5):
            await asyncio.gather(*automation.runs)
        (trace,) = automation.traces()
        assert trace.script_execution == "error"
        assert ENGLISH in trace.error  # the trace's str is English, as before
        logged = [r.getMessage() for r in caplog.records if r.name == "hub.automation"]
        assert any(INDONESIAN in line and "langkah" in line for line in logged), logged
        assert not any("is unavailable" in line for line in logged), logged
        await hub.stop()  # saves the traces for `sigap trace`

    for lang, said, not_said in (("id", INDONESIAN, ENGLISH), ("en", ENGLISH, INDONESIAN)):
        monkeypatch.setenv("SIGAP_LANG", lang)
        assert main(["trace", "bunyikan", "-c", str(folder)]) == 0
        out = capsys.readouterr().out
        assert said in out and not_said not in out, out
    run_line = next(line for line in out.splitlines() if line.startswith("Run "))
    assert (
        "error: step action/0" in run_line and "siren.turn_on failed for siren.halaman" in run_line
    )

    # no SIGAP_LANG: the configuration's hub.language (id) decides
    monkeypatch.delenv("SIGAP_LANG")
    assert main(["trace", "bunyikan", "-c", str(folder)]) == 0
    out = capsys.readouterr().out
    run_line = next(line for line in out.splitlines() if line.startswith("Jalannya "))
    assert ": kesalahan: langkah action/0" in run_line, out
    assert "siren.turn_on gagal untuk siren.halaman: " + INDONESIAN in run_line


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("id", "siren.halaman (dinkes) tidak tersedia: tele/sirene_t/LWT melaporkan 'Offline'"),
        ("en", "siren.halaman (dinkes) is unavailable: tele/sirene_t/LWT says 'Offline'"),
    ],
)
async def test_the_log_says_why_a_siren_went_offline_in_the_console_language(
    hub_factory, mosquitto, tmp_path, caplog, monkeypatch, lang, expected
):
    monkeypatch.setenv("SIGAP_LANG", lang)
    folder = write_config(tmp_path / "config", mosquitto)
    async with sim.TasmotaSiren(mosquitto.host, mosquitto.port, "sirene_t") as device:
        hub = await hub_factory(config_dir=folder, plugins=["hub.plugins.mqtt_devices"])
        await wait_for_state(hub, "siren.halaman", lambda s: s.state != "unavailable")
        caplog.set_level(logging.WARNING)
        await device.go_offline()
        await wait_for_state(hub, "siren.halaman", "unavailable")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(line.startswith(expected) for line in warnings), warnings


async def test_a_lost_broker_is_logged_in_the_console_language(
    hub_factory, hub_config, mosquitto, caplog, monkeypatch
):
    monkeypatch.setenv("SIGAP_LANG", "id")
    hub = await hub_factory(hub_config)
    caplog.set_level(logging.WARNING, logger="hub.mqtt")
    with EventWaiter(hub, EVENT_MQTT_DISCONNECTED) as lost:
        await asyncio.to_thread(mosquitto.stop)
        await lost.wait()
    warnings = [r.getMessage() for r in caplog.records if r.name == "hub.mqtt"]
    where = f"{mosquitto.host}:{mosquitto.port}"
    assert any(w.startswith(f"MQTT: koneksi ke {where} terputus: ") for w in warnings), warnings
    assert not any("lost" in w for w in warnings), warnings
