"""Every trigger type: one case each that fails if the type misbehaves."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hub import TriggerPlatform, hookimpl
from hub.core.automation import CLOCK, FakeClock
from hub.core.automation.sun import sun_event

from .conftest import settle

WITA = ZoneInfo("Asia/Makassar")


def record(extra: str = "") -> str:
    return f"""
  actions:
    - action: test.record
      data:
        trigger_id: "{{{{ trigger.id }}}}"
        idx: "{{{{ trigger.idx }}}}"
        platform: "{{{{ trigger.platform }}}}"{extra}
"""


async def test_event_trigger_matches_type_and_data_subset(automation_hub, recorder):
    hub = await automation_hub(
        """
- id: t
  mode: parallel
  triggers:
    - trigger: event
      event_type: [door.forced, door.held_open]
      event_data:
        site: dinkes
        detail: {zone: 2}
      id: door
"""
        + record('\n        who: "{{ trigger.event.data.person }}"')
    )
    hub.bus.fire("door.forced", {"site": "dinkes", "detail": {"zone": 2, "x": 1}, "person": "Sari"})
    hub.bus.fire("door.forced", {"site": "dinkes", "detail": {"zone": 3}})  # nested value differs
    hub.bus.fire("door.forced", {"site": "diskominfo", "detail": {"zone": 2}})  # site differs
    hub.bus.fire("door.opened", {"site": "dinkes", "detail": {"zone": 2}})  # type differs
    hub.bus.fire("door.held_open", {"site": "dinkes", "detail": {"zone": 2}, "person": "Andi"})
    await settle()
    assert recorder.data == [
        {"trigger_id": "door", "idx": 0, "platform": "event", "who": "Sari"},
        {"trigger_id": "door", "idx": 0, "platform": "event", "who": "Andi"},
    ]


async def test_event_trigger_context_user(automation_hub, recorder):
    from hub import Context

    hub = await automation_hub(
        """
- triggers:
    - trigger: event
      event_type: operator.pressed
      context: {user_id: rina}
"""
        + record()
    )
    hub.bus.fire("operator.pressed", {}, Context(user_id="budi"))
    hub.bus.fire("operator.pressed", {}, Context(user_id="rina"))
    await settle()
    assert len(recorder.calls) == 1


async def test_state_trigger_from_to_and_attribute_changes(automation_hub, recorder):
    hub = await automation_hub(
        """
- mode: parallel
  triggers:
    - trigger: state
      entity_id: [sensor.a, sensor.b]
      from: "off"
      to: "on"
"""
        + record(
            '\n        entity: "{{ trigger.entity_id }}"'
            '\n        old: "{{ trigger.from_state.state }}"'
        )
    )
    hub.states.set("sensor.a", "off")
    hub.states.set("sensor.b", "idle")
    await settle()
    hub.states.set("sensor.a", "on")  # off -> on: fires
    hub.states.set("sensor.b", "on")  # idle -> on: not from off
    hub.states.set("sensor.a", "on", {"x": 1})  # attributes only: no
    await settle()
    assert recorder.data == [
        {"trigger_id": 0, "idx": 0, "platform": "state", "entity": "sensor.a", "old": "off"}
    ]


async def test_state_trigger_not_from_not_to_and_any_change(automation_hub, recorder):
    hub = await automation_hub(
        """
- mode: parallel
  triggers:
    - trigger: state
      entity_id: sensor.a
      not_from: unavailable
      not_to: [unknown, unavailable]
      id: guarded
    - trigger: state
      entity_id: sensor.b
      id: any
"""
        + record()
    )
    hub.states.set("sensor.a", "unavailable")
    hub.states.set("sensor.b", "1")
    await settle()
    recorder.calls.clear()
    hub.states.set("sensor.a", "on")  # from unavailable: no
    hub.states.set("sensor.a", "unknown")  # to unknown: no
    hub.states.set("sensor.a", "off")  # from unknown to off: yes
    hub.states.set("sensor.b", "1", {"battery": 5})  # no from/to written: attribute change fires
    await settle()
    assert [d["trigger_id"] for d in recorder.data] == ["guarded", "any"]


async def test_state_trigger_attribute(automation_hub, recorder):
    hub = await automation_hub(
        """
- triggers:
    - trigger: state
      entity_id: siren.dinkes_halaman
      attribute: level
      to: high
"""
        + record()
    )
    hub.states.set("siren.dinkes_halaman", "on", {"level": "low"})
    hub.states.set("siren.dinkes_halaman", "on", {"level": "high"})
    hub.states.set("siren.dinkes_halaman", "off", {"level": "high"})  # attribute unchanged
    await settle()
    assert len(recorder.calls) == 1


async def test_state_trigger_for_waits_and_cancels(automation_hub, recorder):
    hub = await automation_hub(
        """
- triggers:
    - trigger: state
      entity_id: door.dinkes_lobi
      to: unlocked
      for: "00:01:00"
