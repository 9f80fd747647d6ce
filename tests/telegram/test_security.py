"""Who may do what through the bot: a webhook POST without the secret
token changes nothing, a forged button is refused, a person of another
site cannot acknowledge, /snapshot reaches only one's own cameras, and
someone unknown gets one polite refusal and learns nothing."""

from __future__ import annotations

from hub import Context, Notification

from .conftest import ANDI, BUDI, DEWI, SECRET, STRANGER


def _texts(w, chat):
    return [m.get("text", "") for m in w.tg.messages(chat)]


async def test_a_webhook_without_the_secret_token_is_refused_and_changes_nothing(world):
    w = await world(webhook=True)
    [hooked] = [
        c for c in w.tg.calls("setWebhook") if c.params["url"].startswith("http://127.0.0.1:9")
    ]
    assert hooked.params["url"].endswith("/api/plugins/telegram/tg/webhook")
    assert hooked.params["secret_token"] == SECRET
    alarm_id = await w.raise_alarm(recipients=["andi"])
    andi = await w.first_message(ANDI)
    await w.clock.advance(2)
    data = andi["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    update = {
        "update_id": 7,
        "callback_query": {
            "id": "77",
            "from": {"id": ANDI, "is_bot": False, "first_name": "Andi"},
            "message": andi,
            "chat_instance": "1",
            "data": data,
        },
    }
    for guess in ("wrong", "", SECRET[:-1], SECRET + "x"):
        post = await w.tg.post_to_webhook(update, secret_token=guess)
        assert post.status == 403
    record = await w.hub.recorder.alarms.get(alarm_id)
    assert record["state"] != "acknowledged"
    assert not w.tg.calls("answerCallbackQuery") and len(w.tg.messages(ANDI)) == 1

    # with the secret, the same tap (a real one, through the fake) acknowledges
    real = w.tg.tap(ANDI, andi["message_id"], user_id=ANDI)
    await w.tg.wait_delivered(real)
    record = await w.hub.recorder.alarms.get(alarm_id)
    assert record["acknowledged_by"] == "andi"


