"""The shared connection against a real Mosquitto: subscriptions shared per
filter, dispatch that a slow handler cannot stall, birth and last will."""

from __future__ import annotations

import asyncio

import aiomqtt

from hub.core.mqtt import EVENT_MQTT_CONNECTED, EVENT_MQTT_DISCONNECTED, Message, MqttNotConnected
from hub.testing import EventWaiter, wait_for_event

from .conftest import connection_of


async def next_message(client: aiomqtt.Client) -> aiomqtt.Message:
    async with asyncio.timeout(5):
        return await anext(aiter(client.messages))


async def test_no_mqtt_section_leaves_the_room_idle(hub_factory):
    hub = await hub_factory({"hub": {"id": "uji"}})
    assert "mqtt" not in [k.name for k in hub.data]
    assert not hub.services.has("mqtt", "publish")
    assert hub.trigger_platforms["mqtt"].platform == "mqtt"


async def test_subscribers_of_one_filter_share_one_subscription(hub_factory, hub_config, observer):
    hub = await hub_factory(hub_config)
    conn = connection_of(hub)
    first: list[Message] = []
    second: list[str] = []
    got_two = asyncio.Event()

    def on_second(message: Message) -> None:
        second.append(message.text)
        if len(second) == 2:
            got_two.set()

    undo_first = await conn.subscribe("gedung/+/pintu", first.append)
    undo_second = await conn.subscribe("gedung/+/pintu", on_second)
    assert list(conn._filters) == ["gedung/+/pintu"]  # one broker subscription

    await observer.publish("gedung/dinkes/pintu", "buka", qos=1)
    undo_first()
    await observer.publish("gedung/dinkes/pintu", "tutup", qos=1)
    async with asyncio.timeout(5):
        await got_two.wait()
    assert [m.text for m in first] == ["buka"]
    assert second == ["buka", "tutup"]
    assert first[0].topic == "gedung/dinkes/pintu" and first[0].qos == 1

    undo_second()
    assert conn._filters == {}


async def test_a_slow_handler_never_stalls_the_others(hub_factory, hub_config, observer):
    hub = await hub_factory(hub_config)
    conn = connection_of(hub)
    release = asyncio.Event()
    slow_started: list[str] = []
    fast: list[str] = []
    all_fast = asyncio.Event()

    async def slow(message: Message) -> None:
        slow_started.append(message.text)
        await release.wait()  # stuck until the test lets go

    def quick(message: Message) -> None:
        fast.append(message.text)
        if len(fast) == 20:
            all_fast.set()

    await conn.subscribe("uji/lambat", slow)
    await conn.subscribe("uji/#", quick)
    for i in range(20):
        await observer.publish("uji/lambat", str(i), qos=1)
    async with asyncio.timeout(5):
        await all_fast.wait()
    assert fast == [str(i) for i in range(20)]
    assert len(slow_started) == 20  # each slow handler runs as its own task
    release.set()


async def test_publish_reaches_the_broker_and_retains_only_when_asked(
    hub_factory, hub_config, observer
):
    hub = await hub_factory(hub_config)
    await observer.subscribe("sirene/#", qos=1)
    await hub.services.call(
        "mqtt", "publish", {"topic": "sirene/halaman/set", "payload": {"seq": 7}, "qos": 1}
    )
    message = await next_message(observer)
    assert message.topic.value == "sirene/halaman/set"
    assert message.payload == b'{"seq":7}'
    assert message.retain is False


async def test_status_topic_shows_offline_by_last_will_then_online(
    hub_factory, hub_config, observer, mosquitto
):
    hub = await hub_factory(hub_config)
    conn = connection_of(hub)
    await observer.subscribe("sigap/uji/status", qos=1)
    first = await next_message(observer)
    assert first.payload == b"online" and first.retain  # the retained birth message

    reconnected = asyncio.ensure_future(wait_for_event(hub, EVENT_MQTT_CONNECTED, timeout=10))
    conn.drop_connection()  # a network fault: no DISCONNECT, so the broker sends the will
    offline = await next_message(observer)
    assert offline.payload == b"offline"
    await reconnected
    online = await next_message(observer)
    assert online.payload == b"online"
    assert conn.connects == 2


async def test_publishing_while_the_broker_is_away_fails_clearly(
    hub_factory, hub_config, mosquitto
):
    hub = await hub_factory(hub_config)
    conn = connection_of(hub)
    with EventWaiter(hub, EVENT_MQTT_DISCONNECTED) as lost:
        mosquitto.stop()
        await lost.wait()
    assert not conn.connected
    try:
        await conn.publish("sirene/halaman/set", "ON", qos=1)
    except MqttNotConnected as err:
        assert f"{mosquitto.host}:{mosquitto.port}" in str(err)
        assert "sirene/halaman/set" in str(err)
    else:
        raise AssertionError("publish without a broker must fail")
