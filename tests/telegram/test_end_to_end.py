"""Issue 12's story on FakeTelegram, with a real broker and a simulated
Tasmota siren: camera motion -> automation -> siren on and alarm.raise ->
a photo alert with the button to each person on duty -> Andi taps ->
the alarm is acknowledged as Andi -> Budi's alert is edited to say so ->
an automation silences the siren."""

from __future__ import annotations

from hub.plugins.mqtt_devices.simulator import TasmotaSiren
from hub.testing import EventWaiter, wait_for_state
from tests.messengers.story import AUTOMATIONS, SIREN, mosquitto  # noqa: F401

from .conftest import ANDI, BUDI


async def test_motion_alert_tap_acknowledges_edits_and_silences_the_siren(world, mosquitto):  # noqa: F811
    async with TasmotaSiren(mosquitto.host, mosquitto.port, "sirene_halaman") as siren:
        w = await world(
            plugins=("hub.plugins.mqtt_devices",),
            mqtt={"host": mosquitto.host, "port": mosquitto.port},
            siren=[SIREN],
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
