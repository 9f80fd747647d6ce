"""A trace of a run through choose + wait_for_trigger + parallel shows each
step, which branch was taken, and the Context linking the trigger event to
every service call; the service and `sigap trace` read it."""

from hub import Context
from hub.cli import main
from hub.testing import wait_for_state

from .conftest import engine_of, settle

AUTOMATION = """
- id: pintu_dibobol
  alias: Pintu dibobol
  triggers:
    - trigger: event
      event_type: door.forced
  actions:
    - choose:
        - conditions: "{{ trigger.event.data.site == 'diskominfo' }}"
          sequence:
            - action: test.record
              data: {branch: diskominfo}
        - conditions:
            - condition: state
              entity_id: siren.dinkes_halaman
              state: "off"
          sequence:
            - action: siren.turn_on
              target: {entity_id: siren.dinkes_halaman}
      default:
        - action: test.record
          data: {branch: default}
    - wait_for_trigger:
        - trigger: event
          event_type: alarm.acknowledged
      timeout: 60
    - parallel:
        - action: siren.turn_off
          target: {entity_id: siren.dinkes_halaman}
        - action: test.record
          data:
            by: "{{ wait.trigger.event.data.by }}"
"""


async def test_trace_of_choose_wait_for_trigger_parallel(automation_hub, recorder, capsys):
    hub = await automation_hub(AUTOMATION)
    forced = hub.bus.fire("door.forced", {"site": "dinkes"}, Context(user_id=None))
    await wait_for_state(hub, "siren.dinkes_halaman", "on")
    siren_on_context = hub.states.get("siren.dinkes_halaman").context
    await settle()
    hub.bus.fire("alarm.acknowledged", {"by": "Sari"}, Context(user_id="sari"))
    call = await recorder.next()
    assert dict(call.data) == {"by": "Sari"}
    await settle()

    automation = engine_of(hub).automations["pintu_dibobol"]
    (trace,) = automation.traces()
    assert trace.script_execution == "finished"

    # the Context chain: trigger event -> run -> every service call
    assert trace.trigger_context is forced.context
    assert trace.context.parent_id == forced.context.id
    assert siren_on_context.id == trace.context.id
    assert call.context.id == trace.context.id
    assert hub.states.get("siren.dinkes_halaman").context.id == trace.context.id  # turn_off

    # each step, in order, with the branch taken
    paths = [step.path for step in trace.steps]
    assert paths == [
        "action/0",
        "action/0/choose/0/conditions/0",
        "action/0/choose/1/conditions/0",
        "action/0/choose/1/sequence/0",
        "action/1",
        "action/2",
        "action/2/parallel/0",
        "action/2/parallel/1",
    ]
    steps = {step.path: step for step in trace.steps}
    assert steps["action/0"].result == {"choice": 1}
    assert steps["action/0/choose/0/conditions/0"].result == {"result": False}
    assert steps["action/0/choose/1/conditions/0"].result == {"result": True}
    assert steps["action/0/choose/1/sequence/0"].result["params"]["service"] == "turn_on"
    wait = steps["action/1"].result["wait"]
    assert wait["trigger"]["event"].data["by"] == "Sari"
    assert steps["action/2/parallel/1"].variables["wait"] is wait  # a reference, not a copy

    # readable through the automation.trace service ...
    response = await hub.services.call("automation", "trace", {"entity_id": "pintu_dibobol"})
    document = response["pintu_dibobol"][0]
    assert document["trace"]["action/0"][0]["result"] == {"choice": 1}
    assert document["context"]["parent_id"] == forced.context.id
    changed = document["trace"]["action/2"][0]["changed_variables"]  # wait appeared here
    assert changed["wait"]["trigger"]["event"]["data"] == {"by": "Sari"}

    # ... and the CLI, from what the hub saved
    await hub.stop()
    assert main(["trace", "pintu_dibobol", "-c", str(hub.config_dir)]) == 0
    out = capsys.readouterr().out
    assert "Pintu dibobol" in out and "finished" in out
    assert "choice: 1" in out and "siren.turn_on" in out
    assert "action/2/parallel/1" in out and "test.record" in out
    assert forced.context.id in out
    assert main(["trace", "automation.pintu_dibobol", "-c", str(hub.config_dir), "--json"]) == 0
    assert '"script_execution": "finished"' in capsys.readouterr().out
    assert main(["trace", "nothing", "-c", str(hub.config_dir)]) == 1


async def test_only_the_last_runs_are_kept(automation_hub, recorder):
    hub = await automation_hub(
        """
- id: busy
  mode: parallel
  trace: {stored_traces: 3}
  triggers: [{trigger: event, event_type: go}]
  actions: [{action: test.record}]
- id: default_keep
  mode: parallel
  triggers: [{trigger: event, event_type: go}]
  actions: [{action: test.record}]
"""
    )
    for n in range(12):
        hub.bus.fire("go", {"n": n})
    await settle()
    busy = engine_of(hub).automations["busy"].traces()
    assert [t.trigger["event"].data["n"] for t in busy] == [9, 10, 11]
    assert len(engine_of(hub).automations["default_keep"].traces()) == 10