async def test_a_forged_button_is_refused(world):
    w = await world()
    alarm_id = await w.raise_alarm(recipients=["andi"])
    andi = await w.first_message(ANDI)
    await w.clock.advance(2)
    forged = [f"ack:{alarm_id}", f"ack:{alarm_id}|AAAAAAAAAAAAAAAA", f"ack:{alarm_id}|"]
    # and a genuine button of Andi's chat, replayed in Budi's
    forged.append(andi["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    await w.clock.advance(2)
    w.tg.send_text(BUDI, "/help")
    await w.replies(BUDI, 1)
    budi_message = w.tg.messages(BUDI)[0]["message_id"]
    for index, data in enumerate(forged):
        chat, user = (BUDI, BUDI) if index == 3 else (ANDI, ANDI)
        message_id = budi_message if index == 3 else andi["message_id"]
        update = w.tg.tap(chat, message_id, user_id=user, data=data, forged=True)
        query_id = update["callback_query"]["id"]
        answer = await w.tg.wait_for(lambda q=query_id: w.tg.callback_answer(q))
        assert answer["show_alert"] and "not genuine" not in answer["text"]  # Indonesian
        assert "tidak sah" in answer["text"]
    record = await w.hub.recorder.alarms.get(alarm_id)
    assert record["state"] != "acknowledged"
    trail = await w.hub.recorder.audit_trail(entity_id="notify.tg")
    refused = [a["reason"] for a in trail if a["action"] == "refused"]
    assert refused == ["telegram.forged_callback"] * 4


async def test_a_person_of_another_site_cannot_acknowledge(world):
    w = await world()
    alarm_id = await w.raise_alarm(recipients=["andi"])
    andi = await w.first_message(ANDI)
    await w.clock.advance(2)
    # Dewi (disdik) taps a dinkes alarm's genuine button in a group they share
    w.tg.add_group(-100123, "Piket")
    alert = Notification("Gerakan", targets=["-100123"], alarm_id=alarm_id, data={"kind": "raised"})
    message = await w.notifier.send(alert, context=Context())
    message_id = int(message.split(":")[1])
    await w.clock.advance(2)
    w.tg.tap(-100123, message_id, user_id=DEWI)
    refusal = await w.tg.wait_for(
        lambda: [m for m in w.tg.messages(-100123) if "may not acknowledge" in m.get("text", "")]
    )
    assert refusal
    record = await w.hub.recorder.alarms.get(alarm_id)
    assert record["state"] != "acknowledged"
    assert "reply_markup" in w.tg.message(ANDI, andi["message_id"])  # nothing was edited
    # /ack by id is refused the same way
    w.tg.send_text(DEWI, f"/ack {alarm_id}")
    [answer] = await w.replies(DEWI, 1)
    assert "may not acknowledge" in answer["text"]
    assert (await w.hub.recorder.alarms.get(alarm_id))["state"] != "acknowledged"


async def test_snapshot_only_of_cameras_of_ones_own_sites(world):
    w = await world()
    w.tg.send_text(ANDI, "/snapshot gerbang disdik")  # Disdik's gate: not Andi's site
    [answer] = await w.replies(ANDI, 1)
    assert "Kamera itu tidak ada di lokasi Anda" in answer["text"] and "Lobi" in answer["text"]
    assert "Gerbang" not in answer["text"]
    assert not w.tg.calls("sendPhoto")
    trail = await w.hub.recorder.audit_trail(entity_id="camera.gerbang")
    assert not [a for a in trail if a["action"] == "snapshot"]
    trail = await w.hub.recorder.audit_trail(entity_id="notify.tg")
    refused = [(a["who"], a["reason"]) for a in trail if a["action"] == "refused"]
    assert refused == [("andi", "telegram.snapshot_other_site")]

    await w.clock.advance(2)
    w.tg.send_text(ANDI, "/snapshot lobi")
    call = await w.tg.wait_for_call("sendPhoto")
    assert call.ok and call.files["photo"].data[:2] == b"\xff\xd8"
    assert "Lobi" in call.params["caption"] and "WITA" in call.params["caption"]
    [record] = [
        a
        for a in await w.hub.recorder.audit_trail(entity_id="camera.lobi")
        if a["action"] == "snapshot"
    ]
    assert record["who"] == "andi" and record["reason"] == "telegram /snapshot (andi)"


async def test_an_unknown_user_gets_one_polite_refusal_and_learns_nothing(world):
    w = await world()
    alarm_id = await w.raise_alarm(recipients=["andi"])
    andi = await w.first_message(ANDI)
    w.tg.add_user(STRANGER, "Orang", language_code="id")
    for text in ("/status", "/alarms", f"/ack {alarm_id}", "/snapshot lobi", "halo"):
        w.tg.send_text(STRANGER, text)
    update = w.tg.tap(ANDI, andi["message_id"], user_id=STRANGER)  # a forwarded alert's button
    await w.tg.wait_for(lambda: w.tg.callback_answer(update["callback_query"]["id"]) is not None)
    await w.tg.wait_for(lambda: not w.tg.pending_updates)
    [answer] = w.tg.messages(STRANGER)
    assert "tidak terdaftar" in answer["text"]
    assert alarm_id not in answer["text"] and "Lobi" not in answer["text"]
    assert w.tg.callback_answer(update["callback_query"]["id"])["text"] == ""
    assert not w.tg.calls("sendPhoto")[1:]  # only Andi's alert
    assert (await w.hub.recorder.alarms.get(alarm_id))["state"] != "acknowledged"
    trail = await w.hub.recorder.audit_trail(entity_id="notify.tg")
    refused = [(a["who"], a["reason"]) for a in trail if a["action"] == "refused"]
    assert set(refused) == {(f"telegram:{STRANGER}", "telegram.unknown_user")}
    assert len(refused) == 6  # every try on the trail, only the first answered


async def test_an_update_delivered_twice_is_handled_once(world):
    w = await world(webhook=True)
    update = w.tg.send_text(ANDI, "/help")
    await w.tg.wait_delivered(update)
    await w.clock.advance(2)
    again = await w.tg.post_to_webhook(update)  # Telegram retries what it thinks was lost
    assert again.status == 200
    await w.clock.advance(2)
    assert len(w.tg.messages(ANDI)) == 1


async def test_an_oversized_or_broken_webhook_body_is_refused(world):
    import io

    import aiohttp

    w = await world(webhook=True)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session:
        big = b'{"update_id": 1, "message": {"text": "' + b"x" * (1024 * 1024) + b'"}}'
        async with session.post(w.url, data=io.BytesIO(big), headers=headers) as response:
            assert response.status == 413
        async with session.post(w.url, data=b"{not json", headers=headers) as response:
            assert response.status == 400
        async with session.post(w.url, data=b"{not json", headers={}) as response:
            assert response.status == 403  # the secret first: a stranger learns nothing more
    assert not w.tg.calls("sendMessage")