"""
        + record('\n        held: "{{ trigger.for.total_seconds() }}"')
    )
    clock = hub.data[CLOCK]
    hub.states.set("door.dinkes_lobi", "unlocked")
    await clock.advance(30)
    hub.states.set("door.dinkes_lobi", "locked")  # back before a minute: cancelled
    await clock.advance(60)
    assert recorder.calls == []
    hub.states.set("door.dinkes_lobi", "unlocked")
    await clock.advance(59)
    assert recorder.calls == []
    await clock.advance(1)
    assert recorder.data == [{"trigger_id": 0, "idx": 0, "platform": "state", "held": 60.0}]


async def test_numeric_state_trigger_fires_on_crossing_only(automation_hub, recorder):
    hub = await automation_hub(
        """
- mode: parallel
  triggers:
    - trigger: numeric_state
      entity_id: sensor.temperature
      above: 30
      below: 50
    - trigger: numeric_state
      entity_id: sensor.ups
      attribute: battery
      below: 20
      id: battery
    - trigger: numeric_state
      entity_id: sensor.text
      value_template: "{{ state.state | replace('C', '') | float }}"
      above: 10
      id: templated
"""
        + record()
    )
    hub.states.set("sensor.temperature", "20")
    hub.states.set("sensor.ups", "on", {"battery": 90})
    hub.states.set("sensor.text", "5C")
    await settle()
    hub.states.set("sensor.temperature", "35")  # enters the range: fires
    hub.states.set("sensor.temperature", "40")  # stays in range: no
    hub.states.set("sensor.temperature", "60")  # leaves
    hub.states.set("sensor.temperature", "45")  # enters again: fires
    hub.states.set("sensor.ups", "on", {"battery": 15})
    hub.states.set("sensor.text", "12C")
    await settle()
    assert [d["trigger_id"] for d in recorder.data] == [0, 0, "battery", "templated"]


async def test_numeric_state_trigger_for(automation_hub, recorder):
    hub = await automation_hub(
        """
- triggers:
    - trigger: numeric_state
      entity_id: sensor.temperature
      above: 30
      for: {minutes: 5}
"""
        + record()
    )
    clock = hub.data[CLOCK]
    hub.states.set("sensor.temperature", "20")
    hub.states.set("sensor.temperature", "35")
    await clock.advance(120)
    hub.states.set("sensor.temperature", "25")  # dropped out: cancelled
    await clock.advance(600)
    assert recorder.calls == []
    hub.states.set("sensor.temperature", "31")
    await clock.advance(300)
    assert len(recorder.calls) == 1


async def test_time_trigger_at_and_entity(automation_hub, recorder):
    start = datetime(2026, 11, 27, 21, 59, 0, tzinfo=WITA)
    hub = await automation_hub(
        """
- mode: parallel
  triggers:
    - trigger: time
      at: "22:00"
      id: night
    - trigger: time
      at: input_datetime.patrol
      id: patrol
"""
        + record("\n        at: \"{{ trigger.now.strftime('%H:%M') }}\""),
        clock=FakeClock(start),
    )
    clock = hub.data[CLOCK]
    hub.states.set("input_datetime.patrol", "22:30:00")
    await settle()
    await clock.advance(60)
    assert recorder.data[-1]["trigger_id"] == "night" and recorder.data[-1]["at"] == "22:00"
    await clock.advance(30 * 60)
    assert recorder.data[-1]["trigger_id"] == "patrol" and recorder.data[-1]["at"] == "22:30"
    await clock.advance(24 * 3600)  # daily
    assert [d["trigger_id"] for d in recorder.data] == ["night", "patrol", "night", "patrol"]


async def test_time_trigger_unquoted_yaml_sexagesimal(automation_hub, recorder):
    # YAML 1.1 reads 22:00:00 unquoted as a number; it still means 22:00.
    start = datetime(2026, 11, 27, 21, 59, 30, tzinfo=WITA)
    hub = await automation_hub(
        """
- triggers:
    - trigger: time
      at: 22:00:00
"""
        + record(),
        clock=FakeClock(start),
    )
    await hub.data[CLOCK].advance(31)
    assert len(recorder.calls) == 1


async def test_time_pattern_every_five_minutes(automation_hub, recorder):
    start = datetime(2026, 11, 27, 10, 2, 0, tzinfo=WITA)
    hub = await automation_hub(
        """
- mode: parallel
  triggers:
    - trigger: time_pattern
      minutes: "/5"
"""
        + record("\n        at: \"{{ trigger.now.strftime('%H:%M:%S') }}\""),
        clock=FakeClock(start),
    )
    await hub.data[CLOCK].advance(15 * 60)
    assert [d["at"] for d in recorder.data] == ["10:05:00", "10:10:00", "10:15:00"]


async def test_template_trigger_fires_on_false_to_true(automation_hub, recorder):
    hub = await automation_hub(
        """
- triggers:
    - trigger: template
      value_template: "{{ states('sensor.people') | int(0) > 3 }}"
