"""Every condition type and form; each case fails if the condition misbehaves."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hub.core.automation import CLOCK, FakeClock
from hub.core.automation.sun import sun_event

from .conftest import settle

WITA = ZoneInfo("Asia/Makassar")


def automation(conditions: str) -> str:
    return f"""
- mode: parallel
  triggers:
    - trigger: event
      event_type: go
      id: go
    - trigger: event
      event_type: other
      id: other
  conditions:
{conditions}
  actions:
    - action: test.record
"""


async def passes(hub, recorder, event: str = "go") -> bool:
    before = len(recorder.calls)
    hub.bus.fire(event, {})
    await settle()
    return len(recorder.calls) > before


async def test_state_condition_single_list_attribute_and_match_any(automation_hub, recorder):
    hub = await automation_hub(
        automation(
            """
    - condition: state
      entity_id: [siren.a, siren.b]
      state: ["off", "unknown"]
      match: any
    - condition: state
      entity_id: door.x
      attribute: mode
      state: night
"""
        )
    )
    hub.states.set("siren.a", "on")
    hub.states.set("siren.b", "on")
    hub.states.set("door.x", "locked", {"mode": "night"})
    assert not await passes(hub, recorder)
    hub.states.set("siren.b", "off")
    assert await passes(hub, recorder)
    hub.states.set("door.x", "locked", {"mode": "day"})
    assert not await passes(hub, recorder)


async def test_state_condition_unquoted_on_off(automation_hub, recorder):
    # YAML 1.1 reads an unquoted on as true; it still means the state "on".
    hub = await automation_hub(
        automation("    - condition: state\n      entity_id: siren.a\n      state: on\n")
    )
    hub.states.set("siren.a", "on")
    assert await passes(hub, recorder)


async def test_state_condition_for(automation_hub, recorder):
    hub = await automation_hub(
        automation(
            "    - condition: state\n      entity_id: door.x\n"
            "      state: unlocked\n      for: 300\n"
        )
    )
    clock = hub.data[CLOCK]
    hub.states.set("door.x", "unlocked")
    await clock.advance(299)
    assert not await passes(hub, recorder)
    await clock.advance(2)
    assert await passes(hub, recorder)


async def test_numeric_state_condition(automation_hub, recorder):
    hub = await automation_hub(
        automation(
            """
    - condition: numeric_state
      entity_id: sensor.t
      above: 17
      below: sensor.limit
"""
        )
    )
    hub.states.set("sensor.limit", "25")
    for value, expected in (("17", False), ("20", True), ("25", False), ("abc", False)):
        hub.states.set("sensor.t", value)
        assert await passes(hub, recorder) is expected, value


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 27, 23, 0, tzinfo=WITA), True),  # a Friday, after 22:00
        (datetime(2026, 11, 28, 5, 59, tzinfo=WITA), False),  # Saturday: not a listed weekday
        (datetime(2026, 11, 27, 5, 59, tzinfo=WITA), True),  # Friday before 06:00 (across midnight)
        (datetime(2026, 11, 27, 12, 0, tzinfo=WITA), False),  # midday
    ],
)
async def test_time_condition_across_midnight_and_weekday(
    automation_hub, recorder, moment, expected
):
    hub = await automation_hub(
        automation(
            """
    - condition: time
      after: "22:00:00"
      before: "06:00:00"
      weekday: [mon, tue, wed, thu, fri]
"""
        ),
        clock=FakeClock(moment),
    )
    assert await passes(hub, recorder) is expected


async def test_sun_condition_night(automation_hub, recorder):
    day = datetime(2026, 11, 27, 12, 0, tzinfo=WITA)
    hub = await automation_hub(
        automation(
            """
    - condition: sun
      after: sunset
      after_offset: "00:10:00"
      before: sunrise
"""
        ),
        clock=FakeClock(day),
    )
    clock = hub.data[CLOCK]
    assert not await passes(hub, recorder)  # midday
    sunset = sun_event(hub, "sunset", day.date())
    await clock.set_time(sunset + timedelta(minutes=5))
    assert not await passes(hub, recorder)  # offset not over yet
    await clock.set_time(sunset + timedelta(minutes=11))
    assert await passes(hub, recorder)


async def test_template_condition_and_shorthand(automation_hub, recorder):
    hub = await automation_hub(
        automation(
            """
    - condition: template
      value_template: "{{ states('sensor.guards') | int(0) < 2 }}"
    - "{{ is_state('hub.mode', 'armed') }}"
"""
        )
    )
    hub.states.set("sensor.guards", "1")
    hub.states.set("hub.mode", "armed")
    assert await passes(hub, recorder)
    hub.states.set("hub.mode", "disarmed")
    assert not await passes(hub, recorder)


async def test_and_or_not_full_and_shorthand(automation_hub, recorder):
    hub = await automation_hub(
        automation(
            """
    - condition: or
      conditions:
        - condition: state
          entity_id: sensor.a
          state: "1"
        - and:
            - condition: state
              entity_id: sensor.b
              state: "1"
            - "{{ is_state('sensor.c', '1') }}"
    - not:
        - condition: state
          entity_id: sensor.d
          state: "1"
"""
        )
    )
    for name in "abcd":
        hub.states.set(f"sensor.{name}", "0")
    assert not await passes(hub, recorder)
    hub.states.set("sensor.a", "1")
    assert await passes(hub, recorder)
    hub.states.set("sensor.d", "1")
    assert not await passes(hub, recorder)
    hub.states.set("sensor.d", "0")
    hub.states.set("sensor.a", "0")
    hub.states.set("sensor.b", "1")
    assert not await passes(hub, recorder)
    hub.states.set("sensor.c", "1")
    assert await passes(hub, recorder)


async def test_trigger_condition(automation_hub, recorder):
    hub = await automation_hub(automation("    - condition: trigger\n      id: [other]\n"))
    assert not await passes(hub, recorder, "go")
    assert await passes(hub, recorder, "other")


async def test_disabled_condition_is_skipped(automation_hub, recorder):
    hub = await automation_hub(
        automation(
            "    - condition: template\n      value_template: '{{ false }}'\n      enabled: false\n"
        )
    )
    assert await passes(hub, recorder)
