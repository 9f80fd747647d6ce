"""Issue 12's story on FakeWhatsApp, with a real broker and a simulated
Tasmota siren: camera motion -> automation -> siren on and alarm.raise ->
a photo alert (the UTILITY template with Terima, both windows closed) to
each person on duty -> Andi taps Terima -> the alarm is acknowledged as
Andi -> an automation silences the siren.

WhatsApp cannot edit a sent message (WhatsAppNotifier.edit sends nothing):
Budi learns who took it from the alarm room's own "acknowledged" notice,
a message of its own; with his window closed it goes as the template too,
so the alert he saw is never left unanswered."""

from __future__ import annotations

from hub.plugins.mqtt_devices.simulator import TasmotaSiren
from hub.testing import EventWaiter, wait_for_state
from tests.messengers.story import AUTOMATIONS, SIREN, mosquitto  # noqa: F401

from .conftest import ANDI

BUDI = "+6281234500003"
BUDI_PERSON = {"id": "budi", "name": "Budi", "role": "staff", "sites": ["dinkes"], "whatsapp": BUDI}


async def test_motion_alert_terima_acknowledges_tells_budi_and_silences_the_siren(
    world,
    mosquitto,  # noqa: F811
):
    async with TasmotaSiren(mosquitto.host, mosquitto.port, "sirene_halaman") as siren:
        w = await world(
            plugins=("hub.plugins.mqtt_devices",),
            mqtt={"host": mosquitto.host, "port": mosquitto.port},
            siren=[SIREN],
            automation=AUTOMATIONS,
            more_people=(BUDI_PERSON,),
            http={"server_port": 0, "external_url": "https://sigap.example.go.id"},
        )
        w.wa.add_contact(BUDI, "Budi")
        await wait_for_state(w.hub, "siren.halaman", "off")
        with EventWaiter(w.hub, "alarm.acknowledged") as acknowledged:
            w.hub.devices.get("camera.lobi").detect("motion")
            await wait_for_state(w.hub, "siren.halaman", "on")
            assert siren.power
            [andi] = await w.wa.wait_for(lambda: w.wa.sent_to(ANDI))
            [alert] = await w.wa.wait_for(lambda: w.wa.sent_to(BUDI))
            for sent in (andi, alert):
                template = sent.body["template"]
                assert sent.type == "template" and sent.category == "utility"
                header = next(c for c in template["components"] if c["type"] == "header")
                media_id = header["parameters"][0]["image"]["id"]
                assert w.wa.media[media_id].data[:2] == b"\xff\xd8"  # the lobby's snapshot
                said = _words(sent)
                assert "prioritas tinggi" in said and "Gerakan di lobi" in said, said
                assert "Yang harus dilakukan:" in said, said
                assert "Di dasbor: https://sigap.example.go.id/#/alarms/" in said, said
            await w.clock.advance(10)  # the pair limit: one message per 6 s to a person
            assert await w.wa.user_taps_quick_reply(ANDI, andi.id) == 200
            event = await acknowledged.wait(5)
        assert event.data["who"] == "andi" and event.context.user_id == "andi"
        await wait_for_state(w.hub, "siren.halaman", "off")
        assert not siren.power
        # Budi's alert cannot be edited: the notice that Andi took it is a message of its own
        await w.clock.advance(10)
        told = await w.wa.wait_for(lambda: w.wa.sent_to(BUDI)[1:])
        assert "Andi" in _words(told[0]), told[0].body


def _words(sent) -> str:
    """What a sent message says: a template's body parameters or a text."""
    if sent.type == "template":
        body = next(c for c in sent.body["template"]["components"] if c["type"] == "body")
        return " ".join(p.get("text", "") for p in body["parameters"])
    return str(sent.body)
