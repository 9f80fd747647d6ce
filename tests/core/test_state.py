"""The state machine and its read-only States."""

from __future__ import annotations

import pytest

from hub import EVENT_STATE_CHANGED, STATE_UNAVAILABLE, Context, Event, State
from hub.core.bus import EventBus
from hub.core.state import InvalidEntityId, StateMachine


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def timestamp(self) -> float:
        return self.now


@pytest.fixture
def clock(states: StateMachine) -> FakeClock:
    clock = FakeClock()
    states.now = clock.timestamp  # as hub.clock = ... does
    return clock


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def changes(bus: EventBus) -> list[Event]:
    got: list[Event] = []
    bus.listen(EVENT_STATE_CHANGED, got.append)
    return got


@pytest.fixture
def states(bus: EventBus) -> StateMachine:
    return StateMachine(bus)


def test_first_set_fires_state_changed_without_old_state(
    states: StateMachine, changes: list[Event]
) -> None:
    new = states.set("siren.dinkes_halaman", "off", {"site": "dinkes"})

    assert states.get("siren.dinkes_halaman") is new
    assert [e.data for e in changes] == [
        {"entity_id": "siren.dinkes_halaman", "old_state": None, "new_state": new}
    ]
    assert new.state == "off" and new.attributes == {"site": "dinkes"}


def test_change_fires_state_changed_with_old_and_new(
    states: StateMachine, changes: list[Event]
) -> None:
    old = states.set("siren.dinkes_halaman", "off")
    new = states.set("siren.dinkes_halaman", "on")
    assert changes[-1].data == {
        "entity_id": "siren.dinkes_halaman",
        "old_state": old,
        "new_state": new,
    }
    assert new.state == "on" and old.state == "off"


def test_no_event_when_nothing_changed(states: StateMachine, changes: list[Event]) -> None:
    first = states.set("door.a", "locked", {"site": "dinkes"})
    again = states.set("door.a", "locked", {"site": "dinkes"})
    assert again is first
    assert len(changes) == 1


def test_attribute_change_fires_and_keeps_last_changed(
    states: StateMachine, changes: list[Event], clock: FakeClock
) -> None:
    first = states.set("camera.a", "idle", {"last_event": "motion"})
    clock.now = 1005.0
    second = states.set("camera.a", "idle", {"last_event": "tamper"})

    assert len(changes) == 2
    assert second.last_changed == first.last_changed == 1000.0
    assert second.last_updated == 1005.0


def test_last_changed_moves_when_the_state_changes(states: StateMachine, clock: FakeClock) -> None:
    states.set("siren.a", "off")
    clock.now = 1010.0
    on = states.set("siren.a", "on")
    assert on.last_changed == on.last_updated == 1010.0


def test_force_update_fires_even_when_unchanged(
    states: StateMachine, changes: list[Event], clock: FakeClock
) -> None:
    first = states.set("camera.a", "motion")
    clock.now = 1003.0
    again = states.set("camera.a", "motion", force_update=True)

    assert again is not first
    assert len(changes) == 2
    assert changes[-1].data["old_state"] is first
    assert again.last_changed == 1000.0 and again.last_updated == 1003.0


def test_state_is_stored_as_text(states: StateMachine) -> None:
    assert states.set("sensor.a", 5).state == "5"  # type: ignore[arg-type]


def test_context_travels_with_the_state_and_its_event(
    states: StateMachine, changes: list[Event]
) -> None:
    context = Context(user_id="operator")
    new = states.set("door.a", "unlocked", context=context)
    assert new.context is context
    assert changes[-1].context is context


def test_attributes_are_read_only_and_copied(states: StateMachine) -> None:
    given = {"site": "dinkes"}
    state = states.set("siren.a", "off", given)
    with pytest.raises(TypeError):
        state.attributes["site"] = "elsewhere"  # type: ignore[index]
    given["site"] = "changed later"
    assert state.attributes["site"] == "dinkes"


def test_state_is_read_only() -> None:
    state = State("siren.a", "off")
    with pytest.raises(AttributeError, match="read-only"):
        state.state = "on"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="read-only"):
        state.new_field = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="read-only"):
        del state.state
    assert state.state == "off"


def test_state_fields() -> None:
    state = State("camera.dinkes_lobi", STATE_UNAVAILABLE, {"friendly_name": "Kamera Lobi"})
    assert (state.domain, state.object_id) == ("camera", "dinkes_lobi")
    assert state.name == "Kamera Lobi"
    assert state.available is False
    assert State("camera.x", "idle").name == "x"
    assert State("camera.x", "idle").available is True
    as_dict = state.as_dict()
    assert as_dict["entity_id"] == "camera.dinkes_lobi"
    assert as_dict["attributes"] == {"friendly_name": "Kamera Lobi"}
    assert as_dict["context"]["id"] == state.context.id


def test_state_equality_ignores_time_and_context() -> None:
    assert State("a.b", "on", {"x": 1}, last_updated=1.0) == State("a.b", "on", {"x": 1})
    assert State("a.b", "on") != State("a.b", "off")
    assert State("a.b", "on", {"x": 1}) != State("a.b", "on", {"x": 2})
    with pytest.raises(TypeError):
        hash(State("a.b", "on"))


def test_remove_fires_state_changed_with_no_new_state(
    states: StateMachine, changes: list[Event]
) -> None:
    old = states.set("door.a", "locked")
    assert states.remove("door.a") is True
    assert "door.a" not in states
    assert states.get("door.a") is None
    assert changes[-1].data == {"entity_id": "door.a", "old_state": old, "new_state": None}


def test_remove_of_an_unknown_entity(states: StateMachine, changes: list[Event]) -> None:
    assert states.remove("door.nowhere") is False
    assert changes == []


@pytest.mark.parametrize(
    "entity_id", ["Camera.Lobi", "camera", "camera.", ".lobi", "camera.lobi utara", "a.b.c", ""]
)
def test_invalid_entity_id(states: StateMachine, changes: list[Event], entity_id: str) -> None:
    with pytest.raises(InvalidEntityId, match=r"camera\.dinkes_lobby") as info:
        states.set(entity_id, "idle")
    assert repr(entity_id) in str(info.value)
    assert isinstance(info.value, ValueError)
    assert changes == []
    assert entity_id not in states


def test_listing_states(states: StateMachine) -> None:
    states.set("camera.a", "idle")
    states.set("camera.b", "idle")
    states.set("door.a", "locked")
    assert sorted(states.entity_ids()) == ["camera.a", "camera.b", "door.a"]
    assert sorted(states.entity_ids("camera")) == ["camera.a", "camera.b"]
    assert [s.entity_id for s in states.all("door")] == ["door.a"]
    assert len(states.all()) == 3
    assert "camera.a" in states and "camera.c" not in states
