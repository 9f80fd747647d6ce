"""Chat commands for known people, in their language and about their own
sites only: /status, /alarms, /ack, /arm and /disarm for those allowed, /help."""

from __future__ import annotations

from .conftest import ANDI, BUDI, DEWI


async def _answer(w, chat, text):
    before = len(w.tg.messages(chat))
    await w.clock.advance(2)
    w.tg.send_text(chat, text)
    messages = await w.replies(chat, before + 1)
    return messages[-1]["text"]


async def test_status_and_alarms_show_only_ones_own_sites(world):
    w = await world()
    await w.raise_alarm(recipients=[], cameras=[])
    await w.raise_alarm(site="disdik", title="Gerbang terbuka", recipients=[], cameras=[])
    w.hub.devices.get("camera.lobi").set_available(False, "kabel")
    status = await _answer(w, ANDI, "/status")
    assert "Dinas Kesehatan" in status and "Disdik" not in status
    assert "Kamera daring: 0 dari 1" in status and "Alarm terbuka: 1" in status
    assert "Panel alarm: nonaktif" in status
    alarms = await _answer(w, ANDI, "/alarms")
    assert "1 alarm terbuka" in alarms and "Gerakan di lobi" in alarms
    assert "Gerbang" not in alarms and "22.00.00 WITA" in alarms
    english = await _answer(w, DEWI, "/alarms")
    assert "1 open alarm on your sites" in english and "Gerbang terbuka" in english


async def test_ack_by_id_acknowledges_and_edits_the_alert(world):
    w = await world()
    alarm_id = await w.raise_alarm(recipients=["budi"])
    budi = await w.first_message(BUDI)
    said = await _answer(w, ANDI, f"/ack {alarm_id}")
    assert said.startswith("Terima kasih") and alarm_id in said
    await w.tg.wait_for(
        lambda: "Diterima oleh Andi" in w.tg.message(BUDI, budi["message_id"]).get("caption", "")
    )
    again = await _answer(w, BUDI, f"/ack {alarm_id}")
    assert "Andi" in again  # already acknowledged, by whom
    assert "Tulis /ack" in await _answer(w, ANDI, "/ack")


async def test_arm_and_disarm_only_for_people_allowed(world):
    w = await world()
    said = await _answer(w, ANDI, "/arm")  # staff: may not
    assert "tidak boleh" in said
    assert w.hub.states.get("alarm_control_panel.dinkes_panel").state == "disarmed"
    trail = await w.hub.recorder.audit_trail(entity_id="notify.tg")
    assert [a["reason"] for a in trail if a["action"] == "refused"] == ["telegram.arm_not_allowed"]
    said = await _answer(w, BUDI, "/arm night")  # an operator of the site
    assert w.hub.states.get("alarm_control_panel.dinkes_panel").state in ("arming", "armed_night")
    assert "dinkes_panel" in said
    await _answer(w, BUDI, "/disarm")
    assert w.hub.states.get("alarm_control_panel.dinkes_panel").state == "disarmed"


async def test_help_in_the_persons_language_and_only_private_in_groups(world):
    w = await world()
    assert "/snapshot" in await _answer(w, ANDI, "/help")
    assert "/arm" not in await _answer(w, ANDI, "/help")
    assert "/arm" in await _answer(w, BUDI, "/start")
    assert "Commands" in await _answer(w, DEWI, "/help")
    assert "Perintah tidak dikenal" in await _answer(w, ANDI, "/hapus_semua")
    w.tg.add_group(-100555, "Piket")
    await w.clock.advance(2)
    w.tg.send_text(ANDI, "/status", chat_id=-100555)
    [answer] = await w.replies(-100555, 1)
    assert "chat pribadi" in answer["text"]
    w.tg.send_text(ANDI, "/status@another_bot", chat_id=-100555)
    w.tg.send_text(ANDI, "ngobrol biasa", chat_id=-100555)
    await w.tg.wait_for(lambda: not w.tg.pending_updates)
    await w.polling()
    assert len(w.tg.messages(-100555)) == 1


async def test_a_helper_of_the_bot_is_no_command(world):
    w = await world()
    for text in ("/camera lobi", "/panels", "/sites", "/run", "/__init__"):
        assert "Perintah tidak dikenal" in await _answer(w, ANDI, text)
