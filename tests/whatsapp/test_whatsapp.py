"""The WhatsApp messenger against FakeWhatsApp: photo alerts as the
approved template when the 24-hour window is closed and as a free-form
image with reply buttons when it is open, a Terima tap acknowledging the
alarm as that person, the signed webhook, delivery statuses out of order."""

from __future__ import annotations

from hub import Context
from hub.core.outbox import OUTBOX
from hub.testing.messengers.whatsapp import _wa_id

from .conftest import ANDI, DEWI, STRANGER


async def _first(world, phone, within=5.0):
    return await world.wa.wait_for(lambda: world.wa.sent_to(phone), within=within)


async def test_photo_alert_outside_the_window_is_the_template_and_terima_acknowledges(world):
    w = await world()
    alarm_id = await w.raise_alarm()
    [sent] = await _first(w, ANDI)
    assert sent.type == "template" and sent.category == "utility"
    template = sent.body["template"]
    assert template["name"] == "sigap_alarm"
    header = next(c for c in template["components"] if c["type"] == "header")
    media_id = header["parameters"][0]["image"]["id"]
    assert w.wa.media[media_id].data[:2] == b"\xff\xd8"  # the camera's JPEG was uploaded
    button = next(c for c in template["components"] if c["type"] == "button")
    assert button["parameters"][0]["payload"] == f"ack:{alarm_id}"

    await w.clock.advance(10)  # a person taps seconds later (the pair limit: 1 per 6 s)
    assert await w.wa.user_taps_quick_reply(ANDI, sent.id) == 200
    record = await w.hub.recorder.alarms.get(alarm_id)
    assert record["state"] == "acknowledged" and record["acknowledged_by"] == "andi"
    # the tap opened the window: the thanks is a free-form text, in Andi's language
    thanks = await w.wa.wait_for(lambda: [s for s in w.wa.sent_to(ANDI) if s.type == "text"])
    assert thanks[0].body["text"]["body"].startswith("Terima kasih")


async def test_inside_the_window_the_alert_is_a_free_form_image_with_buttons(world):
    w = await world()
    assert await w.wa.user_sends_text(ANDI, "halo") == 200
    alarm_id = await w.raise_alarm()
    sent = await w.wa.wait_for(lambda: [s for s in w.wa.sent_to(ANDI) if s.type == "interactive"])
    interactive = sent[0].body["interactive"]
    assert interactive["header"]["type"] == "image"
    assert interactive["header"]["image"]["id"] in w.wa.media
    assert [b["reply"]["id"] for b in interactive["action"]["buttons"]] == [f"ack:{alarm_id}"]
    assert not [s for s in w.wa.sent_to(ANDI) if s.type == "template"]

    assert await w.wa.user_taps_button(ANDI, sent[0].id, f"ack:{alarm_id}") == 200
    record = await w.hub.recorder.alarms.get(alarm_id)
    assert record["acknowledged_by"] == "andi"


async def test_the_window_survives_a_restart(world, hub_factory):
    w = await world()
    await w.wa.user_sends_text(ANDI, "halo")
    notifier = w.hub.devices.get("notify.wa")
    assert notifier.windows.is_open(_wa_id(ANDI))
    await w.hub.stop()
    again = await world()
    assert again.hub.devices.get("notify.wa").windows.is_open(_wa_id(ANDI))
    await w.clock.advance(24 * 3600)
    assert not again.hub.devices.get("notify.wa").windows.is_open(_wa_id(ANDI))


async def test_a_closed_window_seen_only_by_a_failed_status_resends_the_template(world):
    w = await world()
    await w.wa.user_sends_text(ANDI, "halo")
    await w.clock.advance(24.5 * 3600)
    w.wa.closed_window = "status"
    # the hub believes the window open (a clock off by an hour); WhatsApp knows better
    w.hub.devices.get("notify.wa").windows._last[_wa_id(ANDI)] = w.clock.timestamp() - 3600
    await w.raise_alarm()
    await w.wa.wait_for(lambda: any(n.kind == "status" for n in w.wa.notifications))
    await w.clock.advance(7)  # Graph's pair limit holds the template a few seconds
    sent = await w.wa.wait_for(lambda: [s for s in w.wa.sent_to(ANDI) if s.type == "template"])
    assert sent and w.wa.sent_to(ANDI)[0].type == "interactive"


