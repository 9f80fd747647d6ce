"""An automation acts as itself on behalf of whoever caused its trigger:
its service calls carry the person of the trigger's context and the actor
`automation:<id>`, and each one is announced as a `call_service` event."""

from hub import Context
from hub.core.services import EVENT_CALL_SERVICE

UNLOCK_ON_REQUEST = """
- id: buka_pintu_lobi
  triggers:
    - trigger: event
      event_type: permintaan.buka_pintu
  actions:
    - action: test.record
      data:
        entity_id: door.dinkes_lobi
        pin: "2468"
"""


async def test_service_calls_of_a_run_carry_the_person_and_the_automation(automation_hub, recorder):
    hub = await automation_hub(UNLOCK_ON_REQUEST)
    announced = []
    hub.bus.listen(EVENT_CALL_SERVICE, announced.append)
    asked = Context(user_id="sari", actor="telegram:5550123")
    hub.bus.fire("permintaan.buka_pintu", {}, asked)
    call = await recorder.next()
    assert call.context.user_id == "sari"
    assert call.context.actor == "automation:buka_pintu_lobi"
    assert call.context.parent_id is not None  # the run's context, child of the request
    await hub.bus.drain()
    (event,) = [e for e in announced if e.data["domain"] == "test"]
    assert event.data["user_id"] == "sari"
    assert event.data["actor"] == "automation:buka_pintu_lobi"
    assert event.data["service_data"] == {"entity_id": "door.dinkes_lobi", "pin": "***"}
