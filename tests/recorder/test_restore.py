"""After a restart the hub knows what it knew: each entity's last state
(hub.recorder.last_state, read before devices and automations start) and
when each automation last ran."""

from __future__ import annotations

from hub.core.clock import FakeClock
from hub.testing.waiting import wait_for_state

AUTOMATION = {
    "automation": [
        {
            "id": "pintu_dibobol",
            "alias": "Pintu dibobol",
            "triggers": [{"trigger": "event", "event_type": "door.forced"}],
            "actions": [{"event": "uji.sirene"}],
        }
    ]
}


async def test_an_automation_s_last_triggered_survives_a_restart(hub_factory, db_url):
    config = {**AUTOMATION, "recorder": {"db_url": db_url}}
    first = await hub_factory(config=config)
    entity_id = "automation.pintu_dibobol"
    assert first.states.get(entity_id).attributes["last_triggered"] is None
    first.bus.fire("door.forced", {"entity_id": "door.server"})
    ran = await wait_for_state(
        first, entity_id, lambda s: s.attributes.get("last_triggered") is not None
    )
    when = ran.attributes["last_triggered"]
    await first.stop()

    second = await hub_factory(config=config, clock=FakeClock())
    assert second.states.get(entity_id).attributes["last_triggered"] == when
