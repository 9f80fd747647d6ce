"""Every action type; each case fails if the action misbehaves."""

import logging

import pytest

from hub.core.automation import CLOCK
from hub.testing import wait_for_state

from .conftest import engine_of, settle


def on_go(actions: str, extra: str = "") -> str:
    return f"""
- id: a
  alias: Under test
{extra}  triggers:
    - trigger: event
      event_type: go
  actions:
{actions}
"""


async def go(hub, data=None):
    hub.bus.fire("go", data or {})
    await settle()


async def test_service_call_templated_target_and_data(automation_hub, recorder):
    hub = await automation_hub(
        on_go(
            """
    - action: siren.turn_on
      target:
        entity_id: "siren.{{ trigger.event.data.where }}"
      data:
        duration: "{{ 5 * 2 }}"
        tone: alarm
    - service: test.record
      entity_id: camera.dinkes_lobi
      data_template:
        count: "{{ [1, 2] | length }}"
        text: "007"
"""
        )
    )
    await go(hub, {"where": "dinkes_lobi"})
    state = await wait_for_state(hub, "siren.dinkes_lobi", "on")
    assert state.attributes["duration"] == 10  # "10" came back as a number
    assert state.attributes["tone"] == "alarm"
    assert recorder.data == [{"entity_id": ["camera.dinkes_lobi"], "count": 2, "text": "007"}]


async def test_data_keys_are_data_not_steps(automation_hub, recorder):
    # A notification's data.actions[].action is data, never a step.
    hub = await automation_hub(
        on_go(
            """
    - action: test.record
      data:
        message: Pintu dibobol
        data:
          actions:
            - action: ACKNOWLEDGE
              title: Terima
"""
        )
    )
    await go(hub)
    assert recorder.data == [
        {
            "message": "Pintu dibobol",
            "data": {"actions": [{"action": "ACKNOWLEDGE", "title": "Terima"}]},
        }
    ]


@pytest.mark.parametrize(
    ("delay", "seconds"),
    [
        ("5", 5),
        ("00:00:05", 5),
        ("00:01", 60),
        ("{seconds: 5}", 5),
        ("{minutes: 1, seconds: 30}", 90),
        ("{milliseconds: 2500}", 2.5),
        ('"{{ 3 + 2 }}"', 5),
        ("\"00:00:{{ '%02d' % 5 }}\"", 5),
        ('{seconds: "{{ 5 }}"}', 5),
    ],
)
async def test_delay_every_form(automation_hub, recorder, delay, seconds):
    hub = await automation_hub(
        on_go(f"    - delay: {delay}\n    - action: test.record\n      data: {{done: true}}\n")
    )
    clock = hub.data[CLOCK]
    await go(hub)
    await clock.advance(seconds - 0.001)
    assert recorder.calls == []
    await clock.advance(0.002)
    assert recorder.data == [{"done": True}]


async def test_wait_template_completes_or_times_out(automation_hub, recorder):
    hub = await automation_hub(
        on_go(
            """
    - wait_template: "{{ is_state('door.x', 'locked') }}"
      timeout: 60
    - action: test.record
      data:
        completed: "{{ wait.completed }}"
"""
        )
    )
    clock = hub.data[CLOCK]
    await go(hub)
    await clock.advance(10)
    hub.states.set("door.x", "locked")
    await settle()
    assert recorder.data == [{"completed": True}]
    hub.states.set("door.x", "open")
    await go(hub)
    await clock.advance(61)
    assert recorder.data[-1] == {"completed": False}


async def test_wait_for_trigger_with_timeout_and_stop_on_timeout(automation_hub, recorder):
    hub = await automation_hub(
        on_go(
            """
    - wait_for_trigger:
        - trigger: event
          event_type: alarm.acknowledged
      timeout: {minutes: 2}
      continue_on_timeout: false
    - action: test.record
      data:
        by: "{{ wait.trigger.event.data.by }}"
        remaining: "{{ wait.remaining }}"
"""
        )
    )
    clock = hub.data[CLOCK]
    await go(hub)
    await clock.advance(30)
    hub.bus.fire("alarm.acknowledged", {"by": "Sari"})
    await settle()
    assert recorder.data == [{"by": "Sari", "remaining": 90.0}]
    await go(hub)
    await clock.advance(121)
    assert len(recorder.calls) == 1  # timed out: the run stopped there
    trace = engine_of(hub).automations["a"].traces()[-1]
    assert trace.script_execution == "finished"


async def test_choose_and_default(automation_hub, recorder):
    hub = await automation_hub(
        on_go(
            """
    - choose:
        - conditions: "{{ trigger.event.data.kind == 'forced' }}"
          sequence:
            - action: test.record
              data: {branch: forced}
        - conditions:
            - condition: template
              value_template: "{{ trigger.event.data.kind == 'held' }}"
          sequence:
            - action: test.record
              data: {branch: held}
      default:
        - action: test.record
          data: {branch: default}
""",
            "  mode: queued\n",
        )
    )
    for kind in ("held", "forced", "other"):
        await go(hub, {"kind": kind})
    assert [d["branch"] for d in recorder.data] == ["held", "forced", "default"]


async def test_if_then_else(automation_hub, recorder):
    hub = await automation_hub(
        on_go(
            """
    - if:
        - condition: state
          entity_id: siren.dinkes_lobi
          state: "off"
      then:
        - action: test.record
          data: {branch: then}
      else:
        - action: test.record
          data: {branch: else}
"""
        )
    )
    await go(hub)
    hub.states.set("siren.dinkes_lobi", "on")
    await go(hub)
    assert [d["branch"] for d in recorder.data] == ["then", "else"]


