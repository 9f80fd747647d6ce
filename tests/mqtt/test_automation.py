"""The `mqtt` trigger and `mqtt.publish` inside YAML automations, end to end
through a real broker."""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path

from hub.core.mqtt import MQTT
from hub.testing import EventWaiter
from hub.testing.mosquitto import Mosquitto

from .test_connection import next_message


def write_config(folder: Path, broker: Mosquitto, automations: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "configuration.yaml").write_text(
        textwrap.dedent(
            f"""\
            hub: {{name: Uji, id: uji}}
            mqtt: {{host: {broker.host}, port: {broker.port}}}
            automation: !include automations.yaml
            """
        )
    )
    (folder / "automations.yaml").write_text(textwrap.dedent(automations))
    return folder


async def test_camera_event_to_siren_command(hub_factory, mosquitto, observer, tmp_path):
    folder = write_config(
        tmp_path / "config",
        mosquitto,
        """\
        - id: kamera_ke_sirene
          mode: parallel
          triggers:
            - trigger: mqtt
              topic: bench/cam/+/motion
          actions:
            - action: mqtt.publish
              data:
                topic: "bench/siren/{{ trigger.topic.split('/')[2] }}/set"
                payload: '{"seq": {{ trigger.payload_json.seq }}, "qos": {{ trigger.qos }}}'
                qos: 1
        """,
    )
    await hub_factory(config_dir=folder)
    await observer.subscribe("bench/siren/+/set", qos=1)
    await observer.publish("bench/cam/7/motion", json.dumps({"seq": 41, "event": "motion"}), qos=1)
    message = await next_message(observer)
    assert message.topic.value == "bench/siren/7/set"
    assert json.loads(message.payload) == {"seq": 41, "qos": 1}


async def test_payload_and_value_template_pick_the_messages(
    hub_factory, mosquitto, observer, tmp_path
):
    folder = write_config(
        tmp_path / "config",
        mosquitto,
        """\
        - id: pintu_terbuka
          triggers:
            - trigger: mqtt
              topic: pintu/+/kontak
              payload: "open"
              value_template: "{{ value_json.state }}"
          actions:
            - action: mqtt.publish
              data: {topic: laporan, payload: "{{ trigger.topic }}"}
        - id: tombol
          triggers:
            - trigger: mqtt
              topic: tombol/#
              payload: "ON"
          actions:
            - action: mqtt.publish
              data: {topic: laporan, payload: "tombol {{ trigger.payload }}"}
        """,
    )
    await hub_factory(config_dir=folder)
    await observer.subscribe("laporan", qos=1)
    await observer.publish("pintu/arsip/kontak", '{"state": "closed"}', qos=1)
    await observer.publish("tombol/lobi/a", "OFF", qos=1)
    await observer.publish("pintu/arsip/kontak", '{"state": "open"}', qos=1)
    await observer.publish("tombol/lobi/a", "ON", qos=1)
    seen = {(await next_message(observer)).payload for _ in range(2)}
    assert seen == {b"pintu/arsip/kontak", b"tombol ON"}
    try:
        async with asyncio.timeout(0.3):
            extra = await anext(aiter(observer.messages))
    except TimeoutError:
        return
    raise AssertionError(f"a message that should not trigger did: {extra.payload!r}")


async def test_mqtt_trigger_without_mqtt_section_is_reported(hub_factory, tmp_path, caplog):
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "configuration.yaml").write_text(
        textwrap.dedent(
            """\
            hub: {name: Uji}
            automation:
              - id: a
                triggers: [{trigger: mqtt, topic: x/y}]
                actions: [{action: mqtt.publish, data: {topic: z}}]
            """
        )
    )
    await hub_factory(config_dir=folder)
    assert "add an `mqtt:` section" in caplog.text


def test_topic_filters_are_checked_in_the_config():
    from hub.core.mqtt.trigger import _topic_filter

    for bad in ("a/b#", "a/#/c", "a+/b", ""):
        try:
            _topic_filter(bad)
        except Exception as err:
            assert "must" in str(err) or "empty" in str(err)
        else:
            raise AssertionError(f"{bad!r} passed")
    assert _topic_filter("a/+/c/#") == "a/+/c/#"


async def test_a_removed_automation_leaves_no_subscription_in_the_persistent_session(
    hub_factory, mosquitto, observer, tmp_path
):
    def automation(topic: str) -> str:
        return f"""\
            - id: pintu
              triggers:
                - trigger: mqtt
                  topic: {topic}
              actions:
                - event: pintu_bergerak
            """

    folder = write_config(tmp_path / "config", mosquitto, automation("gedung/lama/#"))
    before = await hub_factory(config_dir=folder)
    await before.stop()  # the broker keeps gedung/lama/# in the hub's session
    # the admin moves the automation to other topics and starts the hub again
    write_config(folder, mosquitto, automation("gedung/baru/#"))
    hub = await hub_factory(config_dir=folder)
    connection = hub.data[MQTT]
    async with asyncio.timeout(5):
        while connection.stale_filters:  # noqa: ASYNC110 - the unsubscribe has no event
            await asyncio.sleep(0.02)
    delivered: list[str] = []
    receive = connection._client._deliver
    connection._client._deliver = lambda raw: (delivered.append(raw.topic), receive(raw))
    with EventWaiter(hub, "pintu_bergerak") as moved:
        await observer.publish("gedung/lama/pintu", "buka", qos=1)
        await observer.publish("gedung/baru/pintu", "buka", qos=1)
        await moved.wait(5)
    # in order from one publisher: had the old filter stayed, its message came first
    assert delivered == ["gedung/baru/pintu"]
