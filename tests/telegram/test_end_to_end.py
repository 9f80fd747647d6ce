"""Issue 12's story on FakeTelegram, with a real broker and a simulated
Tasmota siren: camera motion -> automation -> siren on and alarm.raise ->
a photo alert with the button to each person on duty -> Andi taps ->
the alarm is acknowledged as Andi -> Budi's alert is edited to say so ->
an automation silences the siren."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.plugins.mqtt_devices.simulator import TasmotaSiren
from hub.testing import EventWaiter, wait_for_state
from hub.testing.mosquitto import Mosquitto, running_broker

from .conftest import ANDI, BUDI

AUTOMATIONS = [
    {
        "id": "gerakan_malam",
        "triggers": [{"trigger": "event", "event_type": "camera.motion",
                      "event_data": {"entity_id": "camera.lobi"}}],
        "actions": [
            {"action": "siren.turn_on", "target": {"entity_id": "siren.halaman"},
             "data": {"duration": 300}},
            {
                "action": "alarm.raise",
                "data": {
                    "title": {"id": "Gerakan di lobi", "en": "Motion in the lobby"},
                    "site": "dinkes",
                    "priority": "high",
                    "cameras": ["camera.lobi"],
                    "recipients": ["andi", "budi"],
                },
            },
        ],
    },
    {
        "id": "sirene_diam",
        "triggers": [{"trigger": "event", "event_type": "alarm.acknowledged",
                      "event_data": {"site": "dinkes"}}],
        "actions": [{"action": "siren.turn_off", "target": {"entity_id": "siren.halaman"}}],
    },
]  # fmt: skip


@pytest.fixture
def mosquitto(tmp_path) -> Iterator[Mosquitto]:
    yield from running_broker(tmp_path / "mosquitto")


async def test_motion_alert_tap_acknowledges_edits_and_silences_the_siren(world, mosquitto):
    async with TasmotaSiren(mosquitto.host, mosquitto.port, "sirene_halaman") as siren:
        w = await world(
            plugins=("hub.plugins.mqtt_devices",),
            mqtt={"host": mosquitto.host, "port": mosquitto.port},
            siren=[
                {
                    "platform": "mqtt",
                    "id": "halaman",
                    "site": "dinkes",
                    "dialect": "tasmota",
                    "topic": "sirene_halaman",
                    "max_on_time": 600,
                }
            ],
            automation=AUTOMATIONS,
        )
        await wait_for_state(w.hub, "siren.halaman", "off")
        with EventWaiter(w.hub, "alarm.acknowledged") as acknowledged:
            w.hub.devices.get("camera.lobi").detect("motion")
            await wait_for_state(w.hub, "siren.halaman", "on")
            assert siren.power
            andi = await w.first_message(ANDI)
            budi = await w.first_message(BUDI)
            assert "photo" in andi and "Gerakan di lobi" in andi["caption"]
            assert "tinggi" in andi["caption"]  # the priority, in Andi's words
            await w.clock.advance(2)
            w.tg.tap(ANDI, andi["message_id"], user_id=ANDI)
            event = await acknowledged.wait(5)
        assert event.data["who"] == "andi" and event.context.user_id == "andi"
        await w.tg.wait_for(
            lambda: "Diterima oleh Andi" in w.tg.message(BUDI, budi["message_id"])["caption"]
        )
        assert "reply_markup" not in w.tg.message(BUDI, budi["message_id"])
        await wait_for_state(w.hub, "siren.halaman", "off")
        assert not siren.power
