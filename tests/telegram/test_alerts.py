"""Photo alerts on FakeTelegram: the snapshot uploaded with a signed
"Terima / Acknowledge" button, a tap acknowledging as the person who
tapped, and every recipient's alert edited to say who and when (WITA)."""

from __future__ import annotations

from pathlib import Path

from hub import Context

from .conftest import ANDI, BUDI


async def test_a_photo_alert_tap_acknowledges_and_every_alert_says_who(world):
    w = await world()
    alarm_id = await w.raise_alarm()
    andi = await w.first_message(ANDI)
    budi = await w.first_message(BUDI)
    assert w.tg.photo(ANDI, andi["message_id"])[:2] == b"\xff\xd8"  # the camera's JPEG
    [call] = [c for c in w.tg.calls("sendPhoto") if str(c.params["chat_id"]) == str(ANDI)]
    assert "photo" in call.files and call.params["parse_mode"] == "HTML"
    assert "Gerakan di lobi" in andi["caption"] and "Dinas Kesehatan" in andi["caption"]
    [[button]] = andi["reply_markup"]["inline_keyboard"]
    assert button["text"] == "Terima / Acknowledge"
    assert button["callback_data"].startswith(f"ack:{alarm_id}|")
    assert len(button["callback_data"].encode()) <= 64

    await w.clock.advance(2)  # a person taps a moment later (1 message a second per chat)
    update = w.tg.tap(ANDI, andi["message_id"], user_id=ANDI)
    query_id = update["callback_query"]["id"]
    await w.tg.wait_for(lambda: w.tg.callback_answer(query_id) is not None)

    def edited(chat, message_id):
        caption = w.tg.message(chat, message_id).get("caption", "")
        return "Diterima oleh Andi" in caption and "reply_markup" not in w.tg.message(
            chat, message_id
        )

    await w.tg.wait_for(
        lambda: edited(ANDI, andi["message_id"]) and edited(BUDI, budi["message_id"])
    )
    record = await w.hub.recorder.alarms.get(alarm_id)
    assert record["state"] == "acknowledged" and record["acknowledged_by"] == "andi"
    caption = w.tg.message(BUDI, budi["message_id"])["caption"]
    assert "2 Des 2026 22.00.02 WITA" in caption
    # the alarm room's notice of the acknowledgement is that edit: no second message
    await w.clock.advance(2)
    assert len(w.tg.messages(BUDI)) == 1 and len(w.tg.messages(ANDI)) == 1


async def test_a_dewi_reads_english_and_a_text_alert_has_the_button_too(world):
    w = await world()
    alarm_id = await w.raise_alarm(site="disdik", cameras=[], recipients=["dewi"])
    from .conftest import DEWI

    message = await w.first_message(DEWI)
    assert "Motion in the lobby" in message["text"]
    assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"].startswith(
        f"ack:{alarm_id}|"
    )
    await w.clock.advance(2)
    w.tg.tap(DEWI, message["message_id"], user_id=DEWI)
    await w.tg.wait_for(
        lambda: "Acknowledged by Dewi" in w.tg.message(DEWI, message["message_id"])["text"]
    )


async def test_an_edit_to_the_same_words_is_not_an_error(world, tmp_path):
    from hub import Context, Notification

    w = await world()
    n = Notification("Pintu terbuka", title="Info", targets=[str(ANDI)])
    provider_id = await w.notifier.send(n, context=Context())
    assert provider_id == f"{ANDI}:{w.tg.messages(ANDI)[0]['message_id']}"
    await w.clock.advance(2)
    await w.notifier.edit(provider_id, n, context=Context())  # "message is not modified"
    assert any(
        c.response.get("description", "").startswith("Bad Request: message is not modified")
        for c in w.tg.calls("editMessageText")
    )
    await w.clock.advance(2)
    await w.notifier.edit(
        provider_id, Notification("Pintu tertutup", title="Info"), context=Context()
    )
    assert "Pintu tertutup" in w.tg.messages(ANDI)[0]["text"]


async def test_after_a_restart_the_alerts_are_still_edited(world, clock):
    w = await world()
    alarm_id = await w.raise_alarm()
    andi = await w.first_message(ANDI)
    budi = await w.first_message(BUDI)
    await w.hub.stop()
    again = await world()  # the same folder and database: a restart
    await clock.advance(2)
    w.tg.tap(ANDI, andi["message_id"], user_id=ANDI)
    await w.tg.wait_for(
        lambda: (
            "Diterima oleh Andi" in w.tg.message(BUDI, budi["message_id"])["caption"]
            and "Diterima oleh Andi" in w.tg.message(ANDI, andi["message_id"])["caption"]
        )
    )
    assert (await again.hub.recorder.alarms.get(alarm_id))["acknowledged_by"] == "andi"
    await clock.advance(2)
    assert len(w.tg.messages(BUDI)) == 1  # the notice is the edit, after a restart too


async def test_an_edit_of_a_photo_not_seen_since_the_start_edits_its_caption(world, tmp_path):
    from hub import Context, Notification

    w = await world()
    photo = tmp_path / "snap.jpg"
    photo.write_bytes((Path(__file__).parents[2] / "hub/plugins/demo/snapshot.jpg").read_bytes())
    n = Notification("Gerakan", targets=[str(ANDI)], photo_path=str(photo))
    provider_id = await w.notifier.send(n, context=Context())
    w.notifier.sent.clear()  # as after a restart
    await w.clock.advance(2)
    await w.notifier.edit(provider_id, Notification("Sudah ditangani"), context=Context())
    assert w.tg.messages(ANDI)[0]["caption"] == "Sudah ditangani"


async def test_closing_the_alarm_adds_who_closed_it(world):
    w = await world()
    alarm_id = await w.raise_alarm(recipients=["andi"], cameras=[])
    andi = await w.first_message(ANDI)
    await w.clock.advance(2)
    await w.hub.services.call(
        "alarm", "close", {"alarm_id": alarm_id, "note": "<b>aman</b>"}, Context(user_id="budi")
    )
    await w.tg.wait_for(
        lambda: "Ditutup oleh Budi" in w.tg.message(ANDI, andi["message_id"])["text"]
    )
    assert "reply_markup" not in w.tg.message(ANDI, andi["message_id"])
    await w.clock.advance(2)
    assert len(w.tg.messages(ANDI)) == 1


async def test_an_alert_says_what_to_do_and_links_to_the_alarm_on_the_dashboard(world):
    w = await world(http={"server_port": 0, "external_url": "https://sigap.example.go.id/"})
    alarm_id = await w.raise_alarm(recipients=["andi"])
    caption = (await w.first_message(ANDI))["caption"]
    assert "Yang harus dilakukan:" in caption and "tekan Terima" in caption
    assert f"Di dasbor: https://sigap.example.go.id/#/alarms/{alarm_id}" in caption
    # Dewi reads English; the link is the same page
    from .conftest import DEWI

    other = await w.raise_alarm(site="disdik", cameras=[], recipients=["dewi"])
    text = (await w.first_message(DEWI))["text"]
    assert "What to do:" in text
    assert f"On the dashboard: https://sigap.example.go.id/#/alarms/{other}" in text


async def test_without_an_external_url_an_alert_has_no_link(world):
    w = await world()
    await w.raise_alarm(recipients=["andi"])
    caption = (await w.first_message(ANDI))["caption"]
    assert "Yang harus dilakukan:" in caption and "dasbor" not in caption
