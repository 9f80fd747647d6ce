"""Mistakes inside triggers, conditions and actions are reported with
file:line and a suggestion; an automation with a mistake does not load, the
others do; unknown entities and services are warnings with a did-you-mean."""

import logging

import pytest

from hub.core.automation import ENGINE

from .conftest import settle

GOOD = """
- id: good
  triggers: [{trigger: event, event_type: go}]
  actions: [{action: test.record}]
"""


def broken(body: str) -> str:
    # body line 1 is line 8 of the file
    return f"""
- id: broken
  alias: Broken
{body}
"""


CASES = [
    (  # a misspelt key inside a trigger
        "  triggers:\n    - trigger: event\n      event_tpye: camera.motion\n  actions: []",
        3,
        "'event_tpye' is not a known key (did you mean 'event_type'?)",
    ),
    (  # a misspelt trigger type, new spelling
        "  triggers:\n    - trigger: evnt\n      event_type: go\n  actions: []",
        2,
        "unknown trigger type 'evnt' (did you mean 'event'?)",
    ),
    (  # old spelling
        "  trigger:\n    - platform: stat\n      entity_id: siren.x\n  action: []",
        2,
        "unknown trigger type 'stat' (did you mean 'state'?)",
    ),
    (  # a misplaced key: `for` belongs to state triggers, not event triggers
        "  triggers:\n    - trigger: event\n      event_type: go\n      for: 10\n  actions: []",
        4,
        "'for' is not a known key",
    ),
    (  # a misspelt key inside a condition
        "  triggers: [{trigger: event, event_type: go}]\n  conditions:\n"
        "    - condition: state\n      entity: siren.x\n      state: 'on'\n  actions: []",
        4,
        "'entity' is not a known key (did you mean 'entity_id'?)",
    ),
    (  # a misspelt condition type
        "  triggers: [{trigger: event, event_type: go}]\n  conditions:\n"
        "    - condition: stat\n      entity_id: siren.x\n      state: 'on'\n  actions: []",
        3,
        "unknown condition type 'stat' (did you mean 'state'?)",
    ),
    (  # a misspelt action
        "  triggers: [{trigger: event, event_type: go}]\n  actions:\n    - dellay: 5",
        3,
        "'dellay' is not a known action (did you mean 'delay'?)",
    ),
    (  # a misspelt key beside a service call
        "  triggers: [{trigger: event, event_type: go}]\n  actions:\n"
        "    - action: siren.turn_on\n      tagret: {entity_id: siren.x}",
        4,
        "'tagret' is not a known key (did you mean 'target'?)",
    ),
    (  # a misplaced key: target belongs to service calls, not delays
        "  triggers: [{trigger: event, event_type: go}]\n  actions:\n"
        "    - delay: 5\n      target: {entity_id: siren.x}",
        4,
        "'target' is not a known key",
    ),
    (  # deep inside choose
        "  triggers: [{trigger: event, event_type: go}]\n  actions:\n    - choose:\n"
        "        - conditions: []\n          sequence:\n            - action: test.record\n"
        "              continue_on_eror: true",
        7,
        "'continue_on_eror' is not a known key (did you mean 'continue_on_error'?)",
    ),
    (  # a misspelt automation key
        "  triggers: [{trigger: event, event_type: go}]\n  actions: []\n  mdoe: single",
        3,
        "'mdoe' is not a known key (did you mean 'mode'?)",
    ),
    (  # a bad value
        "  mode: paralel\n  triggers: [{trigger: event, event_type: go}]\n  actions: []",
        1,
        "paralel",
    ),
    (  # a bad duration
        "  triggers: [{trigger: event, event_type: go}]\n  actions:\n    - delay: {minuts: 5}",
        3,
        "'minuts' is not a duration key (did you mean 'minutes'?)",
    ),
]


