"""Faults: the fake answers 500s, never answers (the send times out on the
hub's clock), says 429 for a while: every message arrives afterwards, in
order. A refusal that trying again cannot help (the person blocked the
bot) fails the message at once with notify.failed, and the alarm it was
for goes to the next tier at once instead of when its wait runs out."""

from __future__ import annotations

from hub.core.context import Context
from hub.core.outbox import MAX_FAILURES, SEND_TIMEOUT
from hub.testing import EventWaiter

from .conftest import ANDI, BUDI, CITRA


async def test_500s_time_outs_and_429s_for_a_while_then_every_message_arrives(world):
    w = await world()
    w.tg.faults.fail_next(4)  # 500 Internal Server Error
    w.tg.faults.hang_next(2)  # no answer at all
    w.tg.faults.throttle_next(3, retry_after=5)
    w.tg.faults.fail_next(2, status=502)
    delivered = EventWaiter(w.hub, "notify.delivered")
    failed = EventWaiter(w.hub, "notify.failed")
    outbox = w.outbox
    chats = (ANDI, BUDI, CITRA)
    await outbox.put(
        [outbox.message("notify.tg", str(c), text=f"{c}-{n}") for n in range(5) for c in chats]
    )

    took = await w.run_until(lambda: len(delivered.events) == 15, seconds=3600)

    assert failed.events == []
    for chat in chats:
        assert [m["text"] for m in w.tg.messages(chat)] == [f"{chat}-{n}" for n in range(5)]
    statuses = [c.status for c in w.tg.calls("sendMessage")]
    assert statuses.count(500) == 4 and statuses.count(502) == 2 and statuses.count(429) == 3
    assert statuses.count(0) == 2  # the two that never answered, given up on our clock
    assert took >= SEND_TIMEOUT  # a time-out waited its time on the hub's clock
    assert w.tg.faults.pending == 0
    rows = await w.hub.recorder.outbox.listing(["delivered"])
    assert len(rows) == 15 and sum(r["failures"] for r in rows) == 8  # 500s, 502s, time-outs


async def test_a_message_failing_for_ever_is_given_up_and_reported(world):
    w = await world()
    w.tg.faults.fail_next(100)
    failed = EventWaiter(w.hub, "notify.failed")
    outbox = w.outbox
    await outbox.put([outbox.message("notify.tg", str(ANDI), text="tidak akan sampai")])
    await w.run_until(lambda: failed.events, seconds=24 * 3600)
    (event,) = failed.events
    assert event.data["permanent"] is True and event.data["attempts"] == MAX_FAILURES
    assert "given up after 12 failed tries" in event.data["reason"]
    assert "Internal Server Error" in event.data["reason"]


async def test_a_blocked_bot_fails_at_once_and_the_alarm_goes_to_the_next_tier_now(world):
    w = await world()
    w.tg.block(ANDI)
    failed = EventWaiter(w.hub, "notify.failed")
    escalated = EventWaiter(w.hub, "alarm.escalated")
    answer = await w.hub.services.call(
        "alarm",
        "raise",
        {
            "title": {"id": "Pintu server dibobol", "en": "Server room door forced"},
            "site": "dinkes",
            "priority": "critical",
            "recipients": ["andi"],
            "escalation": [{"after": 600, "recipients": ["citra"]}],
        },
        Context(actor="automation:pintu"),
    )
    alarm_id = answer["alarm_id"]
    event = await failed.wait()
    assert event.data["alarm_id"] == alarm_id and event.data["person"] == "andi"
    assert event.data["permanent"] is True and "blocked by the user" in event.data["reason"]
    assert event.data["attempts"] == 1  # never tried again
    up = await escalated.wait()  # at once: the clock has not moved
    assert up.data["alarm_id"] == alarm_id and up.data["recipients"] == ["citra"]
    citra = await w.tg.wait_for(lambda: w.tg.messages(CITRA))
    assert "could not reach Andi" in citra[0]["text"] and "tier 1" in citra[0]["text"]
    history = await w.hub.recorder.alarms.history(alarm_id)
    (undelivered,) = [h for h in history if h["kind"] == "undelivered"]
    assert undelivered["data"]["person"] == "andi" and undelivered["data"]["escalated"] is True
    assert [h["data"]["undelivered"] for h in history if h["kind"] == "escalated"] == ["andi"]
    row = await w.hub.recorder.outbox.get(event.data["message_id"])
    assert row["state"] == "failed" and "blocked" in row["reason"]["text"]


async def test_a_failure_of_one_messenger_does_not_escalate_when_another_reached_them(
    world, fake_telegram
):
    w = await world()
    w.tg.block(ANDI)
    failed = EventWaiter(w.hub, "notify.failed")
    notified = EventWaiter(w.hub, "alarm.notified")
    # andi is also reached by a second messenger: the console
    console = {"platform": "console", "id": "pusat"}
    w.hub.config.setdefault("notify", []).append(console)
    from hub.plugins.demo.notify import ConsoleNotifier

    device = ConsoleNotifier(w.hub, {**console, "name": "Pusat", "site": None})
    w.hub.devices.add(device)
    await device.start()
    escalated = EventWaiter(w.hub, "alarm.escalated")
    await w.hub.services.call(
        "alarm",
        "raise",
        {
            "title": "Gerakan",
            "site": "dinkes",
            "recipients": ["andi"],
            "escalation": [{"after": 600, "recipients": ["citra"]}],
        },
        Context(actor="automation:gerakan"),
    )
    await failed.wait()
    assert (await notified.wait()).data["recipients"] == ["andi"]
    await w.outbox.idle()
    assert escalated.events == []
