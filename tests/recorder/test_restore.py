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


async def test_the_arming_state_survives_a_restart_on_either_database(hub_factory, db_url):
    """The arming state is kept apart from the recorder (.storage/arming.json,
    written after each change): a building armed stays armed even if the
    database lost its last rows (docs/recorder.md, what stays a file)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.arming.test_arming import AUTOMATION, PANEL, call, config

    clock = FakeClock(datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Asia/Makassar")))
    settings = {**config(arming_time=0), "recorder": {"db_url": db_url}}
    first = await hub_factory(config=settings, plugins=["hub.plugins.arming"], clock=clock)
    await call(first, "arm_night", AUTOMATION)
    assert first.states.get(PANEL).state == "armed_night"
    await first.stop()
    second = await hub_factory(config=settings, plugins=["hub.plugins.arming"], clock=clock)
    assert second.states.get(PANEL).state == "armed_night"
    assert second.recorder.last_state(PANEL)["state"] == "armed_night"  # and recorded
