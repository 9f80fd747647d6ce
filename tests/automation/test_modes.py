"""Modes exactly as Home Assistant defines them."""

import logging

from hub.core.automation import CLOCK

from .conftest import engine_of, settle


def slow(mode: str, extra: str = "") -> str:
    return f"""
- id: m
  mode: {mode}
{extra}  triggers:
    - trigger: event
      event_type: go
  actions:
    - action: test.record
      data: {{n: "{{{{ trigger.event.data.n }}}}", phase: start}}
    - delay: 10
    - action: test.record
      data: {{n: "{{{{ trigger.event.data.n }}}}", phase: end}}
"""


async def fire(hub, *numbers):
    for n in numbers:
        hub.bus.fire("go", {"n": n})
        await settle()


async def test_single_drops_and_logs(automation_hub, recorder, caplog):
    hub = await automation_hub(slow("single"))
    with caplog.at_level(logging.WARNING, logger="hub.automation"):
        await fire(hub, 1, 2)
    await hub.data[CLOCK].advance(10)
    assert recorder.data == [{"n": 1, "phase": "start"}, {"n": 1, "phase": "end"}]
    assert "already running" in caplog.text
    assert [t.script_execution for t in engine_of(hub).automations["m"].traces()] == [
        "finished",
        "failed_single",
    ]


async def test_single_max_exceeded_silent(automation_hub, recorder, caplog):
    hub = await automation_hub(slow("single", "  max_exceeded: silent\n"))
    with caplog.at_level(logging.DEBUG, logger="hub.automation"):
        await fire(hub, 1, 2)
    assert "already running" not in caplog.text


async def test_restart_cancels_the_running_one(automation_hub, recorder):
    hub = await automation_hub(slow("restart"))
    clock = hub.data[CLOCK]
    await fire(hub, 1)
    await clock.advance(5)
    await fire(hub, 2)
    await clock.advance(10)
    assert recorder.data == [
        {"n": 1, "phase": "start"},
        {"n": 2, "phase": "start"},
        {"n": 2, "phase": "end"},
    ]
    executions = [t.script_execution for t in engine_of(hub).automations["m"].traces()]
    assert executions == ["cancelled", "finished"]


async def test_queued_runs_in_order_up_to_max(automation_hub, recorder, caplog):
    hub = await automation_hub(slow("queued", "  max: 3\n"))
    clock = hub.data[CLOCK]
    with caplog.at_level(logging.WARNING, logger="hub.automation"):
        await fire(hub, 1, 2, 3, 4)  # 4 exceeds max 3 (one running, two waiting)
    assert "max 3" in caplog.text
    for _ in range(3):
        await clock.advance(10)
    assert recorder.data == [
        {"n": n, "phase": phase} for n in (1, 2, 3) for phase in ("start", "end")
    ]


async def test_parallel_up_to_max(automation_hub, recorder):
    hub = await automation_hub(slow("parallel", "  max: 2\n  max_exceeded: info\n"))
    await fire(hub, 1, 2, 3)
    assert [d["n"] for d in recorder.data] == [1, 2]  # both started, the third dropped
    await hub.data[CLOCK].advance(10)
    assert sorted(d["n"] for d in recorder.data if d["phase"] == "end") == [1, 2]
    assert "failed_max_runs" in [
        t.script_execution for t in engine_of(hub).automations["m"].traces()
    ]


async def test_conditions_are_checked_before_the_mode(automation_hub, recorder):
    # A trigger that fails the conditions never restarts the running run.
    hub = await automation_hub(
        slow("restart").replace(
            "  actions:", '  conditions: "{{ trigger.event.data.n != 0 }}"\n  actions:'
        )
    )
    await fire(hub, 1, 0)
    await hub.data[CLOCK].advance(10)
    assert recorder.data == [{"n": 1, "phase": "start"}, {"n": 1, "phase": "end"}]
