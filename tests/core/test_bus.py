"""The event bus: fire, listen (with and without a filter), MATCH_ALL,
listen_once, listener_count, unsubscribe, drain, and listener faults."""

from __future__ import annotations

import asyncio
import logging

import pytest

from hub import MATCH_ALL, Context, Event
from hub.core.bus import EventBus


@pytest.fixture
def failures() -> list[tuple[str, BaseException]]:
    return []


@pytest.fixture
def bus(failures: list[tuple[str, BaseException]]) -> EventBus:
    return EventBus(on_listener_error=lambda owner, err: failures.append((owner, err)))


def test_fire_hands_the_event_to_its_listeners_and_returns_it(bus: EventBus) -> None:
    got: list[Event] = []
    bus.listen("camera.motion", got.append)
    context = Context(user_id="operator")

    event = bus.fire("camera.motion", {"entity_id": "camera.dinkes_lobi"}, context, origin="remote")

    assert got == [event]
    assert event.event_type == "camera.motion"
    assert event.data == {"entity_id": "camera.dinkes_lobi"}
    assert event.context is context
    assert event.origin == "remote"
    assert event.time_fired > 0


def test_fire_without_data_or_context_gives_fresh_ones(bus: EventBus) -> None:
    first = bus.fire("hub.started")
    second = bus.fire("hub.started")
    assert first.data == {} and first.origin == "local"
    assert first.context.id != second.context.id


def test_listeners_get_only_their_event_type(bus: EventBus) -> None:
    motion: list[Event] = []
    forced: list[Event] = []
    bus.listen("camera.motion", motion.append)
    bus.listen("door.forced", forced.append)

    bus.fire("camera.motion")
    bus.fire("camera.motion")
    bus.fire("door.forced")
    bus.fire("door.opened")

    assert [e.event_type for e in motion] == ["camera.motion", "camera.motion"]
    assert [e.event_type for e in forced] == ["door.forced"]


def test_listeners_are_called_in_subscription_order(bus: EventBus) -> None:
    order: list[str] = []
    bus.listen("x.y", lambda e: order.append("first"))
    bus.listen("x.y", lambda e: order.append("second"))
    bus.listen(MATCH_ALL, lambda e: order.append("all"))
    bus.fire("x.y")
    assert order == ["first", "second", "all"]


def test_fire_event_hands_over_an_existing_event(bus: EventBus) -> None:
    got: list[Event] = []
    bus.listen("door.forced", got.append)
    event = Event("door.forced", {"door": "door.a"}, origin="edge-hub", time_fired=12.5)

    assert bus.fire_event(event) is None
    assert got == [event]
    assert got[0].time_fired == 12.5 and got[0].origin == "edge-hub"


def test_filter_decides_which_events_a_listener_gets(bus: EventBus) -> None:
    got: list[Event] = []
    bus.listen(
        "camera.motion", got.append, lambda e: e.data.get("entity_id") == "camera.dinkes_lobi"
    )
    bus.fire("camera.motion", {"entity_id": "camera.other"})
    bus.fire("camera.motion", {"entity_id": "camera.dinkes_lobi"})
    assert [e.data["entity_id"] for e in got] == ["camera.dinkes_lobi"]


def test_match_all_gets_every_event_once(bus: EventBus) -> None:
    got: list[str] = []
    bus.listen(MATCH_ALL, lambda e: got.append(e.event_type))
    bus.fire("camera.motion")
    bus.fire("door.forced")
    bus.fire(MATCH_ALL)
    assert got == ["camera.motion", "door.forced", MATCH_ALL]


def test_match_all_with_a_filter(bus: EventBus) -> None:
    got: list[str] = []
    bus.listen(MATCH_ALL, lambda e: got.append(e.event_type), lambda e: e.event_type[:4] == "door")
    bus.fire("camera.motion")
    bus.fire("door.forced")
    assert got == ["door.forced"]


def test_listener_count(bus: EventBus) -> None:
    assert bus.listener_count() == 0
    assert bus.listener_count("camera.motion") == 0
    undo_a = bus.listen("camera.motion", lambda e: None)
    bus.listen("camera.motion", lambda e: None)
    bus.listen("door.forced", lambda e: None)
    bus.listen(MATCH_ALL, lambda e: None)
    assert bus.listener_count("camera.motion") == 2
    assert bus.listener_count("door.forced") == 1
    assert bus.listener_count(MATCH_ALL) == 1
    assert bus.listener_count() == 4
    undo_a()
    assert bus.listener_count("camera.motion") == 1
    assert bus.listener_count() == 3


def test_unsubscribe_stops_delivery(bus: EventBus) -> None:
    got: list[Event] = []
    unsubscribe = bus.listen("camera.motion", got.append)
    bus.fire("camera.motion")
    unsubscribe()
    bus.fire("camera.motion")
    assert len(got) == 1
    assert bus.listener_count() == 0


