"""automation.reload (and SIGHUP), turn_on / turn_off / trigger."""

import os
import signal
import textwrap

import pytest

from hub import ConfigErrors
from hub.testing import wait_for_event

from .conftest import engine_of, settle

FIRST = """
- id: one
  alias: One
  triggers: [{trigger: event, event_type: go}]
  actions: [{action: test.record, data: {who: one}}]
"""

SECOND = """
- id: two
  alias: Two
  triggers: [{trigger: event, event_type: go}]
  actions: [{action: test.record, data: {who: two}}]
"""


def rewrite(hub, text: str) -> None:
    (hub.config_dir / "automations.yaml").write_text(textwrap.dedent(text))


async def fired(hub, recorder) -> list[str]:
    recorder.calls.clear()
    hub.bus.fire("go", {})
    await settle()
    return sorted(d["who"] for d in recorder.data)


async def test_reload_replaces_the_automations(automation_hub, recorder):
    hub = await automation_hub(FIRST)
    assert await fired(hub, recorder) == ["one"]
    rewrite(hub, SECOND)
    await hub.services.call("automation", "reload")
    assert await fired(hub, recorder) == ["two"]
    assert hub.states.get("automation.one") is None
    assert hub.states.get("automation.two").state == "on"


async def test_reload_with_a_mistake_changes_nothing(automation_hub, recorder):
    hub = await automation_hub(FIRST)
    rewrite(hub, SECOND + "\n- id: three\n  triggers: [{trigger: evnt}]\n  actions: []\n")
    with pytest.raises(ConfigErrors) as raised:
        await hub.services.call("automation", "reload")
    assert "automations.yaml:8:" in str(raised.value)
    assert "did you mean 'event'?" in str(raised.value)
    assert await fired(hub, recorder) == ["one"]  # still the old ones


async def test_sighup_reloads(automation_hub, recorder):
    hub = await automation_hub(FIRST)
    rewrite(hub, FIRST + SECOND)
    os.kill(os.getpid(), signal.SIGHUP)
    await wait_for_event(hub, "state_changed", lambda e: e.data["entity_id"] == "automation.two")
    await settle()
    assert await fired(hub, recorder) == ["one", "two"]


async def test_turn_off_turn_on_and_trigger(automation_hub, recorder):
    hub = await automation_hub(
        FIRST
        + """
- id: guarded
  alias: Guarded
  triggers: [{trigger: event, event_type: never}]
  conditions: "{{ false }}"
  actions: [{action: test.record, data: {who: "guarded {{ trigger.platform }} {{ extra }}"}}]
"""
    )
    await hub.services.call("automation", "turn_off", {"entity_id": "automation.one"})
    assert hub.states.get("automation.one").state == "off"
    assert await fired(hub, recorder) == []
    await hub.services.call("automation", "turn_on", {"entity_id": "one"})
    assert hub.states.get("automation.one").state == "on"
    assert await fired(hub, recorder) == ["one"]
    recorder.calls.clear()
    # trigger skips the conditions by default, as in Home Assistant
    await hub.services.call(
        "automation", "trigger", {"entity_id": "automation.guarded", "variables": {"extra": "x"}}
    )
    await settle()
    assert recorder.data == [{"who": "guarded None x"}]
    recorder.calls.clear()
    await hub.services.call(
        "automation", "trigger", {"entity_id": "automation.guarded", "skip_condition": False}
    )
    await settle()
    assert recorder.calls == []


async def test_initial_state_off(automation_hub, recorder):
    hub = await automation_hub(FIRST.replace("alias: One", "alias: One\n  initial_state: false"))
    assert hub.states.get("automation.one").state == "off"
    assert await fired(hub, recorder) == []


async def test_automation_entity_attributes(automation_hub, recorder):
    hub = await automation_hub(FIRST)
    await fired(hub, recorder)
    engine = engine_of(hub)
    engine._write_dirty()
    attributes = hub.states.get("automation.one").attributes
    assert attributes["id"] == "one" and attributes["friendly_name"] == "One"
    assert attributes["last_triggered"] is not None


async def test_automation_triggered_event(automation_hub, recorder):
    from hub import Context

    hub = await automation_hub(
        FIRST.replace("alias: One", "alias: One\n  description: Sends a record when go fires")
    )
    cause = Context(user_id="sari")
    seen = []
    hub.bus.listen("automation.triggered", seen.append)
    hub.bus.fire("go", {}, cause)
    call = await recorder.next()
    (event,) = seen
    assert dict(event.data) == {
        "name": "One",
        "entity_id": "automation.one",
        "source": "event 'go'",
    }
    assert event.context.parent_id == cause.id and event.context.user_id == "sari"
    assert call.context is event.context