"""
        + record()
    )
    for value in ("1", "5", "6", "2", "4"):
        hub.states.set("sensor.people", value)
        await settle()
    assert len(recorder.calls) == 2  # 1->5 and 2->4; 5->6 stays true


@pytest.mark.parametrize("spelling", ["homeassistant", "sigap"])
async def test_hub_start_and_shutdown_triggers(automation_hub, recorder, spelling):
    hub = await automation_hub(
        f"""
- mode: parallel
  triggers:
    - trigger: {spelling}
      event: start
      id: start
    - trigger: {spelling}
      event: shutdown
      id: shutdown
"""
        + record()
    )
    assert recorder.data[0]["trigger_id"] == "start"
    hub.bus.fire("hub.stopping", {})
    await settle()
    assert [d["trigger_id"] for d in recorder.data] == ["start", "shutdown"]


async def test_sun_trigger_with_offset(automation_hub, recorder):
    day = datetime(2026, 11, 27, 12, 0, tzinfo=WITA)
    hub = await automation_hub(
        """
- triggers:
    - trigger: sun
      event: sunset
      offset: "-00:30:00"
"""
        + record('\n        event: "{{ trigger.event }}"'),
        clock=FakeClock(day),
    )
    sunset = sun_event(hub, "sunset", day.date())
    assert 17 <= sunset.astimezone(WITA).hour <= 19  # Bontang, near the equator
    clock = hub.data[CLOCK]
    await clock.set_time(sunset - timedelta(minutes=31))
    assert recorder.calls == []
    await clock.set_time(sunset - timedelta(minutes=29))
    assert recorder.data == [{"trigger_id": 0, "idx": 0, "platform": "sun", "event": "sunset"}]


async def test_disabled_trigger_and_trigger_variables(automation_hub, recorder):
    hub = await automation_hub(
        """
- trigger_variables:
    watched: camera.dinkes_lobi
  variables:
    label: "motion at {{ trigger.event.data.entity_id }}"
  triggers:
    - trigger: event
      event_type: camera.motion
      event_data:
        entity_id: "{{ watched }}"
    - trigger: event
      event_type: camera.motion
      enabled: false
  actions:
    - action: test.record
      data:
        label: "{{ label }}"
"""
    )
    hub.bus.fire("camera.motion", {"entity_id": "camera.dinkes_halaman"})
    hub.bus.fire("camera.motion", {"entity_id": "camera.dinkes_lobi"})
    await settle()
    assert recorder.data == [{"label": "motion at camera.dinkes_lobi"}]


class DoorbellTrigger(TriggerPlatform):
    """A plugin's own trigger type, as the MQTT plugin adds `mqtt`."""

    platform = "doorbell"
    import voluptuous as _vol

    CONFIG_SCHEMA = {_vol.Required("button"): str}

    async def attach(self, action):
        def pressed(event):
            if event.data.get("button") == self.config["button"]:
                action({"platform": "doorbell", "button": self.config["button"]}, event.context)

        return self.hub.bus.listen("doorbell.pressed", pressed)


class DoorbellPlugin:
    name = "doorbell"

    @hookimpl
    def sigap_trigger_platforms(self, hub):
        return [DoorbellTrigger]


async def test_plugin_trigger_platform(hub_factory, recorder, tmp_path):
    from .conftest import write_config

    folder = write_config(
        tmp_path / "c",
        """
- triggers:
    - trigger: doorbell
      button: front
  actions:
    - action: test.record
      data: {button: "{{ trigger.button }}", platform: "{{ trigger.platform }}"}
""",
    )
    hub = await hub_factory(
        config_dir=folder, plugins=["hub.plugins.demo", DoorbellPlugin()], start=False
    )
    hub.services.register("test", "record", recorder.handler)
    await hub.start()
    hub.bus.fire("doorbell.pressed", {"button": "back"})
    hub.bus.fire("doorbell.pressed", {"button": "front"})
    call = await recorder.next()
    assert dict(call.data) == {"button": "front", "platform": "doorbell"}
    assert len(recorder.calls) == 1


async def test_a_time_trigger_fires_at_its_minute_after_the_wall_clock_jumps(
    automation_hub, recorder
):
    # An edge box without a battery clock boots 2 h behind; NTP corrects it.
    booted = datetime(2026, 12, 1, 5, 58, 0, tzinfo=WITA)
    hub = await automation_hub(
        """
- triggers:
    - trigger: time
      at: "08:00"
"""
        + record("\n        at: \"{{ now().strftime('%H:%M:%S') }}\""),
        clock=FakeClock(booted),
    )
    clock = hub.data[CLOCK]
    await clock.jump(2 * 3600)  # now 07:58 for real
    assert recorder.calls == []
    await clock.advance(119)
    assert recorder.calls == []
    await clock.advance(1)
    assert recorder.data == [{"trigger_id": 0, "idx": 0, "platform": "time", "at": "08:00:00"}]
