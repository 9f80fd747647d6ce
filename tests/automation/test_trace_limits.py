"""Traces of runs fed hostile data: saved whatever they hold, never
bigger than a trace may be, and made ready for the recorder off the event loop."""

from __future__ import annotations

import json
import threading

from hub.core.automation import engine as engine_module
from hub.core.automation.trace import TRACE_SIZE, TRACE_STEPS
from hub.core.automation.trace_files import format_document
from hub.core.config.secrets import register_secret
from hub.core.recorder.traces import trace_row
from hub.testing.recorded import saved_traces

from .conftest import engine_of, settle


async def test_a_lone_surrogate_from_the_network_is_saved_and_read_back(hub_factory):
    # json.loads('"\\ud800"') is a str UTF-8 cannot encode; a caller sent it
    trace = {
        "run_id": 1,
        "state": "stopped",
        "script_execution": "finished",
        "timestamp": {"start": 10.0, "finish": 11.0},
        "context": {"id": "c1", "parent_id": None},
        "trigger": {"json": {"isi": "x\ud800y"}},
    }
    hub = await hub_factory(config={})
    await hub.recorder.traces.save_now([trace_row("a", "A", "automation.a", trace)], 10)
    await hub.stop()
    (document,) = await saved_traces(hub.config_dir)
    assert document == {"id": "a", "alias": "A", "entity_id": "automation.a", "traces": [trace]}


BIG = "x" * (10 * 1024 * 1024)

FED = """
- id: laporan
  triggers:
    - trigger: event
      event_type: laporan_masuk
  actions:
    - variables:
        salinan: "{{ trigger.event.data.isi[:900000] }}"
    - action: test.record
      data:
        panjang: "{{ trigger.event.data.isi | length }}"
"""


async def test_a_trace_of_a_run_fed_10_mb_is_capped_with_a_marker(automation_hub, recorder):
    hub = await automation_hub(FED)
    data = {"isi": BIG, "daftar": list(range(200_000)), "peta": {str(n): n for n in range(50_000)}}
    hub.bus.fire("laporan_masuk", data)
    await recorder.next()
    await settle()
    (trace,) = engine_of(hub).automations["laporan"].traces()
    text = json.dumps(trace.as_dict())
    assert len(text) < TRACE_SIZE + 64 * 1024, f"{len(text)} characters"
    event = trace.as_dict()["trigger"]["event"]["data"]
    assert event["isi"].startswith("x" * 4096)
    assert event["isi"].endswith(f"…(+{len(BIG) - 4096})")
    assert event["daftar"][:3] == [0, 1, 2] and event["daftar"][-1].startswith("…(+")
    assert "…" in event["peta"]
    assert trace.as_dict()["truncated"]["values"] >= 3
    await hub.stop()
    (document,) = await saved_traces(hub.config_dir)
    assert len(json.dumps(document)) < TRACE_SIZE + 64 * 1024
    assert document["traces"][0]["trigger"]["event"]["data"]["isi"].startswith("xxxx")
    for lang, said in (("en", "cut to keep the trace small"), ("id", "dipangkas agar jejak")):
        lines = format_document(document, lang, hub.time_zone)
        assert any(said in line for line in lines), lines


async def test_a_long_run_keeps_its_first_and_last_steps_only(automation_hub, recorder):
    hub = await automation_hub(
        """
        - id: ulang
          triggers: [{trigger: event, event_type: mulai}]
          actions:
            - repeat:
                count: 5000
                sequence:
                  - variables: {n: "{{ repeat.index }}"}
            - action: test.record
              data: {selesai: true}
        """
    )
    hub.bus.fire("mulai", {})
    await recorder.next(timeout=30)
    await settle()
    (trace,) = engine_of(hub).automations["ulang"].traces()
    rendered = trace.as_dict()
    kept = [step for steps in rendered["trace"].values() for step in steps]
    assert len(kept) <= TRACE_STEPS + 100
    assert rendered["truncated"]["steps"] == 5002 - len(kept)  # 5000 turns, repeat, action/1
    assert any(step["path"] == "action/1" for step in kept)  # the last step is there


async def test_a_secret_at_the_cut_is_not_shown_in_part(automation_hub, recorder):
    secret = "Rahasia-Pintu-Arsip-2931"
    register_secret(secret)
    hub = await automation_hub(FED)
    hub.bus.fire("laporan_masuk", {"isi": "y" * 4090 + secret + "y" * 10_000})
    await recorder.next()
    await settle()
    (trace,) = engine_of(hub).automations["laporan"].traces()
    shown = trace.as_dict()["trigger"]["event"]["data"]["isi"]
    assert "Rahasia" not in shown and "y" * 4090 + "***" in shown


async def test_traces_are_encoded_off_the_loop(automation_hub, recorder, monkeypatch):
    # the JSON of a trace (up to 128 KB) is made in a worker thread; the
    # recorder's writer commits it with its next batch
    written: list[int] = []
    original = engine_module.trace_row

    def spy(*args, **kwargs):
        written.append(threading.get_ident())
        return original(*args, **kwargs)

    monkeypatch.setattr(engine_module, "trace_row", spy)
    hub = await automation_hub(FED, real_time=True)
    hub.bus.fire("laporan_masuk", {"isi": "kecil"})
    await recorder.next()
    await settle()
    await hub.stop()  # the last save, at stop
    assert written, "no trace was written"
    assert threading.get_ident() not in written, "a trace was encoded on the event loop"
    (document,) = await saved_traces(hub.config_dir)
    assert document["traces"][0]["script_execution"] == "finished"