async def test_a_wrong_signature_is_refused_and_changes_nothing(world, caplog):
    w = await world()
    alarm_id = await w.raise_alarm()
    [sent] = await _first(w, ANDI)
    payload = w.wa._inbound(
        ANDI,
        {
            "context": {"id": sent.id},
            "type": "button",
            "button": {"payload": f"ack:{alarm_id}", "text": "Terima"},
        },
    )
    assert await w.wa.post_webhook(payload, signature="sha256=" + "00" * 32) == 403
    assert await w.wa.post_webhook(payload, signature="") == 403
    # said once (a scanner's flood is one line a minute), in the console language
    said = [r.getMessage() for r in caplog.records if "webhook" in r.getMessage()]
    assert said == ["notify.wa: a webhook POST with a wrong signature was refused"], said
    record = await w.hub.recorder.alarms.get(alarm_id)
    assert record["state"] != "acknowledged"
    assert not w.hub.devices.get("notify.wa").windows.is_open(_wa_id(ANDI))
    assert len(w.wa.sent_to(ANDI)) == 1  # no answer either
    # and the verification wants the token
    status, _ = await w.wa.verify(w.url, verify_token="guess")
    assert status == 403


async def test_statuses_out_of_order_and_repeated_end_at_read(world):
    w = await world()
    alarm_id = await w.raise_alarm()
    [sent] = await _first(w, ANDI)
    await w.wa.send_statuses(sent.id, "delivered", "read", "sent", "delivered", "read")
    notifier = w.hub.devices.get("notify.wa")
    assert notifier.statuses.status(sent.id) == "read"
    kinds = [h["kind"] for h in await w.hub.recorder.alarms.history(alarm_id)]
    assert [k for k in kinds if k.startswith("message_")] == ["message_delivered", "message_read"]


async def test_an_undeliverable_number_is_a_permanent_failure(world):
    w = await world()
    w.wa.contacts[_wa_id(ANDI)].on_whatsapp = False
    events = []
    w.hub.bus.listen("notify.failed", events.append)
    alarm_id = await w.raise_alarm()
    await _first(w, ANDI)
    await w.wa.wait_for(lambda: any(n.kind == "status" and n.status for n in w.wa.notifications))
    [event] = events
    assert event.data["alarm_id"] == alarm_id and event.data["permanent"] is True
    assert "131026" in event.data["reason"]
    # the outbox's row of it says so too (it had been taken by the service)
    await w.hub.bus.drain()
    await w.hub.data[OUTBOX].idle()
    row = await w.hub.recorder.outbox.get(event.data["message_id"])
    assert row["state"] == "failed" and "131026" in row["reason"]["text"]


async def test_a_person_of_another_site_is_refused_in_her_language(world):
    w = await world()
    alarm_id = await w.raise_alarm()
    [sent] = await _first(w, ANDI)
    assert await w.wa.user_taps_quick_reply(DEWI, sent.id) == 200
    record = await w.hub.recorder.alarms.get(alarm_id)
    assert record["state"] != "acknowledged"
    [answer] = await w.wa.wait_for(lambda: w.wa.sent_to(DEWI))
    assert "may not" in answer.body["text"]["body"]  # Dewi reads English


async def test_an_unknown_number_gets_one_polite_refusal_and_learns_nothing(world):
    w = await world()
    alarm_id = await w.raise_alarm()
    [sent] = await _first(w, ANDI)
    await w.wa.user_sends_text(STRANGER, "halo")
    await w.wa.user_taps_quick_reply(STRANGER, sent.id)
    await w.wa.user_sends_text(STRANGER, "status?")
    answers = w.wa.sent_to(STRANGER)
    assert len(answers) == 1
    text = answers[0].body["text"]["body"]
    assert "tidak terdaftar" in text and alarm_id not in text and "Lobi" not in text
    record = await w.hub.recorder.alarms.get(alarm_id)
    assert record["state"] != "acknowledged"
    trail = await w.hub.recorder.audit_trail(entity_id="notify.wa")
    refused = [a for a in trail if a["action"] == "refused"]
    assert {(a["who"], a["reason"]) for a in refused} == {
        (f"whatsapp:{STRANGER}", "whatsapp.unknown_number")
    }
    assert len(refused) == 3  # every try is on the trail, only the first is answered


async def test_after_a_restart_a_notice_outside_the_window_uploads_the_alarms_picture(world):
    budi = {"id": "budi", "name": "Budi", "role": "staff", "sites": ["dinkes"]}
    w = await world(more_people=(budi,))
    alarm_id = await w.raise_alarm()
    await _first(w, ANDI)  # the template with the camera's picture
    notifier = w.hub.devices.get("notify.wa")
    notifier.alarm_pictures.clear()  # what a restart forgets
    uploads = len(w.wa.media)
    await w.clock.advance(10)  # the pair limit: one message per 6 s to a person
    await w.hub.services.call(
        "alarm", "acknowledge", {"alarm_id": alarm_id}, Context(user_id="budi")
    )
    sent = await w.wa.wait_for(lambda: w.wa.sent_to(ANDI)[1:])
    template = sent[0].body["template"]
    header = next(c for c in template["components"] if c["type"] == "header")
    media_id = header["parameters"][0]["image"]["id"]
    assert len(w.wa.media) == uploads + 1 and w.wa.media[media_id].data[:2] == b"\xff\xd8"
    body = next(c for c in template["components"] if c["type"] == "body")
    assert "Budi" in " ".join(p["text"] for p in body["parameters"])