@pytest.mark.parametrize(("body", "line", "message"), CASES)
async def test_mistake_is_reported_with_file_line_and_suggestion(
    automation_hub, caplog, body, line, message
):
    hub = await automation_hub(GOOD + broken(body), start=False)
    errors = hub.load()
    assert len(errors) == 1, errors
    text = str(errors[0])
    assert f"automations.yaml:{line + 7}:" in text, text
    assert message in text, text
    # the hub starts without the broken automation; the good one works
    with caplog.at_level(logging.ERROR):
        await hub.start()
    assert list(hub.data[ENGINE].automations) == ["good"]
    assert message in caplog.text


async def test_the_other_automations_load_and_run(automation_hub, recorder):
    hub = await automation_hub(
        GOOD
        + broken("  triggers: [{trigger: event, event_type: go}]\n  actions:\n    - dellay: 5")
        + GOOD.replace("id: good", "id: also_good")
    )
    assert sorted(hub.data[ENGINE].automations) == ["also_good", "good"]
    hub.bus.fire("go", {})
    await settle()
    assert len(recorder.calls) == 2


async def test_check_config_lists_automation_errors(automation_hub, tmp_path, capsys):
    from hub.cli import main

    hub = await automation_hub(
        GOOD
        + broken("  triggers: [{trigger: event, event_type: go}]\n  actions:\n    - dellay: 5"),
        start=False,
    )
    assert main(["check-config", "-c", str(hub.config_dir)]) == 1
    err = capsys.readouterr().err
    assert "automations.yaml:10:" in err and "did you mean 'delay'?" in err


async def test_unknown_entities_and_services_are_warnings(automation_hub, recorder, caplog):
    with caplog.at_level(logging.WARNING, logger="hub.automation"):
        hub = await automation_hub(
            """
- id: porch
  triggers: [{trigger: event, event_type: go}]
  actions:
    - action: light.turn_on
      target: {entity_id: light.porch}
    - action: siren.turn_onn
      target: {entity_id: siren.dinkes_halamn}
"""
        )
    assert list(hub.data[ENGINE].automations) == ["porch"]  # loaded all the same
    text = caplog.text
    assert "automations.yaml:6" in text and "'light.turn_on' does not exist" in text
    assert "'siren.turn_onn' does not exist (yet) (did you mean 'siren.turn_on'?)" in text
    assert (
        "'siren.dinkes_halamn' does not exist (yet) (did you mean 'siren.dinkes_halaman'?)" in text
    )


async def test_check_config_warns_about_unknown_references(automation_hub, capsys):
    from hub.cli import main

    hub = await automation_hub(
        """
- id: typo
  triggers: [{trigger: event, event_type: go}]
  actions:
    - action: siren.turn_onn
      target: {entity_id: siren.dinkes_halamn}
    - action: mqtt.publish
      data: {topic: x}
    - action: automation.turn_off
      target: {entity_id: automation.typo}
""",
        start=False,
    )
    assert main(["check-config", "-c", str(hub.config_dir)]) == 0  # warnings, not errors
    err = capsys.readouterr().err
    assert "automations.yaml:5: automation 'typo': service 'siren.turn_onn'" in err
    assert "(did you mean 'siren.turn_on'?)" in err
    assert "(did you mean 'siren.dinkes_halaman'?)" in err
    assert "mqtt.publish" not in err  # a plugin's service: not known before start
    assert "automation.typo" not in err and "automation.turn_off" not in err


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        ("{trigger: time_pattern, minutes: '/0'}", "expected a number below 60, '*' or '/N'"),
        ("{trigger: time_pattern, hours: 24}", "expected a number below 24"),
        ("{trigger: time, at: '25:00'}", "expected a time such as '07:30'"),
        ("{trigger: state, entity_id: 'Siren Lobi'}", "invalid entity id 'Siren Lobi'"),
        ("{trigger: sun, event: sunsett}", "sunsett"),
        ("{trigger: numeric_state, entity_id: sensor.t, above: banyak}", "banyak"),
    ],
)
async def test_bad_trigger_values(automation_hub, trigger, message):
    hub = await automation_hub(
        f"- id: bad\n  triggers: [{trigger}]\n  actions: [{{action: test.record}}]\n", start=False
    )
    errors = hub.load()
    assert len(errors) == 1 and message in str(errors[0]), errors
    assert "automations.yaml:2" in str(errors[0])