def test_unsubscribe_removes_only_its_own_subscription(bus: EventBus) -> None:
    got: list[str] = []

    def listener(event: Event) -> None:
        got.append(event.event_type)

    # the same function subscribed twice: two subscriptions, undone separately
    first = bus.listen("camera.motion", listener)
    bus.listen("camera.motion", listener)
    first()
    bus.fire("camera.motion")
    assert got == ["camera.motion"]


def test_double_unsubscribe_is_harmless(bus: EventBus) -> None:
    got: list[str] = []
    unsubscribe = bus.listen("camera.motion", lambda e: got.append("a"))
    bus.listen("camera.motion", lambda e: got.append("b"))
    unsubscribe()
    unsubscribe()
    bus.fire("camera.motion")
    assert got == ["b"]
    assert bus.listener_count("camera.motion") == 1


def test_unsubscribe_of_a_match_all_listener(bus: EventBus) -> None:
    got: list[Event] = []
    unsubscribe = bus.listen(MATCH_ALL, got.append)
    unsubscribe()
    bus.fire("camera.motion")
    assert got == []


def test_listener_unsubscribing_itself_during_dispatch(bus: EventBus) -> None:
    got: list[str] = []

    def once(event: Event) -> None:
        got.append("once")
        unsubscribe()

    unsubscribe = bus.listen("x.y", once)
    bus.listen("x.y", lambda e: got.append("other"))
    bus.fire("x.y")
    bus.fire("x.y")
    assert got == ["once", "other", "other"]


def test_unsubscribe_during_dispatch_stops_a_later_listener_at_once(bus: EventBus) -> None:
    """A listener switched off by an earlier one (an automation turned off by
    the event it is handling) never runs again, not even for this event."""
    got: list[str] = []
    bus.listen("x.y", lambda e: (got.append("first"), unsubscribe_second()))
    unsubscribe_second = bus.listen("x.y", lambda e: got.append("second"))
    bus.fire("x.y")
    bus.fire("x.y")
    assert got == ["first", "first"]


def test_listener_subscribed_during_dispatch_gets_the_next_event(bus: EventBus) -> None:
    got: list[str] = []

    def subscribe_another(event: Event) -> None:
        got.append("first")
        if len(got) == 1:
            bus.listen("x.y", lambda e: got.append("late"))

    bus.listen("x.y", subscribe_another)
    bus.fire("x.y")
    assert got == ["first"]
    bus.fire("x.y")
    assert got == ["first", "first", "late"]


def test_listen_once_fires_once_and_unsubscribes(bus: EventBus) -> None:
    got: list[Event] = []
    bus.listen_once("hub.started", got.append)
    assert bus.listener_count("hub.started") == 1
    first = bus.fire("hub.started")
    bus.fire("hub.started")
    assert got == [first]
    assert bus.listener_count("hub.started") == 0


def test_listen_once_waits_for_a_matching_event(bus: EventBus) -> None:
    got: list[Event] = []
    bus.listen_once("camera.motion", got.append, lambda e: e.data.get("site") == "dinkes")
    bus.fire("camera.motion", {"site": "diskominfo"})
    assert got == []
    assert bus.listener_count("camera.motion") == 1
    bus.fire("camera.motion", {"site": "dinkes"})
    bus.fire("camera.motion", {"site": "dinkes"})
    assert [e.data["site"] for e in got] == ["dinkes"]


def test_listen_once_is_not_reentered_by_an_event_fired_from_it(bus: EventBus) -> None:
    got: list[Event] = []

    def refire(event: Event) -> None:
        got.append(event)
        bus.fire("x.y")

    bus.listen_once("x.y", refire)
    bus.fire("x.y")
    assert len(got) == 1


def test_listen_once_can_be_unsubscribed_before_it_fires(bus: EventBus) -> None:
    got: list[Event] = []
    unsubscribe = bus.listen_once("x.y", got.append)
    unsubscribe()
    bus.fire("x.y")
    assert got == []
    assert bus.listener_count() == 0


async def test_listen_once_runs_a_coroutine_listener(bus: EventBus) -> None:
    got: list[Event] = []

    async def listener(event: Event) -> None:
        await asyncio.sleep(0)
        got.append(event)

    bus.listen_once("x.y", listener)
    event = bus.fire("x.y")
    bus.fire("x.y")
    await bus.drain()
    assert got == [event]


async def test_coroutine_listener_runs_as_a_task(bus: EventBus) -> None:
    got: list[Event] = []

    async def listener(event: Event) -> None:
        await asyncio.sleep(0)
        got.append(event)

    bus.listen("camera.motion", listener)
    event = bus.fire("camera.motion")
    assert got == []  # fire does not wait for coroutine listeners
    await bus.drain()
    assert got == [event]


