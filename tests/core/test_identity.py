"""Who is asking, on every call: the Context names the person or the actor,
the hub's one policy decides, and every service call is announced as a
`call_service` event (what the audit records), its secrets masked."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from hub import Context, Event, ServiceCall
from hub.core.bus import EventBus
from hub.core.config.secrets import register_secret
from hub.core.permissions import PermissionDenied, Policy, denied_call
from hub.core.services import EVENT_CALL_SERVICE, ServiceRegistry
from hub.core.state import StateMachine


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def announced(bus: EventBus) -> list[Event]:
    got: list[Event] = []
    bus.listen(EVENT_CALL_SERVICE, got.append)
    return got


@pytest.fixture
def services(bus: EventBus) -> ServiceRegistry:
    registry = ServiceRegistry(bus)

    async def unlock(call: ServiceCall) -> None:
        return None

    registry.register("door", "unlock", unlock)
    return registry


async def test_call_service_carries_who_asked(services, announced, bus):
    tap = Context(user_id="sari", actor="telegram:5550123")
    await services.call("door", "unlock", {"entity_id": "door.server", "duration": 5}, tap)
    await bus.drain()
    (event,) = announced
    assert event.context is tap
    assert event.data == {
        "domain": "door",
        "service": "unlock",
        "service_data": {"entity_id": "door.server", "duration": 5},
        "user_id": "sari",
        "actor": "telegram:5550123",
    }


async def test_call_service_data_is_json_with_secrets_masked(services, announced, bus):
    register_secret("kode-rahasia-7731")
    data = {
        "entity_id": ["door.server"],
        "code": "1234",
        "note": "opened with kode-rahasia-7731",
        "for": dt.timedelta(seconds=90),
        "at": dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC),
    }
    await services.call("door", "unlock", data, Context(actor="api-token:simpeg"))
    await bus.drain()
    sent = announced[0].data["service_data"]
    assert sent == {
        "entity_id": ["door.server"],
        "code": "***",
        "note": "opened with ***",
        "for": 90.0,
        "at": "2026-12-01T08:00:00+00:00",
    }
    json.dumps(announced[0].data)  # plain JSON, nothing live inside


class NoDoorsForStaff(Policy):
    def check_call(self, context: Context, domain: str, service: str, data: Any) -> None:
        if domain == "door" and context.user_id == "budi":
            raise denied_call(context, domain, service)

    def may_read(self, context, state) -> bool:
        return not (state.domain == "door" and context.user_id == "budi")


async def test_the_policy_decides_and_a_refusal_is_announced_too(services, announced, bus):
    services.policy = NoDoorsForStaff()
    ran: list[ServiceCall] = []

    async def lock(call: ServiceCall) -> None:
        ran.append(call)

    services.register("door", "lock", lock)
    with pytest.raises(PermissionDenied) as refused:
        await services.call("door", "lock", {"entity_id": "door.server"}, Context(user_id="budi"))
    assert ran == []
    assert str(refused.value) == "budi may not call door.lock"
    assert refused.value.args[0].render("id") == "budi tidak berhak memanggil door.lock"
    await services.call("door", "lock", {"entity_id": "door.server"}, Context(user_id="sari"))
    assert len(ran) == 1
    await bus.drain()
    assert [e.data.get("denied", False) for e in announced] == [True, False]


async def test_reads_on_someones_behalf_ask_the_policy(bus):
    states = StateMachine(bus, policy=NoDoorsForStaff())
    states.set("door.server", "locked")
    states.set("siren.yard", "off")
    budi, sari = Context(user_id="budi"), Context(user_id="sari")
    assert [s.entity_id for s in states.visible(budi)] == ["siren.yard"]
    assert {s.entity_id for s in states.visible(sari)} == {"door.server", "siren.yard"}
    with pytest.raises(PermissionDenied):
        states.read("door.server", budi)
    assert states.read("door.server", sari).state == "locked"
    assert states.get("door.server").state == "locked"  # the hub's own read


def test_a_context_names_the_actor_and_passes_the_person_on():
    tap = Context(user_id="sari", actor="telegram:5550123")
    run = tap.child("automation:pintu_server")
    assert (run.user_id, run.actor, run.parent_id) == ("sari", "automation:pintu_server", tap.id)
    assert run.who == "sari"
    assert Context(actor="api-token:simpeg").who == "api-token:simpeg"
    assert Context().who == "system"
