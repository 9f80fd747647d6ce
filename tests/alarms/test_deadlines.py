"""Deadlines on the hub's clock: nobody answers and the alarm climbs the
escalation chain at the right second; reminders come until someone
acknowledges; a time-limited alarm closes itself."""

from __future__ import annotations

from hub.testing import EventWaiter

from .conftest import START, manager, raise_alarm, sent, staff

CHAIN = {
    "recipients": ["dinkes_piket"],
    "respond_within": "00:05:00",
    "escalation": [
        {"recipients": ["pusat_komando"]},  # after respond_within
        {"after": {"minutes": 10}, "recipients": ["admin"]},
    ],
}


async def test_nobody_answers_and_the_next_tier_is_told_at_the_right_second(alarm_hub):
    hub = await alarm_hub()
    clock = hub.clock
    told = EventWaiter(hub, "alarm.notified", lambda e: e.data["reason"] == "escalated")
    with EventWaiter(hub, "alarm.escalated") as escalated:
        alarm_id = await raise_alarm(hub, priority="high", **CHAIN)
        alarm = manager(hub).open[alarm_id]
        await clock.advance(299)
        assert alarm.record["tier"] == 0 and escalated.events == []

        await clock.advance(1)
        first = await escalated.wait()
        assert first.data["tier"] == 1 and first.data["recipients"] == ["pusat_komando"]
        assert first.data["who"] == "system" and first.data["manual"] is False
        await clock.advance(599)
        assert alarm.record["tier"] == 1 and len(escalated.events) == 1

        await clock.advance(1)
        second = await escalated.wait()
        assert second.data["tier"] == 2 and second.data["recipients"] == ["admin"]
        await clock.advance(3600)
        assert len(escalated.events) == 2  # the chain has ended
        # both tiers were told (through the outbox: stored, then sent)
        assert [(await told.wait()).data["tier"] for _ in range(2)] == [1, 2]
    moments = [
        e["at"] for e in await hub.recorder.alarms.history(alarm_id) if e["kind"] == "escalated"
    ]
    assert moments == [START + 300, START + 900]
    # each tier heard it in their own language, saying how long nobody answered
    citra = next(n for n in sent(hub) if n.targets == ["citra"])
    assert citra.title == "Escalation 1: ALARM, high priority"
    assert citra.message.startswith("Nobody acknowledged within 5 minutes")
    admin = next(n for n in sent(hub) if n.targets == ["admin"])
    assert admin.message.startswith("Nobody acknowledged within 10 minutes")
    assert "(tier 2)" in admin.message


async def test_an_acknowledgement_stops_the_escalation(alarm_hub):
    hub = await alarm_hub()
    with EventWaiter(hub, "alarm.escalated") as escalated:
        alarm_id = await raise_alarm(hub, **CHAIN)
        await hub.clock.advance(200)
        await hub.services.call("alarm", "acknowledge", {"alarm_id": alarm_id}, staff("budi"))
        await hub.clock.advance(3600)
        assert escalated.events == []
    assert manager(hub).open[alarm_id].deadlines == {}


async def test_a_manual_escalation_tells_the_next_tier_now(alarm_hub):
    hub = await alarm_hub()
    with EventWaiter(hub, "alarm.escalated") as escalated:
        alarm_id = await raise_alarm(hub, **CHAIN)
        await hub.clock.advance(60)
        answer = await hub.services.call(
            "alarm", "escalate", {"alarm_id": alarm_id, "note": "butuh bantuan"}, staff("andi")
        )
        assert answer["tier"] == 1
        event = await escalated.wait()
        assert event.data["who"] == "andi" and event.data["manual"] is True
        # the next tier waits its own ten minutes from now
        await hub.clock.advance(599)
        assert len(escalated.events) == 1
        await hub.clock.advance(1)
        assert (await escalated.wait()).data["recipients"] == ["admin"]
    citra = next(n for n in sent(hub) if n.targets == ["citra"])
    assert citra.message.startswith("Andi Pratama escalated this alarm to you. Note: butuh bantuan")


async def test_reminders_come_until_someone_acknowledges(alarm_hub):
    hub = await alarm_hub()
    told = EventWaiter(hub, "alarm.notified", lambda e: e.data["reason"] == "raised")
    with EventWaiter(hub, "alarm.notified", lambda e: e.data["reason"] == "reminder") as reminded:
        alarm_id = await raise_alarm(hub, recipients=["dinkes_piket"], repeat="00:02:00")
        await told.wait()  # the first notice is out (through the outbox) before time moves
        await hub.clock.advance(119)
        assert reminded.events == []
        await hub.clock.advance(1)
        assert (await reminded.wait()).data["recipients"] == ["andi", "budi"]
        await hub.clock.advance(120)
        await reminded.wait()
        await hub.services.call("alarm", "acknowledge", {"alarm_id": alarm_id}, staff("andi"))
        await hub.clock.advance(3600)
        assert len(reminded.events) == 2
        alarm = manager(hub).open[alarm_id]
        assert alarm.record["reminders"] == 2 and alarm.deadlines == {}
    reminders = [n for n in sent(hub) if n.title.startswith("Pengingat")]
    assert [n.title for n in reminders if n.targets == ["budi"]] == [
        "Pengingat 1: ALARM, prioritas sedang",
        "Pengingat 2: ALARM, prioritas sedang",
    ]
    assert reminders[0].message.startswith("Alarm ini belum diterima siapa pun (2 menit sejak")
    moments = [
        e["at"] for e in await hub.recorder.alarms.history(alarm_id) if e["kind"] == "reminded"
    ]
    assert moments == [START + 120, START + 240]


async def test_reminders_stop_after_their_number(alarm_hub):
    hub = await alarm_hub()
    with EventWaiter(hub, "alarm.notified", lambda e: e.data["reason"] == "reminder") as reminded:
        alarm_id = await raise_alarm(hub, recipients=["andi"], repeat={"every": 60, "times": 2})
        await hub.clock.advance(600)
        await reminded.wait()
        await reminded.wait()
    alarm = manager(hub).open[alarm_id]
    assert alarm.record["reminders"] == 2 and "remind" not in alarm.deadlines


async def test_a_time_limited_alarm_closes_itself(alarm_hub):
    hub = await alarm_hub()
    with EventWaiter(hub, "alarm.closed") as closed:
        alarm_id = await raise_alarm(hub, priority="low", auto_close_on={"after": "01:00:00"})
        await hub.clock.advance(3599)
        assert closed.events == []
        await hub.clock.advance(1)
        event = await closed.wait()
    assert event.data["alarm_id"] == alarm_id and event.data["who"] == "system"
    assert event.data["note"] == "closed by itself after 1 hour"
    assert event.data["note_text"]["key"] == "alarm.auto_closed_after"