async def test_drain_waits_for_listeners_started_while_draining(bus: EventBus) -> None:
    got: list[str] = []

    async def first(event: Event) -> None:
        await asyncio.sleep(0)
        bus.fire("second")

    async def second(event: Event) -> None:
        await asyncio.sleep(0.01)
        got.append("second done")

    bus.listen("first", first)
    bus.listen("second", second)
    bus.fire("first")
    await bus.drain()
    assert got == ["second done"]


async def test_drain_with_nothing_running_returns_at_once(bus: EventBus) -> None:
    async with asyncio.timeout(1):
        await bus.drain()


def test_a_raising_listener_is_contained_and_reported(
    bus: EventBus, failures: list[tuple[str, BaseException]], caplog: pytest.LogCaptureFixture
) -> None:
    got: list[str] = []

    def broken(event: Event) -> None:
        raise RuntimeError("vendor bug")

    bus.listen("camera.motion", lambda e: got.append("before"))
    bus.listen("camera.motion", broken, owner="acme_cameras")
    bus.listen("camera.motion", lambda e: got.append("after"))
    bus.listen(MATCH_ALL, lambda e: got.append("all"))

    with caplog.at_level(logging.ERROR):
        bus.fire("camera.motion")

    assert got == ["before", "after", "all"]
    assert [(owner, str(err)) for owner, err in failures] == [("acme_cameras", "vendor bug")]
    assert "acme_cameras" in caplog.text and "camera.motion" in caplog.text
    # the faulty listener stays subscribed and is reported again next time
    bus.fire("camera.motion")
    assert len(failures) == 2


def test_a_raising_filter_is_contained(
    bus: EventBus, failures: list[tuple[str, BaseException]]
) -> None:
    got: list[str] = []
    bus.listen("x.y", lambda e: got.append("bad"), lambda e: 1 / 0, owner="bad_filter")
    bus.listen("x.y", lambda e: got.append("good"))
    bus.fire("x.y")
    assert got == ["good"]
    assert failures[0][0] == "bad_filter"
    assert isinstance(failures[0][1], ZeroDivisionError)


def test_owner_defaults_to_the_listener_name(
    bus: EventBus, failures: list[tuple[str, BaseException]]
) -> None:
    def named_listener(event: Event) -> None:
        raise ValueError("boom")

    bus.listen("x.y", named_listener)
    bus.fire("x.y")
    assert failures[0][0].endswith("named_listener")
    assert failures[0][0].startswith(__name__)


async def test_a_raising_coroutine_listener_is_contained_and_reported(
    bus: EventBus, failures: list[tuple[str, BaseException]], caplog: pytest.LogCaptureFixture
) -> None:
    got: list[str] = []

    async def broken(event: Event) -> None:
        await asyncio.sleep(0)
        raise RuntimeError("async vendor bug")

    async def fine(event: Event) -> None:
        await asyncio.sleep(0)
        got.append("fine")

    bus.listen("door.forced", broken, owner="acme_doors")
    bus.listen("door.forced", fine)
    bus.listen("door.forced", lambda e: got.append("sync"))

    with caplog.at_level(logging.ERROR):
        bus.fire("door.forced")
        await bus.drain()

    assert sorted(got) == ["fine", "sync"]
    assert [(owner, str(err)) for owner, err in failures] == [("acme_doors", "async vendor bug")]
    assert "acme_doors" in caplog.text


def test_a_bus_without_error_callback_logs(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    got: list[str] = []
    bus.listen("x.y", lambda e: 1 / 0, owner="divider")
    bus.listen("x.y", lambda e: got.append("ok"))
    with caplog.at_level(logging.ERROR):
        bus.fire("x.y")
    assert got == ["ok"]
    assert "divider" in caplog.text


def test_event_as_dict_and_repr() -> None:
    context = Context(id="c1", user_id="u1", parent_id="p1")
    event = Event("door.forced", {"door": "door.a"}, context, "local", 100.0)
    assert event.as_dict() == {
        "event_type": "door.forced",
        "data": {"door": "door.a"},
        "context": {"id": "c1", "user_id": "u1", "parent_id": "p1", "actor": None},
        "origin": "local",
        "time_fired": 100.0,
    }
    assert "door.forced" in repr(event)


async def test_a_listener_object_with_an_async_call_is_awaited(bus: EventBus) -> None:
    class Recorder:
        def __init__(self) -> None:
            self.events: list[Event] = []

        async def __call__(self, event: Event) -> None:
            await asyncio.sleep(0)
            self.events.append(event)

    recorder = Recorder()
    bus.listen("x.y", recorder)
    event = bus.fire("x.y")
    await bus.drain()
    assert recorder.events == [event]


def test_has_listeners_counts_catch_all_listeners_too() -> None:
    bus = EventBus()
    assert not bus.has_listeners("call_service")
    unsubscribe = bus.listen("call_service", lambda e: None)
    assert bus.has_listeners("call_service")
    unsubscribe()
    assert not bus.has_listeners("call_service")
    bus.listen(MATCH_ALL, lambda e: None)
    assert bus.has_listeners("call_service")