async def test_repeat_count_while_until_for_each(automation_hub, recorder):
    hub = await automation_hub(
        on_go(
            """
    - repeat:
        count: "{{ 1 + 2 }}"
        sequence:
          - action: test.record
            data:
              kind: count
              index: "{{ repeat.index }}"
              first: "{{ repeat.first }}"
              last: "{{ repeat.last }}"
    - variables:
        n: 0
    - repeat:
        while: "{{ states('sensor.n') | int(0) < 2 }}"
        sequence:
          - action: test.record
            data: {kind: while, index: "{{ repeat.index }}"}
          - event: bump
    - repeat:
        until:
          - "{{ repeat.index >= 2 }}"
        sequence:
          - action: test.record
            data: {kind: until, index: "{{ repeat.index }}"}
    - repeat:
        for_each: [siren.dinkes_lobi, siren.dinkes_halaman]
        sequence:
          - action: test.record
            data: {kind: for_each, item: "{{ repeat.item }}"}
"""
        )
    )
    n = 0

    def bump(event):
        nonlocal n
        n += 1
        hub.states.set("sensor.n", str(n))

    hub.bus.listen("bump", bump)
    await go(hub)
    kinds = [(d["kind"], d.get("index", d.get("item"))) for d in recorder.data]
    assert kinds == [
        ("count", 1),
        ("count", 2),
        ("count", 3),
        ("while", 1),
        ("while", 2),
        ("until", 1),
        ("until", 2),
        ("for_each", "siren.dinkes_lobi"),
        ("for_each", "siren.dinkes_halaman"),
    ]
    assert recorder.data[0]["first"] is True and recorder.data[2]["last"] is True


async def test_parallel_runs_branches_side_by_side(automation_hub, recorder):
    hub = await automation_hub(
        on_go(
            """
    - parallel:
        - sequence:
            - delay: 10
            - action: test.record
              data: {branch: slow}
        - action: test.record
          data: {branch: fast}
    - action: test.record
      data: {branch: after}
"""
        )
    )
    await go(hub)
    assert [d["branch"] for d in recorder.data] == ["fast"]
    await hub.data[CLOCK].advance(10)
    assert [d["branch"] for d in recorder.data] == ["fast", "slow", "after"]


async def test_sequence_variables_and_event(automation_hub, recorder):
    hub = await automation_hub(
        on_go(
            """
    - variables:
        site: dinkes
        label: "{{ site | upper }}"
    - sequence:
        - event: alarm.raise_request
          event_data:
            site: "{{ site }}"
            label: "{{ label }}"
"""
        )
    )
    seen = []
    hub.bus.listen("alarm.raise_request", lambda e: seen.append(e))
    await go(hub)
    assert [dict(e.data) for e in seen] == [{"site": "dinkes", "label": "DINKES"}]
    assert seen[0].context.parent_id is not None


async def test_stop_and_stop_with_error(automation_hub, recorder, caplog):
    hub = await automation_hub(
        on_go(
            """
    - action: test.record
    - if: "{{ trigger.event.data.fail }}"
      then:
        - stop: Gedung sedang dalam perawatan
          error: true
    - stop: done here
    - action: test.record
"""
        )
    )
    await go(hub, {"fail": False})
    trace = engine_of(hub).automations["a"].traces()[-1]
    assert trace.script_execution == "finished" and len(recorder.calls) == 1
    with caplog.at_level(logging.ERROR):
        await go(hub, {"fail": True})
    trace = engine_of(hub).automations["a"].traces()[-1]
    assert trace.script_execution == "error"
    assert "Gedung sedang dalam perawatan" in caplog.text
    assert len(recorder.calls) == 2


async def test_condition_as_an_action_stops_the_sequence(automation_hub, recorder):
    hub = await automation_hub(
        on_go(
            """
    - action: test.record
      data: {step: 1}
    - condition: state
      entity_id: siren.dinkes_lobi
      state: "on"
    - action: test.record
      data: {step: 2}
"""
        )
    )
    await go(hub)
    assert recorder.data == [{"step": 1}]


async def test_continue_on_error_and_enabled_false(automation_hub, recorder):
    hub = await automation_hub(
        on_go(
            """
    - action: siren.turn_on
      target: {entity_id: siren.dinkes_lobi}
      continue_on_error: true
    - action: test.record
      data: {step: disabled}
      enabled: false
    - action: siren.turn_on
      target: {entity_id: siren.dinkes_halaman}
    - action: test.record
      data: {step: never}
"""
        )
    )
    for entity_id in ("siren.dinkes_lobi", "siren.dinkes_halaman"):
        hub.devices.get(entity_id).set_available(False, "cable cut")
    await go(hub)
    assert recorder.calls == []  # the second failure stopped the run
    trace = engine_of(hub).automations["a"].traces()[-1]
    assert trace.script_execution == "error"
    errors = [s.path for s in trace.steps if s.error]
    assert errors == ["action/0", "action/2"]
    assert [s.result for s in trace.steps if s.path == "action/1"] == [{"enabled": False}]


async def test_missing_service_is_logged_in_the_trace(automation_hub, recorder, caplog):
    hub = await automation_hub(
        on_go("    - action: light.turn_on\n      target: {entity_id: light.porch}\n")
    )
    with caplog.at_level(logging.ERROR):
        await go(hub)
    trace = engine_of(hub).automations["a"].traces()[-1]
    assert trace.script_execution == "error"
    assert "light.turn_on" in trace.steps[-1].error
    assert "'Under test'" in caplog.text and "action/0" in caplog.text
