"""Automation errors in traces: kept with their key and values, so `sigap
trace` prints them in the reader's language; a plain message and an old
trace file (no `error_text`) still read as they were written."""

from __future__ import annotations

import json
import logging

from hub.core.automation import CLOCK
from hub.core.automation.trace_files import format_document

from .conftest import engine_of, settle
from .test_actions import go, on_go


def document(hub, automation_id: str) -> dict:
    """What the hub saves for `sigap trace`, through JSON as on disk."""
    automation = engine_of(hub).automations[automation_id]
    traces = [t.as_dict() for t in automation.traces()]
    return json.loads(json.dumps({"id": automation_id, "alias": "Uji", "traces": traces}))


def lines(doc: dict, lang: str) -> str:
    return "\n".join(format_document(doc, lang, "Asia/Makassar"))


async def test_a_template_error_names_the_step_and_template_in_both_languages(
    automation_hub, caplog, monkeypatch
):
    hub = await automation_hub(
        on_go(
            """
    - alias: Kirim laporan
      action: test.record
      data:
        count: "{{ 1 / 0 }}"
"""
        )
    )
    monkeypatch.setenv("SIGAP_LANG", "id")
    caplog.set_level(logging.ERROR, logger="hub.automation")
    await go(hub)
    doc = document(hub, "a")
    (trace,) = doc["traces"]
    assert trace["error"].startswith("step action/0 (service 'Kirim laporan') at ")
    assert "failed: template '{{ 1 / 0 }}': ZeroDivisionError: division by zero" in trace["error"]
    indonesian, english = lines(doc, "id"), lines(doc, "en")
    assert ": kesalahan: langkah action/0 (service 'Kirim laporan') di " in indonesian
    assert "gagal: template '{{ 1 / 0 }}': ZeroDivisionError: division by zero" in indonesian
    assert "KESALAHAN TemplateError: template '{{ 1 / 0 }}'" in indonesian
    assert "failed" not in indonesian and "ERROR" not in indonesian
    assert ": error: step action/0 (service 'Kirim laporan') at " in english
    # the admin's log line, in the console language
    logged = [r.getMessage() for r in caplog.records]
    assert any("langkah action/0 (service 'Kirim laporan') di " in m for m in logged), logged


async def test_a_stop_on_timeout_reads_in_the_readers_language(automation_hub):
    hub = await automation_hub(
        on_go(
            """
    - wait_template: "{{ is_state('door.x', 'locked') }}"
      timeout: 60
      continue_on_timeout: false
    - stop: Pintu tidak terkunci
      error: true
"""
        )
    )
    await go(hub)
    await hub.data[CLOCK].advance(61)
    await settle()
    doc = document(hub, "a")
    (trace,) = doc["traces"]
    assert trace["script_execution"] == "finished"
    step = trace["trace"]["action/0"][0]
    assert step["result"]["stop"] == "wait_template timed out"
    assert "batas waktu wait_template habis" in lines(doc, "id")
    assert "stop=wait_template timed out" in lines(doc, "en")
    assert "selesai" in lines(doc, "id")


async def test_a_stop_with_an_error_keeps_the_automations_own_words(automation_hub):
    hub = await automation_hub(on_go("    - stop: Pintu tidak terkunci\n      error: true\n"))
    await go(hub)
    doc = document(hub, "a")
    (trace,) = doc["traces"]
    assert trace["error"] == "stopped with an error: Pintu tidak terkunci"
    assert ": kesalahan: dihentikan dengan kesalahan: Pintu tidak terkunci" in lines(doc, "id")


def test_an_old_trace_file_without_texts_still_reads() -> None:
    old = {
        "id": "lama",
        "alias": "Lama",
        "entity_id": "automation.lama",
        "traces": [
            {
                "run_id": 1,
                "state": "stopped",
                "script_execution": "error",
                "error": "step action/0 (service) failed: relay stuck",
                "timestamp": {"start": 1764300000.0, "finish": 1764300001.0},
                "trigger": {"description": "event 'go'"},
                "context": {"id": "c1", "parent_id": None},
                "trace": {
                    "action/0": [
                        {"path": "action/0", "timestamp": 1764300000.5, "error": "relay stuck"}
                    ]
                },
            }
        ],
    }
    for lang in ("id", "en"):
        text = lines(old, lang)
        assert "step action/0 (service) failed: relay stuck" in text
    # a Text this version cannot fill (another version's placeholders): its English
    old["traces"][0]["error_text"] = {"key": "entity.failed", "values": {"service": "x"}}
    assert "step action/0 (service) failed: relay stuck" in lines(old, "id")


async def test_a_dropped_trigger_is_logged_in_the_console_language(
    automation_hub, recorder, caplog, monkeypatch
):
    from .test_modes import fire, slow

    monkeypatch.setenv("SIGAP_LANG", "id")
    hub = await automation_hub(slow("queued", "  max: 1\n"))
    with caplog.at_level(logging.WARNING, logger="hub.automation"):
        await fire(hub, 1, 2)
    await hub.data[CLOCK].advance(10)
    dropped = [r.getMessage() for r in caplog.records if "diabaikan" in r.getMessage()]
    assert dropped and dropped[0].startswith("otomasi 'm' (")
    assert dropped[0].endswith(
        ": sudah berjalan 1 kali (maksimum 1); pemicu ini diabaikan (mode queued)"
    )
    assert "already running" not in caplog.text
    doc = document(hub, "m")
    assert "tidak dijalankan (batas jumlah eksekusi bersamaan tercapai)" in lines(doc, "id")
