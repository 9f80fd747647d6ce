"""Template helpers admins use most, and template errors that stop one run
without hurting the hub."""

import logging
from datetime import UTC, datetime

import pytest

from hub.core.automation import FakeClock

from .conftest import engine_of, settle

MOMENT = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)  # 09:30 WITA


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ states('siren.dinkes_lobi') }}", "off"),
        ("{{ states('sensor.nothing') }}", "unknown"),
        ("{{ states.siren.dinkes_lobi.state }}", "off"),
        ("{{ is_state('siren.dinkes_lobi', 'off') }}", True),
        ("{{ is_state('siren.dinkes_lobi', ['on', 'off']) }}", True),
        ("{{ state_attr('siren.dinkes_lobi', 'site') }}", "dinkes"),
        ("{{ is_state_attr('siren.dinkes_lobi', 'area', 'lobi') }}", True),
        ("{{ has_value('siren.dinkes_lobi') }}", True),
        ("{{ has_value('sensor.nothing') }}", False),
        ("{{ now().hour }}", 9),
        ("{{ now().tzinfo.key }}", "Asia/Makassar"),
        ("{{ utcnow().hour }}", 1),
        ("{{ as_timestamp(now()) | int }}", int(MOMENT.timestamp())),
        ("{{ as_datetime('2026-11-27T10:00:00+08:00').hour }}", 10),
        ("{{ (now() + timedelta(hours=2)).hour }}", 11),
        ("{{ trigger.event.data.n + 1 }}", 42),
        ("{{ this.state }}", "on"),
        ("{{ 'x' | int(7) }}", 7),
        ("{{ '3.5' | float }}", 3.5),
        ("{{ trigger.event.data.missing | default('kosong') }}", "kosong"),
        ("{{ 2.567 | round(1) }}", 2.6),
        ("{{ ('{\"a\": [1, 2]}' | from_json).a[1] }}", 2),
        # as Home Assistant: a result that reads as a literal becomes that value
        ("{{ {'pintu': 'terbuka'} | to_json }}", {"pintu": "terbuka"}),
        ("{{ {'pintu': True} | to_json }}", '{"pintu": true}'),
        ("{{ iif(trigger.event.data.n > 3, 'tinggi', 'rendah') }}", "tinggi"),
        ("{{ (trigger.event.data.n > 3) | iif('ya', 'tidak') }}", "ya"),
        ("{{ [1, 2, 3] }}", [1, 2, 3]),
        ("{{ '0123' }}", "0123"),
    ],
)
async def test_template_helpers(automation_hub, recorder, template, expected):
    hub = await automation_hub(
        f"""
- id: t
  triggers:
    - trigger: event
      event_type: go
  actions:
    - action: test.record
      data:
        value: >-
          {template}
""",
        clock=FakeClock(MOMENT),
    )
    hub.bus.fire("go", {"n": 41})
    call = await recorder.next()
    assert call.data["value"] == expected


async def test_template_error_stops_the_run_and_names_everything(automation_hub, recorder, caplog):
    hub = await automation_hub(
        """
- id: broken
  alias: Broken message
  mode: parallel
  triggers:
    - trigger: event
      event_type: go
  actions:
    - action: test.record
      data: {step: 1}
    - alias: Tell the Command Center
      action: test.record
      data:
        message: "{{ trigger.event.data.count | float }}"
    - action: test.record
      data: {step: 3}
"""
    )
    with caplog.at_level(logging.ERROR):
        hub.bus.fire("go", {"count": "many"})
        await settle()
    assert recorder.data == [{"step": 1}]
    text = caplog.text
    assert "'Broken message'" in text  # the automation
    assert "action/1" in text and "Tell the Command Center" in text  # the step
    assert "automations.yaml:11" in text  # and its line
    assert "trigger.event.data.count | float" in text  # the template
    # the hub goes on: the next run works
    hub.bus.fire("go", {"count": "2"})
    await settle()
    assert recorder.data[-3:] == [{"step": 1}, {"message": 2.0}, {"step": 3}]
    assert engine_of(hub).automations["broken"].traces()[0].script_execution == "error"


async def test_template_syntax_error_is_a_config_error(automation_hub):
    hub = await automation_hub(
        """
- id: bad
  triggers: [{trigger: event, event_type: go}]
  actions:
    - action: test.record
      data:
        message: "{{ trigger.event.data.count | float }"
""",
        start=False,
    )
    errors = hub.load()
    assert len(errors) == 1
    assert "automations.yaml:7" in str(errors[0]) and "template syntax error" in str(errors[0])
